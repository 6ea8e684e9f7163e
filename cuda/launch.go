package cuda

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// kernel is an entry point of the kernels (kernels_gen.go lists them): an index
// into kernelSigs and into the simulator's registry.
type kernel int

// kernelSig is an entry point's name, as nvcc exports it, its parameter count, and
// whether it is cooperative: its blocks wait for each other (grid_sync), so they
// must all be resident at once, which a cooperative launch guarantees or refuses.
type kernelSig struct {
	name        string
	arity       int
	cooperative bool
}

// String returns the kernel's name, as cuModuleGetFunction looks it up.
func (k kernel) String() string {
	if k < 0 || k >= numKernels {
		return fmt.Sprintf("kernel(%d)", int(k))
	}
	return kernelSigs[k].name
}

// launchError is the *Error of a launch a device refuses before it starts: an
// unknown kernel, or arguments that are not one per parameter. It is nil for a
// launch that may go ahead.
func launchError(k kernel, nargs int) error {
	call := "launch " + k.String()
	if k < 0 || k >= numKernels {
		return &Error{Call: call, Status: 500, Detail: "no such kernel"} // CUDA_ERROR_NOT_FOUND
	}
	if n := kernelSigs[k].arity; nargs != n {
		// CUDA_ERROR_INVALID_VALUE
		return &Error{Call: call, Status: 1, Detail: fmt.Sprintf("%d arguments for %d parameters", nargs, n)}
	}
	return nil
}

// launchGeom is a launch's grid and block and the bytes of dynamic shared memory
// each block gets. Its zero value launches nothing: the geometry of work without
// elements.
type launchGeom struct {
	grid, block dim3
	shared      int
}

// elems is the 1-D geometry of n elements, one thread each, in blocks of threads.
func elems(n int) launchGeom {
	if n == 0 {
		return launchGeom{}
	}
	return launchGeom{grid: dim3{(n + threads - 1) / threads, 1, 1}, block: dim3{threads, 1, 1}}
}

// reduceBlocks is the geometry of a reduction over n blocks of reduceThreads.
func reduceBlocks(n int) launchGeom {
	return launchGeom{grid: dim3{n, 1, 1}, block: dim3{reduceThreads, 1, 1}}
}

// colSums is the geometry of sum_rows over cols columns: blocks of sumRowsCols
// columns by sumRowsLanes row lanes.
func colSums(cols int) launchGeom {
	if cols == 0 {
		return launchGeom{}
	}
	return launchGeom{grid: dim3{(cols + sumRowsCols - 1) / sumRowsCols, 1, 1}, block: dim3{sumRowsCols, sumRowsLanes, 1}}
}

// queue is a sequence of device work (kernel launches, GEMMs, copies) with a
// sticky error, after bufio.Writer: each operation records the first error, the
// operations after a failure do nothing, and the caller checks Err once at the
// end. Work already queued on the device before the failure is not undone.
type queue struct {
	be     *Backend
	err    error
	forked bool // a fork is open: join must follow
}

// queue starts a sequence of device work.
func (be *Backend) queue() *queue { return &queue{be: be} }

// Err returns the first error of the sequence, or nil.
func (q *queue) Err() error { return q.err }

// htod copies host bytes to dst.
func (q *queue) htod(dst ptr, src []byte) {
	if q.err == nil {
		q.err = q.be.dev.htod(dst, src)
	}
}

// dtod copies bytes from src to dst on the device.
func (q *queue) dtod(dst, src ptr, bytes int) {
	if q.err == nil {
		q.err = q.be.dev.dtod(dst, src, bytes)
	}
}

// copyOrZero copies bytes from src to dst, or zeroes dst when src is 0 (a tensor
// the caller left out).
func (q *queue) copyOrZero(dst, src ptr, bytes int) {
	if q.err != nil {
		return
	}
	if src != 0 {
		q.err = q.be.dev.dtod(dst, src, bytes)
	} else {
		q.err = q.be.dev.memsetZero(dst, bytes)
	}
}

// gemm is Backend.rowGemm: the row-major C = alpha·op(A)·op(B) + beta·C.
func (q *queue) gemm(transA, transB bool, m, n, k int, alpha float64, a ptr, lda int, b ptr, ldb int, beta float64, c ptr, ldc int) {
	if q.err == nil {
		q.err = q.be.rowGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// fork opens stream 1 beside stream 0 (see device.fork); join closes it.
func (q *queue) fork() {
	if q.err == nil {
		q.err = q.be.dev.fork()
		q.forked = q.err == nil
	}
}

// setStream queues the work that follows on stream (0 or 1).
func (q *queue) setStream(stream int) {
	if q.err == nil {
		q.be.dev.setStream(stream)
	}
}

// join makes stream 0 current and, when a fork is open, joins it: even after an
// error, so that no work is left on stream 1 that stream 0 does not wait for (and a
// capture stays whole).
func (q *queue) join() {
	q.be.dev.setStream(0)
	if !q.forked {
		return
	}
	q.forked = false
	if err := q.be.dev.join(); q.err == nil {
		q.err = err
	}
}

// launch runs kernel k over lg with args, one 8-byte slot per parameter; the
// typed launch methods of kernels_gen.go call it.
func (q *queue) launch(k kernel, lg launchGeom, args ...uint64) {
	if q.err == nil && lg != (launchGeom{}) {
		q.err = q.be.dev.launch(k, lg, args)
	}
}

// typed returns the entry point of a template kernel for the backend's dtype.
func (q *queue) typed(f32, f64 kernel) kernel {
	if q.be.dtype == gru.Float64 {
		return f64
	}
	return f32
}

// rowGemm computes the row-major product C = alpha·op(A)·op(B) + beta·C, C m×n with
// inner size k and leading dimensions lda, ldb, ldc in elements. cuBLAS is
// column-major, where a row-major matrix reads as its transpose, so this asks cuBLAS
// for Cᵀ = op(B)ᵀ·op(A)ᵀ: the operands swap places and m and n swap, while each
// keeps its own transpose flag and leading dimension.
func (be *Backend) rowGemm(transA, transB bool, m, n, k int, alpha float64, a ptr, lda int, b ptr, ldb int, beta float64, c ptr, ldc int) error {
	if m == 0 || n == 0 {
		return nil
	}
	return be.dev.gemm(be.dtype == gru.Float64, transB, transA, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc)
}
