#!/usr/bin/env bash
# make gpu-check: the one prepared check of the GPU path on a GPU host, in one call.
#
#   bash .gpu/run.sh make gpu-check          on a GPU host (see scripts/gpu_bundle.sh)
#   GOGRU_GPU=sim make gpu-check             the same script on the CUDA simulator, small
#                                            shapes, PyTorch on the CPU: the dry run
#
# Steps (GPU_CHECK_STEPS selects some, in this order; default all):
#   env          card, driver, nvcc, and the CUDA_VERSION cgo sees through cuda/compat
#   build        bin/gru-gpu and the cuda test binary, with the host's own CUDA headers
#   kernels      make kernels with the host's nvcc into a scratch fatbin (-Werror)
#   conformance  the whole conformance suite in float32 and float64, golden files included,
#                with the default and with the persistent recurrent kernel, the grid
#                barrier it uses, TF32's and BF16's stated error bounds, and recorded steps
#                (CUDA graphs): at most 10 host calls a replayed step, results bit-identical
#                to running it eagerly, also with the persistent kernel, TF32, BF16 and two
#                streams; the persistent kernel at H=1024, B=256 against the GEMM path; and
#                the fallbacks (docs/gpu-fallback.md): a call the driver refuses inside a real
#                capture, and each injected driver failure of a speed path
#   fatbin       the device-built fatbin, and the committed one's PTX forced through the JIT
#   oom          running out of device memory names the allocation and frees everything
#   cli          gru train --device auto --dtype tf32 and bf16 take the GPU and say so
#   dist         data-parallel gru train (docs/distributed.md), float64, against one process:
#                one rank with a one-rank NCCL communicator (GPU only, where libnccl.so.2
#                is), and two ranks sharing the GPU through host staging; needs mpirun
#   bench        gru bench beside PyTorch's nn.GRU (cuDNN), strict FP32, TF32 and BF16
#                (PyTorch under autocast(bfloat16); see scripts/peer_torch.py --bf16), each
#                shape with both recurrent kernels (GPU_CHECK_KERNELS, default gemm,persistent),
#                ours eager and recorded as a CUDA graph (forward-graph, train-graph)
#   d2l          D2L's recipe (500 epochs) with both cells beside scripts/d2l_gru_torch.py
#   ncu          per-kernel GPU time of a forward and a training step (Nsight Compute);
#                in sim mode, the parser on a recorded sample of its output
#
# GPU_CHECK_BUDGET caps the whole run. Everything goes to $OUT (default out/), at most 8 files: gpu-check.log,
# bench.json (both sides' rows at every precision, keyed "gogru-tf32", "torch-tf32", …),
# bench-chart.png (gru plot bench of bench.json), gpu-table.md, d2l.log and ncu.txt.
# The last lines printed are the summary: one PASS/FAIL/SKIP line per step with its time.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out}"
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
PY="${PYTHON:-python3}"
MODE="${GOGRU_GPU:-real}"
STEPS="${GPU_CHECK_STEPS:-env build kernels conformance fatbin oom cli dist bench d2l ncu}"
# The recurrent kernels bench times side by side at every shape.
KERNELS="${GPU_CHECK_KERNELS:-gemm,persistent}"
# The whole check stops starting steps after GPU_CHECK_BUDGET seconds (default 420),
# so that it always ends with its logs and its summary, whatever a step does.
BUDGET="${GPU_CHECK_BUDGET:-420}"
export PYTHONUNBUFFERED=1
SCRATCH="${TMPDIR:-/tmp}/gogru-gpu-check"
mkdir -p "$SCRATCH"
BIN=bin/gru-gpu
TESTBIN=bin/cuda-gpu.test

case "$MODE" in
real)
  TAGS=cuda DEV=cuda PEER=cuda CONFORMANCE='^TestGPU(Conformance(32|64)|PersistentConformance(32|64)|GridSync|(TF32|BF16)ErrorBound|Graph(Budget|Replay)|ReplayPaths|PersistentAgainstGEMM|CaptureRefusal|Fault(Fallbacks|InsideCapture))$' OOMTEST='^TestGPUOutOfMemory$'
  SHAPES="${GPU_CHECK_SHAPES:-64x100x512x512,256x100x1024x1024,32x1500x1024x1024,32x35x28x256}"
  RUNS=7 WARMUP=3 EPOCHS="${GPU_CHECK_EPOCHS:-500}" RECIPE="" ;;
