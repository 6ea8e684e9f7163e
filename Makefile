# gogru — see README.md.
GO      ?= go
TAGS    ?=
PKGS    := ./...

# cuda/compat goes first on cgo's include path so that gorgonia.org/cu builds against
# CUDA 13 headers too (see cuda/compat/cuda.h). CGO_CPPFLAGS, not CGO_CFLAGS: setting
# CGO_CFLAGS would drop Go's default -g -O2. Whatever the caller set is kept after it.
export CGO_CPPFLAGS := -I$(CURDIR)/cuda/compat $(CGO_CPPFLAGS)

# RACE_PKGS are the packages that start goroutines, which make test runs under the
# race detector: cpu (its worker pool, and a goroutine per extra direction). No
# other package starts one (grep -rn 'go func' and 'go f(' outside tests), so the
# rest run without -race, which would only slow them.
RACE_PKGS ?= ./cpu

.PHONY: all help d2l build build-openblas build-cuda test test-gonum test-openblas vet vet-cuda fuzz bench bench-peer bench-chart \
	kernels kernels-check generate generate-check gpu-check ci-cuda fmt-check test-mpi bench-mpi

## all: build and test.
all: build test

## help: list the targets, each from its "## name: text" comment (text may go on
## over further "## " lines).
help:
	@awk '/^## [A-Za-z0-9_-]+:/ { n = $$2; sub(/:$$/, "", n); sub(/^## [^:]*: */, ""); printf "%-15s %s\n", n, $$0; next } \
		/^## / { sub(/^## /, ""); printf "%-15s %s\n", "", $$0 }' $(firstword $(MAKEFILE_LIST))

# TIMEMACHINE is an optional local copy of D2L's corpus (README: "The corpus"): make
# d2l verifies and caches it instead of downloading, and the tests that need the
# real text read it (exported to them). Empty: download, or the tests skip.
TIMEMACHINE ?= $(wildcard $(CURDIR)/../shared/data/timemachine.txt)
export TIMEMACHINE

## d2l: the main job: D2L's GRU on The Time Machine (installs OpenBLAS when it can,
## builds bin/gru, trains; scripts/d2l.sh). ARGS go to gru train.
d2l:
	TIMEMACHINE="$(TIMEMACHINE)" bash scripts/d2l.sh $(ARGS)

## build: compile every package and bin/gru (no GPU; bin/gru loads OpenBLAS at run
## time when libopenblas0 is installed, else runs gonum's pure-Go kernels).
build:
	$(GO) build -tags "$(TAGS)" $(PKGS)
	$(GO) build -tags "$(TAGS)" -o bin/gru ./cmd/gru

## build-openblas: bin/gru-openblas, the CPU backend on OpenBLAS (libopenblas-dev).
build-openblas:
	$(GO) build -tags openblas -o bin/gru-openblas ./cmd/gru

## build-cuda: bin/gru-cuda with the GPU backend (CUDA toolkit; runs only where a GPU is).
build-cuda:
	$(GO) build -tags cuda,openblas -o bin/gru-cuda ./cmd/gru

## test: the whole test suite, race detector on the packages with goroutines.
test: fmt-check vet
	$(GO) test -tags "$(TAGS)" -count=1 -race $(RACE_PKGS)
	$(GO) test -tags "$(TAGS)" -count=1 $(filter-out $(shell $(GO) list -tags "$(TAGS)" $(RACE_PKGS)),$(shell $(GO) list -tags "$(TAGS)" $(PKGS)))

## test-gonum: the gru command's tests on gonum's pure-Go BLAS even where OpenBLAS
## is installed. (The library's tests run on gonum, its default, and cpu's run the
## conformance suite on OpenBLAS too when it loads; make test's command tests use
## whichever BLAS the machine has.)
test-gonum:
	GOGRU_BLAS=gonum $(GO) test -count=1 ./cmd/gru

## test-openblas: the test suite on the OpenBLAS build (-tags openblas, linked; the
## library tests that ask for OpenBLAS and the gru command get the linked one).
test-openblas:
	$(GO) test -tags openblas -count=1 $(PKGS)

## test-mpi: data-parallel training under mpirun (Open MPI, from .ci/install): 2 and
## 3 ranks against one process on the CPU and the simulator, resuming on another
## number of ranks, ranks that differ refused, a rank that dies or fails ending
## the job; and the in-process replica tests (no MPI needed).
test-mpi:
	GOGRU_MPI_TESTS=1 $(GO) test -count=1 -timeout 30m -run 'MPI|Comm' ./distributed ./cmd/gru
	$(GO) test -count=1 -run 'DataParallel' ./gru/lm ./cuda

## bench-mpi: tokens/s of gru train for one process, 1 MPI rank and 2 ranks on this
## CPU's cores, as a Markdown table (scripts/bench_mpi.sh; run it on an idle machine).
bench-mpi:
	bash scripts/bench_mpi.sh

## vet: go vet over every package, and a build without cgo (the simulator, NCCL,
## MPI and the C kernels then return errors that say how to get them).
vet:
	$(GO) vet -tags "$(TAGS)" $(PKGS)
	CGO_ENABLED=0 $(GO) build -tags "$(TAGS)" $(PKGS)

## ci-cuda: vet and compile (not run) everything with -tags cuda. The test binaries
## cannot run without a GPU: gorgonia.org/cu's init exits the process there.
ci-cuda:
	$(GO) vet -tags cuda $(PKGS)
	dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	for p in $$($(GO) list $(PKGS)); do \
		$(GO) test -tags cuda -c -o "$$dir/$$(echo $$p | tr / _).test" $$p || exit 1; done

