// Package cuda is the GPU backend of gogru: a gru.Backend whose GEMMs run on cuBLAS
// and whose pointwise work runs on the kernels in ../kernels. It is for users of
// the cell with an NVIDIA GPU (New, Devices) and for anyone testing the GPU path
// without one (New(Simulated())). New takes options: WithDevice, WithDType,
// WithPrecision, Simulated and WithRecurrentKernel.
//
// Precision: tensors are float32 or float64. WithPrecision(TF32) and (BF16) keep float32
// tensors and change only the GEMMs, which take their operands in TF32 or bfloat16
// on tensor cores and accumulate in float32: PyTorch's allow_tf32, and what
// torch.autocast(dtype=torch.bfloat16) does to matmuls. Parameters, activations,
// gradients and optimiser state stay float32 and the pointwise kernels run in
// float32, so BF16 saves GEMM time and no memory. There is deliberately no bfloat16
// storage type: it would need a second set of kernels, and training keeps float32
// master weights anyway. grutest.TF32Tolerances and grutest.BF16Tolerances state
// their error bounds.
//
// # Three rooms
//
// The package is the orchestration: the GEMM order, grid sizes, workspaces,
// stream use, recording and fallbacks, written once for both devices. It runs
// them over a small device interface, and each device lives in a room of its own
// under internal/, as database/sql's drivers implement database/sql/driver and
// gonum's blas/gonum and blas/cgo implement blas:
//
//   - internal/device: the interface (device.Device: memory, launches, GEMMs,
//     streams, capture) and the words both sides share: device addresses, launch
//     geometry, the kernels' ids (generated from their .cu signatures), the
//     errors (Error and AllocError here are its types), and the bookkeeping of
//     allocations and captures each device keeps.
//   - internal/driver (build tag cuda): the real GPU, through gorgonia.org/cu for
//     the context, memory, module and launches, each call made on the calling
//     goroutine locked to its OS thread with the context current there, and its
//     own cgo for cuBLAS (a handle bound to our stream, cublasSgemm, cublasDgemm,
//     cublasGemmEx for BF16, strided batches), stream capture and graphs,
//     cooperative launches and the second stream. It is the only package that
//     imports gorgonia.org/cu; this package's gpu.go opens it in a cuda build and
//     nocuda.go says ErrNotBuilt in any other.
//   - internal/sim (every build; cgo and g++): the simulator, the same .cu
//     sources compiled as host C++ (its sim.h), run with CUDA's grid semantics,
//     and a GEMM with cuBLAS's column-major semantics. New(Simulated()) exposes it
//     as a debugging aid, in the way Numba offers a CUDA simulator.
//
// Only the few calls that touch the driver differ between the two devices, so CI
// exercises every orchestration path on the simulator. The package's tests wrap
// a device to count its calls or to inject the driver's failures (fault
// injection), on the simulator everywhere and on a GPU under -tags cuda.
//
// The backend can record (record.go; gru/lm's Trainer finds it through the
// module's internal/record, and no exported name of this package is about it): a recording captures a step's device work (on a GPU
// as a CUDA graph, by stream capture; on the simulator as the list of calls) and
// its replay runs it again with one launch. Inside a capture both devices refuse host
// copies, waits, allocations and frees with an *Error that names the call, so a
// step that would read host memory fails on the simulator in CI, not on a GPU.
//
// # Two streams for two directions
//
// On a GPU a bidirectional layer runs direction 1 on a second stream while
// direction 0 runs on the main one (device.Device's Fork, SetStream, Join: an event
// recorded on one stream that the other waits for, legal inside stream capture,
// where it makes a fork and a join in the graph). The second stream has its own
// cuBLAS handle and workspace. The streams join before the next layer and before the
// dX GEMMs, which read both directions; the directions share no scratch that
// either writes (stack.eachDirection). The simulator runs the work in the order it
// is queued. The persistent kernels keep both directions on the main stream. The
// overlap has not yet been measured on a GPU.
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
// fit at once; otherwise that shape runs KernelGEMM, silently where the plan does not
// fit and with a warning where a driver call failed. RecurrentRuns counts which ran. Both save the same activations, so the input projection, the
// gradient GEMMs and the bias sums are shared code.
//
// # Never worse than eager
//
// The speed paths (recorded steps, the persistent kernel, the second stream) fall
// back to the eager GEMM path when a driver call of theirs fails without losing
// the context, and say so once through the backend's logger (SetLogger): a failed
// plan or cooperative launch of the persistent kernel leaves that shape to the GEMM
// path (RecurrentRuns counts it), a failed fork or join leaves both directions on
// one stream. gru/lm's Trainer does the same for recordings. A sticky error (the
// context is lost) falls back to nothing: its *Error matches gru.ErrDeviceLost.
// A backend whose GEMMs use tensor cores (TF32, BF16) runs the GEMM path
// where KernelPersistent is asked for, and says so once: the persistent kernels
// compute in float32 only.
//
// # The queue
//
// Launches, GEMMs and copies go through a queue with a sticky error, as
// bufio.Writer does: the first failure is kept, later work is skipped, and Forward
// and Backward check once at the end. The kernels' typed launch methods are
// generated from their .cu signatures (kernels, internal/cmd/kernelgen), so a
// launch with a wrong argument list does not compile, and the simulator refuses a
// launch whose argument count is not the kernel's.
//
// # Recorded steps
//
// A training step is recorded once per shape and replayed: a handful of host calls
// a step (the ids in, the step number, the launch, the loss out) instead of
// hundreds, whatever T is; record_test.go holds it to 10. For that, host data
// crosses only through fixed buffers: token ids live on the backend (gru.IDs,
// range-checked on the host when written), the loss and the gradient norm are
// written to one-element tensors, Adam reads its step number on the device and
// computes 1 − βᵗ there (as Go's math.Pow does, so the CPU's numbers hold bit for
// bit), and a Forward uploads its lengths only when they change. cuBLAS gets a
// workspace of its own (32 MiB on Hopper, 4 MiB before, as cublasSetWorkspace's
// documentation recommends), so captured GEMMs allocate nothing.
//
// # The simulator
//
// The simulator #includes the kernel sources, which the go tool does not track;
// package kernels embeds them and internal/sim imports it, so editing a kernel
// rebuilds the simulator. Kernels that do not synchronise run their threads one
// after another. Those that do (__syncthreads or __shared__, found by kernelgen
// through the functions a kernel calls) run their threads as fibers, a block at a
// time; a cooperative kernel runs every thread of every block at once, each as far
// as it goes before the next, so a missing grid barrier shows and a deadlock is
// reported instead of hanging (internal/sim/sim.cc).
//
// A build without the cuda tag never imports gorgonia.org/cu (whose init exits the
// process when no GPU is present); there New returns ErrNotBuilt unless Simulated.
package cuda