sim)
  TAGS= DEV=sim PEER=cpu CONFORMANCE='^TestSimulated(Conformance(32|64)|PersistentConformance(32|64)|GridSync|(TF32|BF16)ErrorBound|Graph(Budget|Replay)|ReplayPaths|PersistentAgainstGEMM|CaptureRefusal|Fault(Fallbacks|InsideCapture)|KernelAuto)$' OOMTEST='OutOfMemory'
  SHAPES="${GPU_CHECK_SHAPES:-4x6x5x7,3x9x8x16}"
  RUNS=3 WARMUP=1 EPOCHS="${GPU_CHECK_EPOCHS:-1}" RECIPE="--max-tokens 300 --hidden 16 --batch 4 --steps 8" ;;
*)
  echo "gpu-check: GOGRU_GPU=$MODE: want real or sim" >&2; exit 2 ;;
esac

# The corpus: GOGRU_DATA, else the copy the bundle carries, else TIMEMACHINE (make
# sets it to the optional local copy the README describes), else gru train's cache.
DATA="${GOGRU_DATA:-}"
for f in .gpu/timemachine.txt "${TIMEMACHINE:-}" "${XDG_CACHE_HOME:-$HOME/.cache}/gogru/timemachine.txt"; do
  [ -z "$DATA" ] && [ -f "$f" ] && DATA=$f
done

# cuda/compat first on cgo's include path (the Makefile sets it too; this covers a
# direct `bash scripts/gpu_check.sh`): gorgonia.org/cu then builds on CUDA 13 headers.
case " ${CGO_CPPFLAGS:-} " in
*" -I$PWD/cuda/compat "*) ;;
*) export CGO_CPPFLAGS="-I$PWD/cuda/compat ${CGO_CPPFLAGS:-}" ;;
esac

# The PyTorch peer: required on a GPU host; the dry run goes on without it.
HAVE_TORCH=0
"$PY" -c 'import torch' 2>/dev/null && HAVE_TORCH=1
[ "$MODE" = real ] && HAVE_TORCH=1 # a missing torch must fail the real check loudly

summary=()
failed=0
wants() { [[ " $STEPS " == *" $1 "* ]]; }

# step NAME SECONDS FUNCTION: runs FUNCTION in a fresh bash under a time limit (so a
# hang cannot eat the budget), logs it, records the outcome; exit 77 means skipped.
step() {
  local name=$1 limit=$2 fn=$3
  wants "$name" || return 0
  local left=$((BUDGET - SECONDS))
  if [ "$left" -lt 20 ]; then
    echo "=== step $name: skipped, the ${BUDGET}s budget is spent"
    summary+=("$(printf '%-12s %-18s %4ss' "$name" "SKIP (budget)" 0)")
    return 0
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "=== step $name (limit ${limit}s)"
  local t0=$SECONDS rc=0
  timeout --kill-after=10 "$limit" bash -c "set -uo pipefail; $fn" || rc=$?
  local took=$((SECONDS - t0)) verdict=PASS
  if [ "$rc" -eq 77 ]; then verdict=SKIP; elif [ "$rc" -ne 0 ]; then verdict=FAIL; failed=1; fi
  [ "$rc" -eq 124 ] && verdict="FAIL (timed out)"
  echo "=== step $name: $verdict in ${took}s (exit $rc)"
  summary+=("$(printf '%-12s %-18s %4ss' "$name" "$verdict" "$took")")
}
skip() { echo "skipped: $*"; return 77; }

# timed CMD...: runs CMD and prints its wall time.
timed() {
  local t0 rc=0
  t0=$(date +%s.%N)
  "$@" || rc=$?
  echo "wall $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
  return $rc
}

