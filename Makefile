# gogru — see README.md.
GO      ?= go
TAGS    ?=
PKGS    := ./...

.PHONY: all build test vet bench fmt-check

all: build test

## build: compile every package and the gru command (pure-Go CPU build by default).
build:
	$(GO) build -tags "$(TAGS)" $(PKGS)

## test: the whole test suite, race detector on the packages with goroutines.
test: fmt-check vet
	$(GO) test -tags "$(TAGS)" -count=1 $(PKGS)

## vet: go vet over every package.
vet:
	$(GO) vet -tags "$(TAGS)" $(PKGS)

## fmt-check: fail when a file is not gofmt-clean.
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: the CPU benchmarks (tokens/s in the output).
bench:
	$(GO) test -tags "$(TAGS)" -run XXX_NONE -bench . -benchtime 5x ./cpu/

## kernels: rebuild kernels/gogru.fatbin with nvcc (host code with -Wall -Werror).
NVCC          ?= nvcc
KERNEL_ARCHS  := 70 75 80 86 89 90
KERNEL_SRCS   := $(wildcard kernels/*.cu kernels/*.cuh)
kernels: kernels/gogru.fatbin

kernels/gogru.fatbin: $(KERNEL_SRCS)
	$(NVCC) -fatbin -O3 -std=c++17 -Xcompiler -Wall,-Werror \
		$(foreach a,$(KERNEL_ARCHS),-gencode arch=compute_$(a),code=sm_$(a)) \
		-gencode arch=compute_90,code=compute_90 \
		-o $@ kernels/all.cu
	echo "$(foreach a,$(KERNEL_ARCHS),sm_$(a)) compute_90" > kernels/archs.txt

## kernels-check: fail when the committed fatbin differs from a fresh nvcc build.
kernels-check:
	cp kernels/gogru.fatbin /tmp/gogru.fatbin.committed
	touch kernels/all.cu && $(MAKE) --no-print-directory kernels
	cmp kernels/gogru.fatbin /tmp/gogru.fatbin.committed || \
		(echo "kernels/gogru.fatbin is stale: run make kernels and commit it"; exit 1)
