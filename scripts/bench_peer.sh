#!/usr/bin/env bash
# make bench-peer: gogru (the default build, which loads OpenBLAS at run time) and PyTorch 1.13's nn.GRU on the same CPU,
# interleaved (gogru, PyTorch, gogru, PyTorch, … for ROUNDS rounds), with the same
# thread count, on the four shapes (forward and training step, both variants), then
# D2L's whole training recipe. Prints medians with their spread and the targets met
# only where the spread clears them, and writes them as gru bench rows ($OUT/rows.json)
# and a chart ($OUT/chart.png); BENCHMARKS.md records a run.
#   THREADS (default: all cores)  EPOCHS (default 500, D2L's; 0 skips the recipe)
#   ROUNDS, RUNS, WARMUP (default 5, 5 and 2)  DATA (D2L's corpus; default TIMEMACHINE,
#   which make sets to the optional local copy the README describes, else gru train's cache)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-$(nproc)}"
EPOCHS="${EPOCHS:-500}"
ROUNDS="${ROUNDS:-5}"
RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-2}"
DATA="${DATA:-${TIMEMACHINE:-${XDG_CACHE_HOME:-$HOME/.cache}/gogru/timemachine.txt}}"
OUT="${OUT:-out/bench-peer}"
PY=/usr/bin/python3
SHAPES="${SHAPES:-32x35x28x256,64x100x256x256,64x100x512x512,128x50x1024x1024}"
mkdir -p "$OUT" bin
export GOMAXPROCS="$THREADS" # gogru's Go workers; OpenBLAS itself runs one thread (cpu/blas_runtime.go)
go build -o bin/gru ./cmd/gru
# The machine probe runs beside the cells: how steady the clock, the vector units and
# the caches were in the same minutes (scripts/machine_probe.c).
PROBE=()
if gcc -O2 -o bin/machine_probe scripts/machine_probe.c; then PROBE=(--probe bin/machine_probe); fi
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; threads $THREADS; $(date -u)"
bin/gru info | sed -n '1,3p'
echo
echo "## Shapes: $ROUNDS interleaved rounds, each a median of $RUNS runs after $WARMUP warm-ups"
$PY scripts/bench_interleaved.py --gru bin/gru --threads "$THREADS" --shapes "$SHAPES" \
  --rounds "$ROUNDS" --runs "$RUNS" --warmup "$WARMUP" --targets forward=1.5,train=2 --json "$OUT/rounds.json" "${PROBE[@]}" \
  --rows "$OUT/rows.json"
# The same medians as a chart (docs/plots.md); merge a GPU run with gru plot bench.
bin/gru plot bench "$OUT/rows.json" -o "$OUT/chart.png" --variant all
[ "$EPOCHS" -gt 0 ] || exit 0
[ -f "$DATA" ] || { echo "bench-peer: no D2L corpus at $DATA: set DATA or TIMEMACHINE, or run gru train once to cache it" >&2; exit 1; }
echo
echo "## D2L recipe: $EPOCHS epochs, batch 32, 35 steps, hidden 256, SGD lr 1, clip 1, $DATA"
bin/gru train --data "$DATA" --epochs "$EPOCHS" --variant reset-after --init pytorch --device cpu \
  --sample-every 0 --progress log --log-every 100000 2>/dev/null | grep -E '^final' | sed 's/^/gogru reset-after (nn.GRU cell): /'
bin/gru train --data "$DATA" --epochs "$EPOCHS" --device cpu \
  --sample-every 0 --progress log --log-every 100000 2>/dev/null | grep -E '^final' | sed 's/^/gogru reset-before (D2L cell):   /'
$PY scripts/d2l_gru_torch.py --data "$DATA" --epochs "$EPOCHS" --threads "$THREADS" | grep -E '^final' | sed 's/^/PyTorch nn.GRU:                /'
