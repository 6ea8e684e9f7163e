#!/usr/bin/env bash
# make gpu-check: on a GPU host, build with -tags cuda, run the conformance suite on
# the real GPU, time gogru and PyTorch/cuDNN on the same shapes in this one command,
# and print the table. Everything is logged to $OUT/gpu-check.log (OUT defaults to out/).
# Designed to finish in under 8 minutes on one H100.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out}"
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
SHAPES="64x100x512x512,256x100x1024x1024,32x1500x1024x1024"
PY="${PYTHON:-python3}"
status=0
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  nvcc --version | tail -1 || true
  go version
  set -x
  go build -tags cuda -o bin/gru-cuda ./cmd/gru || exit 1
  bin/gru-cuda info
  timeout 240 go test -tags cuda -count=1 -run 'GPUConformance' -v ./cuda 2>&1 | grep -E '^(=== RUN|--- |\s+---|ok|FAIL|PASS)|Error|error' || status=1
  timeout 150 bin/gru-cuda bench --device cuda --shapes "$SHAPES" --runs 5 --warmup 2 --json > "$OUT/gogru-gpu.json" || status=1
  timeout 120 "$PY" scripts/peer_torch.py --device cuda --shapes "$SHAPES" --runs 5 --warmup 2 --json > "$OUT/torch-gpu.json" || status=1
  set +x
  "$PY" scripts/bench_table.py "$OUT/gogru-gpu.json" "$OUT/torch-gpu.json" | tee "$OUT/gpu-table.md"
  echo "gpu-check status: $status"
} 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
