#!/usr/bin/env bash
# Packs .gpu/ for a GPU host that has the CUDA toolkit but no Go and no network:
#   .gpu/go.tar.xz      this machine's Go toolchain, trimmed to what go build, test and vet need
#   .gpu/vendor.tar.xz  `go mod vendor` of this module
#   .gpu/run.sh         unpacks both, points cgo at the host's CUDA toolkit, runs "$@"
#   .gpu/timemachine.txt  D2L's corpus for make gpu-check's d2l step, when a copy is
#                       here: TIMEMACHINE (make sets it to the optional local copy the
#                       README describes), else the copy gru train cached
# .gpu/ is kept out of git through .git/info/exclude. Then, on the GPU host, from the
# repository root:  bash .gpu/run.sh make gpu-check
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >> .git/info/exclude
goroot=$(go env GOROOT)
goarch=$(go env GOOS)_$(go env GOARCH)
rm -rf .gpu && mkdir -p .gpu
paths="bin src lib go.env VERSION pkg/include"
for t in compile link asm cgo vet cover buildid; do
  [ -e "$goroot/pkg/tool/$goarch/$t" ] && paths="$paths pkg/tool/$goarch/$t"
done
# shellcheck disable=SC2086 # paths is a list
( cd "$goroot" && tar cf - --exclude='*_test.go' --exclude=testdata --exclude=src/cmd $paths ) | xz -T0 -6 > .gpu/go.tar.xz
go mod vendor -o .gpu/vendor && tar cf - -C .gpu vendor | xz -T0 -6 > .gpu/vendor.tar.xz && rm -rf .gpu/vendor
cat > .gpu/run.sh <<'RUN'
#!/usr/bin/env bash
# Unpacks the bundled Go toolchain and runs "$@" offline against the vendored modules.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
goroot=${TMPDIR:-/tmp}/gogru-bundle-go
if [ ! -x "$goroot/bin/go" ]; then mkdir -p "$goroot" && tar xJf "$here/go.tar.xz" -C "$goroot"; fi
rm -rf "$root/vendor" && tar xJf "$here/vendor.tar.xz" -C "$root"
cuda=${CUDA_HOME:-/usr/local/cuda}
export GOROOT=$goroot PATH="$goroot/bin:$cuda/bin:$PATH" GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local
export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/gogru-bundle-cache} GOPATH=${GOPATH:-${TMPDIR:-/tmp}/gogru-bundle-gopath}
# -I goes in CGO_CPPFLAGS: setting CGO_CFLAGS would drop Go's default -g -O2. The
# Makefile puts cuda/compat ahead of it.
export CGO_CPPFLAGS="${CGO_CPPFLAGS:-} -I$cuda/include" CGO_LDFLAGS="${CGO_LDFLAGS:-} -L$cuda/lib64 -L$cuda/lib64/stubs"
export LD_LIBRARY_PATH="$cuda/lib64:${LD_LIBRARY_PATH:-}"
[ -f "$here/timemachine.txt" ] && export GOGRU_DATA=${GOGRU_DATA:-$here/timemachine.txt}
cd "$root"
echo "gpu bundle: $(go version), nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo none)"
echo "cuda.h: $(grep -m1 '#define CUDA_VERSION' "$cuda/include/cuda.h" 2>/dev/null || echo 'not found')"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
exec "$@"
RUN
chmod +x .gpu/run.sh
corpus=${TIMEMACHINE:-${XDG_CACHE_HOME:-$HOME/.cache}/gogru/timemachine.txt}
if [ -f "$corpus" ]; then cp "$corpus" .gpu/timemachine.txt; else echo "gpu_bundle: no copy of The Time Machine here; the d2l step will be skipped (set TIMEMACHINE)"; fi
du -sh .gpu | sed 's/^/bundle size: /'