env_report() {
  date -u
  echo "mode: $MODE; steps: $STEPS"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv 2>/dev/null ||
    echo "nvidia-smi: none"
  nvcc --version 2>/dev/null | tail -2 || echo "nvcc: none"
  go version
  echo "CGO_CPPFLAGS=${CGO_CPPFLAGS:-}"
  # What cgo sees: cuda.h through the compat directory, with the same flags.
  printf '#include <cuda.h>\ngogru_cuda_version=CUDA_VERSION\n' |
    ${CC:-gcc} -E -P ${CGO_CPPFLAGS:-} -x c - 2>/dev/null | grep gogru_cuda_version ||
    echo "cuda.h: not found on the include path"
  "$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cuDNN", torch.backends.cudnn.version(), "GPU", torch.cuda.is_available())' 2>&1 || true
}

build() {
  go build ${TAGS:+-tags $TAGS} -o "$BIN" ./cmd/gru &&
    go test ${TAGS:+-tags $TAGS} -c -o "$TESTBIN" ./cuda &&
    "$BIN" info
}

kernels() {
  command -v "${NVCC:-nvcc}" >/dev/null || skip "no nvcc" || return
  [ "$MODE" = real ] || skip "sim mode (CI's make kernels-check builds the kernels)" || return
  make --no-print-directory kernels FATBIN="$SCRATCH/gogru.fatbin" && cat "$SCRATCH/archs.txt"
}

conformance() {
  "$TESTBIN" -test.run "$CONFORMANCE" -test.count=1 -test.v 2>&1 |
    grep -E '^(=== RUN|\s*--- (FAIL|SKIP)|--- |PASS|FAIL|ok)|rel|Error|error|panic|host calls' | grep -v '^=== RUN' | tail -150
}