## fuzz: a short run of the checkpoint loader's fuzz target (FUZZTIME, default
## 600000x: that many inputs, about 15 s on 2 cores).
# A count, not a duration: with a duration, Go 1.26's fuzzing coordinator can report
# its own deadline as a failure ("context deadline exceeded", no input written) when
# the time runs out mid-call (go.dev/issue/75804, fixed in Go 1.27).
# The fuzzer minimises each input that finds new coverage, in O(n²) tries of its n
# bytes, and that worker reports nothing until it is done; go test's default budget
# of 60 s per input left whole runs at 0 execs/s. FUZZMINIMIZETIME caps it (Nx: N tries).
fuzz:
	$(GO) test -run XXX_NONE -fuzz '^FuzzParse$$' -fuzztime $${FUZZTIME:-600000x} \
		-fuzzminimizetime $${FUZZMINIMIZETIME:-5000x} ./gru/checkpoint

## bench-peer: gogru against PyTorch's nn.GRU on this CPU (see scripts/bench_peer.sh).
bench-peer:
	bash scripts/bench_peer.sh

## bench-chart: redraw the charts BENCHMARKS.md shows from the measured runs in
## docs/bench/*.json (gru plot bench; to chart your own runs, see docs/plots.md).
BENCH_CPU_RUN ?= docs/bench/cpu-2026-12-07.json
BENCH_GPU_RUN ?= docs/bench/h200-run4.json
bench-chart:
	$(GO) build -o bin/gru ./cmd/gru
	bin/gru plot bench $(BENCH_CPU_RUN) $(BENCH_GPU_RUN) -o docs/bench/chart.png \
		--note "from BENCHMARKS.md's tables: the CPU's interleaved make bench-peer of 2026-12-07 and the H200's make gpu-check run 4"
	bin/gru plot bench docs/bench/h200-run3.json -o docs/bench/h200-cudnn.png --baseline peer --variant all \
		--title "gogru against cuDNN on one H200, matched precision (tokens per second, higher is faster)" \
		--note "from BENCHMARKS.md's tables: make gpu-check run 3; cuDNN has only the reset-after cell, so both gogru cells are over it"

## gpu-check: on a GPU host, conformance on the GPU and gogru vs cuDNN (scripts/gpu_check.sh).
gpu-check:
	bash scripts/gpu_check.sh

## fmt-check: fail when a file is not gofmt-clean.
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: the CPU benchmarks (tokens/s and GFLOP/s in the output).
bench:
	$(GO) test -tags "$(TAGS)" -run XXX_NONE -bench . -benchtime 5x -benchmem ./cpu/

## generate: rewrite what kernelgen derives from the kernel signatures in kernels/*.cu:
## kernels/kernels_gen.cuh, cuda/kernels_gen.go, cuda/internal/device/kernels_gen.go,
## cuda/internal/sim/kernels_gen.h (see internal/cmd/kernelgen). Run it after changing a
## kernel's signature or a GOGRU_ constant.
generate:
	$(GO) generate ./kernels

## generate-check: fail when a generated file differs from what kernelgen would write.
generate-check:
	$(GO) run ./internal/cmd/kernelgen -kernels kernels -cuda cuda -check

## kernels: rebuild kernels/gogru.fatbin with nvcc (host code with -Wall -Werror).
NVCC          ?= nvcc
# SASS for every architecture this nvcc still accepts, PTX for compute_90. nvcc 13
# dropped sm_70 (Volta); 11.8 and 12.x keep it, so Debian's 11.8 reproduces the
# committed fatbin byte for byte.
NVCC_MAJOR    := $(shell $(NVCC) --version 2>/dev/null | sed -n 's/.*release \([0-9]*\)\..*/\1/p')
KERNEL_ARCHS  := $(if $(filter-out 1 2 3 4 5 6 7 8 9 10 11 12,$(NVCC_MAJOR)),75 80 86 89 90,70 75 80 86 89 90)
KERNEL_SRCS   := $(wildcard kernels/*.cu kernels/*.cuh)
# FATBIN=/elsewhere/gogru.fatbin builds a copy (and its archs.txt beside it) without
# touching the committed one; make gpu-check does so with the GPU host's nvcc.
FATBIN        ?= kernels/gogru.fatbin
kernels: $(FATBIN)

$(FATBIN): $(KERNEL_SRCS)
	$(NVCC) -fatbin -O3 -std=c++17 -Xcompiler -Wall,-Werror \
		$(foreach a,$(KERNEL_ARCHS),-gencode arch=compute_$(a),code=sm_$(a)) \
		-gencode arch=compute_90,code=compute_90 \
		-o $@ kernels/all.cu
	echo "$(foreach a,$(KERNEL_ARCHS),sm_$(a)) compute_90" > $(dir $@)archs.txt

## kernels-check: fail when the committed fatbin differs from a fresh nvcc build.
kernels-check:
	@tmp=$$(mktemp -d) && $(MAKE) --no-print-directory kernels FATBIN=$$tmp/gogru.fatbin && \
	if cmp kernels/gogru.fatbin $$tmp/gogru.fatbin && cmp kernels/archs.txt $$tmp/archs.txt; then rm -rf $$tmp; \
	else echo "kernels/gogru.fatbin is stale: run make kernels and commit it"; rm -rf $$tmp; exit 1; fi
