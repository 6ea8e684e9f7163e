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
