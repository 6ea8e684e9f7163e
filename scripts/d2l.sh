#!/usr/bin/env bash
# The README's main job (make d2l): D2L's GRU experiment on The Time Machine, from a
# fresh machine with Go and gcc, in one command.
#  1. OpenBLAS: bin/gru loads it at run time when it is installed (gonum's pure-Go BLAS
#     otherwise). When it is missing and apt-get can run (as root, or through sudo
#     without a password), Debian's libopenblas0 is installed first; else the run goes on
#     with gonum and says so. GOGRU_BLAS=gonum skips this.
#  2. go build -o bin/gru ./cmd/gru.
#  3. bin/gru train with D2L's defaults (500 epochs, batch 32, 35 steps, hidden 256,
#     SGD lr 1, clip 1, the first 10000 tokens). TIMEMACHINE=PATH names a local copy of
#     the corpus, which train verifies by SHA-1 and caches; without it train downloads
#     the corpus once. Extra arguments go to gru train.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/sbin:/usr/sbin" # ldconfig

have_openblas() { ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; }

if [[ "${GOGRU_BLAS:-}" != gonum ]] && ! have_openblas; then
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo -n)
  if command -v apt-get >/dev/null && "${sudo[@]}" true 2>/dev/null; then
    echo "d2l: installing Debian's libopenblas0 (about 2.5x faster training on this CPU than the pure-Go BLAS)"
    apt_install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenblas0 >/dev/null; }
    apt_install 2>/dev/null || { "${sudo[@]}" apt-get update -qq >/dev/null && apt_install; } ||
      echo "d2l: could not install libopenblas0; going on with gonum's pure-Go BLAS"
  else
    echo "d2l: OpenBLAS is not installed and apt-get cannot run here; going on with gonum's pure-Go BLAS (slower)"
  fi
fi

go build -o bin/gru ./cmd/gru
args=()
[[ -n "${TIMEMACHINE:-}" ]] && args+=(--data "$TIMEMACHINE")
exec bin/gru train "${args[@]}" "$@"
