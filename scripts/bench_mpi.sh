#!/usr/bin/env bash
# Tokens/s of gru train on this CPU at one global batch: one process on all CORES,
# one MPI rank on all of them, and 2 ranks on CORES/2 each (GOMAXPROCS sets the
# CPU backend's threads; --bind-to none lets each rank's threads use its cores).
# Prints a Markdown table for BENCHMARKS.md. Run it on an idle machine: figures
# taken beside other work say nothing.
#   CORES=16 ARGS="--hidden 512 --batch 128" bash scripts/bench_mpi.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CORES=${CORES:-$(nproc)}
ARGS=${ARGS:-}
# D2L's recipe (10,000 tokens of The Time Machine, hidden 256, batch 32, T 35,
# float32), 10 epochs; DATA= names another corpus (builtin: the text in the binary).
DATA=${DATA:-timemachine}
BASE="train --device cpu --data $DATA --epochs 10 --sample-every 0 --progress log"
command -v mpirun >/dev/null || { echo "bench_mpi: mpirun not found: install openmpi-bin (bash .ci/install)" >&2; exit 1; }
go build -o bin/gru ./cmd/gru
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}
# rate runs its arguments and prints the tokens/s of gru train's final line.
rate() {
  local out
  out=$("$@" 2>&1) || { echo "$out" >&2; exit 1; }
  sed -n 's/^final: .*, \([0-9]*\) tokens\/s.*/\1/p' <<<"$out"
}
half=$((CORES / 2 > 0 ? CORES / 2 : 1))
one=$(GOMAXPROCS=$CORES rate bin/gru $BASE $ARGS)
r1=$(rate mpirun --bind-to none -x GOMAXPROCS=$CORES -np 1 bin/gru $BASE $ARGS)
r2=$(rate mpirun --bind-to none --oversubscribe -x GOMAXPROCS=$half -np 2 bin/gru $BASE $ARGS)
echo "| run | cores | tokens/s | vs one process |"
echo "|---|---:|---:|---:|"
echo "| one process | $CORES | $one | 1.00 |"
awk -v a="$r1" -v b="$one" -v c="$CORES" 'BEGIN { printf "| mpirun -np 1 | %d | %d | %.2f |\n", c, a, a / b }'
awk -v a="$r2" -v b="$one" -v c="$half" 'BEGIN { printf "| mpirun -np 2 | 2 × %d | %d | %.2f |\n", c, a, a / b }'