fatbin() {
  [ "$MODE" = real ] || skip "sim mode: no driver to load a fatbin" || return
  local quick='^TestGPUConformance32$/^(Oracle|Golden|Ops|OptimizersMatchTorch)$' rc=0
  if [ -f "$SCRATCH/gogru.fatbin" ]; then
    echo "--- the fatbin this host's nvcc built"
    GOGRU_FATBIN="$SCRATCH/gogru.fatbin" "$TESTBIN" -test.run "$quick" -test.count=1 || rc=1
  else
    echo "--- no device-built fatbin (the kernels step did not run or failed)"
    rc=1
  fi
  # CUDA_FORCE_PTX_JIT=1 would also force cuBLAS's own kernels through the JIT, and
  # cublasCreate then fails (seen on an H200, driver 580): rewrap our PTX alone instead.
  echo "--- the committed fatbin's PTX (compute_90) alone, compiled by the driver's JIT"
  cuobjdump -lelf -lptx kernels/gogru.fatbin || rc=1
  rm -rf "$SCRATCH/ptx" && mkdir -p "$SCRATCH/ptx" &&
    (cd "$SCRATCH/ptx" && cuobjdump -xptx all "$OLDPWD/kernels/gogru.fatbin") &&
    nvcc -fatbin -gencode arch=compute_90,code=compute_90 "$SCRATCH"/ptx/*.ptx -o "$SCRATCH/ptx-only.fatbin" &&
    { cuobjdump -lptx -lelf "$SCRATCH/ptx-only.fatbin" || true; } &&
    GOGRU_FATBIN="$SCRATCH/ptx-only.fatbin" "$TESTBIN" -test.run "$quick" -test.count=1 || rc=1
  return $rc
}

oom() { "$TESTBIN" -test.run "$OOMTEST" -test.count=1 -test.v; }

# cli: --device auto takes the GPU and says so; --dtype tf32 and bf16 train through it.
cli() {
  [ -n "$DATA" ] || skip "no timemachine.txt" || return
  local auto=auto prec rc=0
  [ "$MODE" = sim ] && auto=sim # auto never picks the simulator
  for prec in tf32 bf16; do
    "$BIN" train --device $auto --dtype $prec --data "$DATA" --epochs 2 $RECIPE --progress log --sample-every 0 2>&1 |
      tee "$SCRATCH/cli.log" | grep -E '^(device|final)'
    grep -q "^device: cuda/float32 (.*${prec^^} GEMMs)" "$SCRATCH/cli.log" || rc=1
  done
  # --kernel persistent with tensor-core GEMMs runs the GEMM path and says so once;
  # --kernel auto times both paths and says which it keeps.
  "$BIN" train --device $auto --dtype tf32 --kernel persistent --data "$DATA" --epochs 1 $RECIPE --progress log \
    --sample-every 0 >"$SCRATCH/cli.log" 2>&1
  grep 'float32 only' "$SCRATCH/cli.log" || { echo "no notice of the GEMM path for tf32 + persistent"; rc=1; }
  "$BIN" train --device $auto --kernel auto --data "$DATA" --epochs 1 $RECIPE --progress log \
    --sample-every 0 >"$SCRATCH/cli.log" 2>&1
  grep -- '--kernel auto' "$SCRATCH/cli.log" || { echo "no choice of --kernel auto"; rc=1; }
  return $rc
}

# dist: N ranks end where one process ends (the same final line), and say how the
# gradients travelled; the tokens/s of each run are in the log.
dist() {
  [ -n "$DATA" ] || skip "no timemachine.txt" || return
  command -v mpirun >/dev/null || skip "no mpirun (Open MPI) on this host" || return
  local rc=0 mode np want one got
  local args="train --device $DEV --dtype float64 --data $DATA --epochs 3 $RECIPE --progress log --sample-every 0"
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl="${OMPI_MCA_btl:-self,vader}"
  "$BIN" $args >"$SCRATCH/dist-one.log" 2>&1 || { cat "$SCRATCH/dist-one.log"; return 1; }
  one=$(grep '^final' "$SCRATCH/dist-one.log") && echo "one process: $one"
  for mode in nccl host; do
    if [ $mode = nccl ]; then
      np=1 want="by NCCL"
      [ "$MODE" = sim ] && { echo "nccl: skipped on the simulator"; continue; }
      ldconfig -p 2>/dev/null | grep -q 'libnccl\.so\.2' || { echo "nccl: skipped, no libnccl.so.2"; continue; }
    else
      np=2 want="staged through host memory"
    fi
    GOGRU_ALLREDUCE=$mode mpirun --oversubscribe --bind-to none -np $np "$BIN" $args >"$SCRATCH/dist-$mode.log" 2>&1 ||
      { cat "$SCRATCH/dist-$mode.log"; rc=1; continue; }
    grep '^distributed' "$SCRATCH/dist-$mode.log"
    got=$(grep '^final' "$SCRATCH/dist-$mode.log") && echo "$np rank(s), $mode: $got"
    grep -q "$want" "$SCRATCH/dist-$mode.log" || { echo "$mode: the run does not say \"$want\""; rc=1; }
    # float64: the perplexity (3 decimals) matches; tokens/s and times differ.
    [ "$(echo "$got" | cut -d, -f1-2)" = "$(echo "$one" | cut -d, -f1-2)" ] ||
      { echo "$mode: $np rank(s) end elsewhere than one process"; rc=1; }
  done
  return $rc
}

bench() {
  local prec peerflags rc=0 dir="$SCRATCH/bench"
  rm -rf "$dir" && mkdir -p "$dir"
  for prec in float32 tf32 bf16; do
    case $prec in
    float32) peerflags="--tf32 0" ;;
    tf32) peerflags="--tf32 1" ;;
    bf16) peerflags="--bf16 1" ;;
    esac
    # Interleaved: ours, then the peer, per precision, on the same GPU.
    "$BIN" bench --device "$DEV" --dtype $prec --kernel "$KERNELS" --shapes "$SHAPES" --runs $RUNS --warmup $WARMUP --json \
      > "$dir/gogru-$prec.json" || rc=1
    if [ "$HAVE_TORCH" = 1 ]; then
      "$PY" scripts/peer_torch.py --device "$PEER" $peerflags --shapes "$SHAPES" --runs $RUNS --warmup $WARMUP --json \
        > "$dir/torch-$prec.json" || rc=1
    else
      echo "peer: skipped, $PY has no torch" >&2
      : > "$dir/torch-$prec.json"
    fi
  done
  for prec in float32 tf32 bf16; do
    echo "### $prec"
    "$PY" scripts/bench_table.py "$dir/gogru-$prec.json" "$dir/torch-$prec.json" || rc=1
    echo
  done > "$OUT/gpu-table.md"
  cat "$OUT/gpu-table.md"
  # One file for all the rows: $OUT brings back at most 8 files.
  "$PY" - "$dir" > "$OUT/bench.json" <<'PYEOF' || rc=1
import json, os, sys
d = sys.argv[1]
out = {}
for f in sorted(os.listdir(d)):
    p = os.path.join(d, f)
    out[f[:-len('.json')]] = json.load(open(p)) if os.path.getsize(p) else []
print(json.dumps(out, indent=1))
PYEOF
  # Both sides at every precision in one chart, each bar over its matched peer.
  "$BIN" plot bench "$OUT/bench.json" --baseline peer -o "$OUT/bench-chart.png" || rc=1
  return $rc
}

d2l() {
  [ -n "$DATA" ] || skip "no timemachine.txt (set GOGRU_DATA, or bundle it with scripts/gpu_bundle.sh)" || return
  local v rc=0
  {
    for v in reset-before reset-after; do
      echo "--- gogru $v"
      timed "$BIN" train --device "$DEV" --data "$DATA" --epochs "$EPOCHS" $RECIPE --variant $v \
        --progress log --log-every 1000000 --sample-every 0 || rc=1
    done
    echo "--- PyTorch nn.GRU (reset-after)"
    if [ "$HAVE_TORCH" = 1 ]; then
      timed "$PY" scripts/d2l_gru_torch.py --device "$PEER" --data "$DATA" --epochs "$EPOCHS" $RECIPE || rc=1
    else
      echo "skipped: $PY has no torch"
    fi
  } > "$OUT/d2l.log" 2>&1
  grep -E '^(---|device|final|torch|wall|skipped)|perplexity [0-9.]+, ' "$OUT/d2l.log"
  return $rc
}

ncu_profile() {
  if [ "$MODE" = sim ]; then
    # No profiler here: check the parser on ncu output recorded on an H200 instead.
    "$PY" scripts/ncu_shares.py scripts/testdata/ncu_h200_sample.txt | tee "$SCRATCH/ncu-sample.md" &&
      grep -q '13 kernel launches, 0.34 ms of GPU time' "$SCRATCH/ncu-sample.md"
    return
  fi
  command -v ncu >/dev/null || skip "no ncu on this host" || return
  local s rc=0
  for s in 64x100x512x512 32x35x28x256; do
    echo "--- $s reset-after, one forward and one training step"
    ncu --clock-control none --metrics gpu__time_duration.sum --csv \
      "$BIN" bench --device cuda --variant reset-after --shapes $s --runs 1 --warmup 0 --graphs=false || rc=1
  done > "$OUT/ncu.txt" 2>&1
  "$PY" scripts/ncu_shares.py "$OUT/ncu.txt" || rc=1
  return $rc
}

export OUT PY MODE STEPS HAVE_TORCH SCRATCH BIN TESTBIN TAGS DEV PEER CONFORMANCE OOMTEST SHAPES KERNELS RUNS WARMUP EPOCHS RECIPE DATA
export -f skip timed env_report build kernels conformance fatbin oom cli dist bench d2l ncu_profile

{
  step env 60 env_report
  step build 300 build
  step kernels 240 kernels
  step conformance 300 conformance
  step fatbin 180 fatbin
  step oom 60 oom
  step cli 120 cli
  step dist 120 dist
  step bench 300 bench
  step d2l 300 d2l
  step ncu 180 ncu_profile
  echo "=== gpu-check summary ($MODE)"
  printf '%s\n' "${summary[@]}"
  [ $failed -eq 0 ] && echo "gpu-check: all steps passed" || echo "gpu-check: FAILED"
  exit $failed
} 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
