// Package kernels holds gogru's CUDA kernels: one kernel family per .cu file, each
// kernel with its formula in a comment, and the fatbin nvcc builds from them
// (make kernels), embedded so that `go build -tags cuda` needs no nvcc. It is for
// package cuda and for those who change a kernel; users never import it.
//
// The same sources compile as host C++ for the simulator in
// ../cuda/internal/sim (see its sim.h).
//
// Each kernel's signature is written once, in its .cu file, under a
// //gogru:kernel line; go generate (make generate) runs kernelgen, which writes
// from them the template kernels' entry points (kernels_gen.cuh), the typed Go
// launch methods and launch constants in ../cuda, the kernels' ids in
// ../cuda/internal/device and the simulator's registry in ../cuda/internal/sim
// (see internal/cmd/kernelgen).
package kernels

//go:generate go run ../internal/cmd/kernelgen -kernels . -cuda ../cuda

import (
	"embed"
	"strings"
)

// Fatbin is kernels/gogru.fatbin: SASS for sm_70, sm_75, sm_80, sm_86, sm_89 and
// sm_90, and PTX for compute_90, built by `make kernels` and committed.
//
//go:embed gogru.fatbin
var Fatbin []byte

//go:embed archs.txt
var archs string

// Sources are the kernel sources. Embedding them also makes the go tool rebuild
// the simulator in ../cuda, which #includes them, whenever a kernel changes.
//
//go:embed *.cu *.cuh
var Sources embed.FS

// Architectures lists the GPU code in Fatbin: SASS as "sm_XY", PTX as "compute_XY".
func Architectures() []string { return strings.Fields(archs) }
