// Package cpu is the gonum backend of gogru: a gru.Backend that runs on any CPU in
// float32 or float64. In float64 it is the oracle every other backend is tested
// against. It is for users of the cell who want a backend that needs no GPU; they
// need only New (or New32, New64) and the gru interfaces.
//
// The GEMMs go through gonum's blas32 and blas64 packages, and importing cpu
// changes nothing in the process: gonum's pure-Go kernels are the default, no
// library is loaded and no environment variable is set. UseOpenBLAS, called once
// before any backend computes, routes the GEMMs to OpenBLAS: in a cgo build it
// loads the shared library at run time (Debian's libopenblas0), in a build with
// -tags openblas it uses the linked one through gonum.org/v1/netlib. UseGonum
// goes back; SetOpenBLASThreads and OpenBLASCoreType tune OpenBLAS. The gru
// command asks for OpenBLAS at start unless GOGRU_BLAS=gonum, and sets
// OPENBLAS_CORETYPE itself; the library reads no environment variable.
//
// Per layer and direction, Forward does one GEMM for the input projection of all
// T·B rows, then per step one recurrent GEMM (two for ResetBefore) and a fused
// elementwise pass that saves the gates. Backward sweeps the steps in reverse with
// the fused backward pass and the dH GEMM, then does one GEMM each for dX, dW_x and
// dW_h over all steps (the plan in gru/backendkit's BackwardPlan, which the GPU
// backend follows too). Workspaces are sized once per (T, B) and reused.
//
// # Parallelism
//
// The backend owns its parallelism: each GEMM's output columns are split across
// Go's workers and OpenBLAS runs single-threaded, because OpenBLAS's idle threads
// spin (in libc's sched_yield) against the pointwise passes between the per-step
// GEMMs. On gonum's kernels each part is cut into tiles that gonum runs serially,
// since gonum's parallel path starts goroutines (and allocates) on every call; so
// a training step allocates nothing on either BLAS (TestTrainStepAllocatesNothing).
//
// # Small batches
//
// In float32 on a CPU with AVX2 and FMA, batches of at most 64 rows run their
// recurrent products from W_h packed once per sequence into 24-column panels
// (smallgemm.go), where a BLAS would pack it again at every step. From 8 rows up
// the forward and the backward run as row sweeps (packedsweep.go,
// backwardsweep.go): a batch's rows are independent recurrences, so the rows are
// split across the workers once per cell and each part runs every step of its rows,
// two hand-offs a sequence instead of two to four a step. The forward sweep is bit
// for bit the per-step path; the backward's products round their sums differently
// from the BLAS, within float32 rounding.
//
// # Activations in float32
//
// The float32 path computes sigmoid and tanh through its own exp32 (Cody–Waite
// reduction, degree-7 polynomial), in C where cgo is available; the maximum
// absolute errors against float64 (1.2e-7 and 2.4e-7) are stated and tested.
package cpu
