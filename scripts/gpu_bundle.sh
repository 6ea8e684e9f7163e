#!/usr/bin/env bash
# Stages .gpu/ for an offline GPU host: ../shared/gpu/bundle.sh's Go toolchain and
# vendored modules, plus a copy of D2L's corpus for make gpu-check's d2l step (the
# corpus is never committed; .gpu/ is ignored through .git/info/exclude). Then:
#   device run, carry [".gpu"]:  bash .gpu/run.sh make gpu-check
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >> .git/info/exclude
bash ../shared/gpu/bundle.sh
if [ -f ../shared/data/timemachine.txt ]; then cp ../shared/data/timemachine.txt .gpu/; fi
du -sh .gpu
