#!/usr/bin/env bash
# make bench-peer: gogru (OpenBLAS build) and PyTorch 1.13's nn.GRU on the same CPU,
# one after the other, with the same thread count, on the four shapes (forward and
# training step, both variants) and on D2L's whole training recipe. Prints the tables;
# BENCHMARKS.md records a run.
#   THREADS (default: all cores)  EPOCHS (default 500, D2L's; 0 skips the recipe)
#   RUNS, WARMUP (default 11 and 3)  DATA (D2L's corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-$(nproc)}"
EPOCHS="${EPOCHS:-500}"
RUNS="${RUNS:-11}"
WARMUP="${WARMUP:-3}"
DATA="${DATA:-../shared/data/timemachine.txt}"
OUT="${OUT:-out/bench-peer}"
PY=/usr/bin/python3
SHAPES="32x35x28x256,64x100x256x256,64x100x512x512,128x50x1024x1024"
mkdir -p "$OUT"
export GOMAXPROCS="$THREADS" # gogru's Go workers; OpenBLAS itself runs one thread (cpu/blas_openblas.go)
go build -tags openblas -o bin/gru-openblas ./cmd/gru
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; threads $THREADS; $(date -u)"
bin/gru-openblas info | sed -n '1,3p'
echo
echo "## Shapes (median of $RUNS after $WARMUP warm-ups)"
bin/gru-openblas bench --device cpu --shapes "$SHAPES" --runs "$RUNS" --warmup "$WARMUP" --json > "$OUT/gogru.json"
$PY scripts/peer_torch.py --device cpu --threads "$THREADS" --shapes "$SHAPES" --runs "$RUNS" --warmup "$WARMUP" --json > "$OUT/torch.json"
$PY scripts/bench_table.py "$OUT/gogru.json" "$OUT/torch.json"
[ "$EPOCHS" -gt 0 ] || exit 0
echo
echo "## D2L recipe: $EPOCHS epochs, batch 32, 35 steps, hidden 256, SGD lr 1, clip 1, $DATA"
bin/gru-openblas train --data "$DATA" --epochs "$EPOCHS" --variant reset-after --init pytorch --device cpu \
  --sample-every 0 --progress log --log-every 100000 2>/dev/null | grep -E '^final' | sed 's/^/gogru reset-after (nn.GRU cell): /'
bin/gru-openblas train --data "$DATA" --epochs "$EPOCHS" --device cpu \
  --sample-every 0 --progress log --log-every 100000 2>/dev/null | grep -E '^final' | sed 's/^/gogru reset-before (D2L cell):   /'
$PY scripts/d2l_gru_torch.py --data "$DATA" --epochs "$EPOCHS" --threads "$THREADS" | grep -E '^final' | sed 's/^/PyTorch nn.GRU:                /'
