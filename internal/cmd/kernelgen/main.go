// Command kernelgen writes everything that repeats a kernel's signature, so that
// each signature is written once, in its .cu file, and the rest is generated. It
// learns from mumax3's cuda2go: a Go launch wrapper per kernel with typed
// parameters, so that a wrong argument list does not compile.
//
// It runs from kernels/kernels.go (go generate ./kernels, or make generate), and
// make generate-check, in CI, runs it with -check to fail when a generated file is
// stale.
//
// # Where signatures live
//
// A kernel is a function definition in kernels/*.cu with the line
//
//	//gogru:kernel
//
// right above it, and its formula in the comment above that line. Two forms:
//
//	template <typename T>
//	__device__ void NAME_impl(int n, T* x, T v) { ... }
//
// is a kernel for both element types: kernelgen writes its entry points NAME_f32
// and NAME_f64 (T = float, double), which call NAME_impl<T>, into
// kernels/kernels_gen.cuh, which kernels/all.cu includes last; and
//
//	extern "C" __global__ void NAME(int n, const double* in, double* out) { ... }
//
// is a kernel with one entry point, which kernelgen only registers. A __global__
// function without the line is an error, so no entry point goes unregistered.
// Parameters are pointers, int, float, double and, in templates, T.
//
// A kernel whose blocks wait for each other, at grid_sync (kernels/common.cuh),
// is marked
//
//	//gogru:kernel cooperative
//
// instead: package cuda launches it cooperatively (all blocks resident at once,
// cuLaunchCooperativeKernel) and the simulator runs all its blocks at once. A
// kernel that reaches grid_sync without the mark is an error, and so is a
// cooperative kernel that reaches a static __shared__ variable, which the
// simulator cannot give each block of; such a kernel uses dynamic_shared.
//
// kernelgen reads kernels/all.cu and follows its quoted includes of .cu and .cuh
// files as nvcc does (each once), so the kernels come in the order nvcc sees them.
// It reads the C++ with a small scanner (comments, literals, preprocessor lines,
// balanced braces), which is enough for these sources and fails loudly on what it
// cannot read.
//
// # What it writes
//
//   - kernels/kernels_gen.cuh: the extern "C" entry points of the template kernels.
//   - cuda/internal/device/kernels_gen.go: a Kernel constant per entry point
//     (an index into the simulator's registry and into KernelSigs, the names,
//     parameter counts and cooperative marks), in the room where the devices
//     meet package cuda.
//   - cuda/kernels_gen.go: a typed launch method on cuda's *queue per kernel,
//     which picks the entry point by the backend's dtype and packs the arguments
//     (device.Ptr, int, float64 for T and double, float32). Each carries its
//     kernel's comment.
//   - cuda/internal/sim/kernels_gen.h: the simulator's registry, KERNEL(name,
//     arity, syncs, cooperative) per entry point, included by its sim.cc; the
//     simulator refuses a launch whose argument count is not the arity, and a
//     static_assert there holds each arity to the compiler's.
//   - the launch constants: every `#define GOGRU_NAME <integer>` of the sources
//     (kernels/common.cuh) becomes a Go constant, GOGRU_SUM_ROWS_COLS becoming
//     sumRowsCols, in cuda/kernels_gen.go, so the header is their one source.
//
// # How synchronisation is detected
//
// A kernel synchronises its block when its body, or the body of a function it
// calls (transitively, by name, over every function the sources define), uses
// __syncthreads or __shared__ memory. The simulator runs the threads of such a
// kernel's blocks as fibers that wait for each other at a barrier, and the
// others one by one.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

const (
	root     = "all.cu"          // the translation unit nvcc compiles
	wrappers = "kernels_gen.cuh" // the generated entry points, which root includes
)

func main() {
	kernelsDir := flag.String("kernels", ".", "the directory of the kernel sources")
	cudaDir := flag.String("cuda", "../cuda", "the directory of package cuda")
	check := flag.Bool("check", false, "write nothing; fail when a generated file differs from what kernelgen would write")
	flag.Parse()
	if err := run(*kernelsDir, *cudaDir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "kernelgen:", err)
		os.Exit(1)
	}
}

// generate returns each generated file's path and contents.
func generate(kernelsDir, cudaDir string) (map[string][]byte, error) {
	u, err := parseUnit(kernelsDir, root, wrappers)
	if err != nil {
		return nil, err
	}
	if len(u.kernels) == 0 {
		return nil, fmt.Errorf("no %s lines in %s", directive, filepath.Join(kernelsDir, root))
	}
	goSrc, err := emitGo(u)
	if err != nil {
		return nil, err
	}
	ids, err := emitKernelIDs(u)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		filepath.Join(kernelsDir, wrappers):                            emitWrappers(u),
		filepath.Join(cudaDir, "kernels_gen.go"):                       goSrc,
		filepath.Join(cudaDir, "internal", "device", "kernels_gen.go"): ids,
		filepath.Join(cudaDir, "internal", "sim", "kernels_gen.h"):     emitRegistry(u),
	}, nil
}

// run writes the generated files that changed, or with check reports those that
// are stale.
func run(kernelsDir, cudaDir string, check bool) error {
	files, err := generate(kernelsDir, cudaDir)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(files))
	for path := range files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	stale := 0
	for _, path := range paths {
		want := files[path]
		have, err := os.ReadFile(path)
		if err == nil && bytes.Equal(have, want) {
			continue
		}
		if check {
			fmt.Fprintf(os.Stderr, "kernelgen: %s is stale: run make generate\n", path)
			stale++
			continue
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			return err
		}
	}
	if stale > 0 {
		return fmt.Errorf("%d generated files are stale", stale)
	}
	return nil
}
