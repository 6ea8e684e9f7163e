package device

import "fmt"

// Kernel is an entry point of the kernels (kernels_gen.go lists them): an index
// into KernelSigs and into the simulator's registry.
type Kernel int

// KernelSig is an entry point's name, as nvcc exports it, its parameter count, and
// whether it is cooperative: its blocks wait for each other (grid_sync), so they
// must all be resident at once, which a cooperative launch guarantees or refuses.
type KernelSig struct {
	Name        string
	Arity       int
	Cooperative bool
}

// String returns the kernel's name, as cuModuleGetFunction looks it up.
func (k Kernel) String() string {
	if k < 0 || k >= NumKernels {
		return fmt.Sprintf("kernel(%d)", int(k))
	}
	return KernelSigs[k].Name
}

// LaunchError is the *Error of a launch a device refuses before it starts: an
// unknown kernel, or arguments that are not one per parameter. It is nil for a
// launch that may go ahead.
func LaunchError(k Kernel, nargs int) error {
	call := "launch " + k.String()
	if k < 0 || k >= NumKernels {
		return &Error{Call: call, Status: 500, Detail: "no such kernel"} // CUDA_ERROR_NOT_FOUND
	}
	if n := KernelSigs[k].Arity; nargs != n {
		// CUDA_ERROR_INVALID_VALUE
		return &Error{Call: call, Status: 1, Detail: fmt.Sprintf("%d arguments for %d parameters", nargs, n)}
	}
	return nil
}

// LaunchGeom is a launch's grid and block and the bytes of dynamic shared memory
// each block gets. Its zero value launches nothing: the geometry of work without
// elements.
type LaunchGeom struct {
	Grid, Block Dim3
	Shared      int
}
