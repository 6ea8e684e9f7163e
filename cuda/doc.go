// Package cuda is the GPU backend of gogru: a gru.Backend whose GEMMs run on cuBLAS
// and whose pointwise work runs on the kernels in ../kernels. It is for users of
// the cell with an NVIDIA GPU (New, NewTF32, Devices) and for anyone testing the GPU
// path without one (NewSimulated).
//
// The backend orchestrates GEMMs and kernel launches over a small device interface
// with two implementations:
//
//   - the real device (build tag cuda): gorgonia.org/cu for the context, memory,
//     module and launches, each call made on the calling goroutine locked to its
//     OS thread with the context current there, and this package's own cgo for
//     cuBLAS (a handle bound to our stream, cublasSgemm, cublasDgemm, cublasGemmEx
//     and strided batches);
//   - the simulated device (every build; cgo and g++): the same .cu sources compiled
//     as host C++ (kernels/sim.h), run with CUDA's grid semantics, and a GEMM with
//     cuBLAS's column-major semantics. NewSimulated exposes it as a debugging aid, in
//     the way Numba offers a CUDA simulator.
//
// Only the few calls that touch the driver differ between the two: the GEMM order,
// grid sizes, workspaces and stream use are the same code, so CI exercises them all.
//
// # The recurrent kernel
//
// The recurrence of each layer and direction runs one of two ways
// (SetRecurrentKernel). KernelGEMM, the default, runs each step as cuBLAS GEMMs
// and a fused pointwise kernel. KernelPersistent runs all steps in one
// cooperative kernel whose blocks keep their slices of W_h in shared memory and
// meet at a grid barrier each step. It is opt-in until it has been measured on a
// GPU against the default. Asked for, it applies to a stack's shape when
// planPersistent finds a geometry whose slices fit the device's shared memory
// (one block per multiprocessor) and the occupancy calculator confirms the blocks
// fit at once; otherwise that shape runs KernelGEMM, silently. RecurrentRuns counts
// which ran. Both save the same activations, so the input projection, the
// gradient GEMMs and the bias sums are shared code.
//
// A build without the cuda tag never imports gorgonia.org/cu (whose init exits the
// process when no GPU is present); there New returns ErrNotBuilt.
package cuda
