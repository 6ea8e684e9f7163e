package cuda

import (
	"math"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
)

// Kernel arguments are packed into 8-byte slots, the value in the low bytes, the
// way cuLaunchKernel reads them through its void** array. A null pointer is 0.

func argInt(v int) uint64        { return uint64(uint32(int32(v))) }
func argPtr(p device.Ptr) uint64 { return uint64(p) }
func argF64(v float64) uint64    { return math.Float64bits(v) }
func argF32(v float32) uint64    { return uint64(math.Float32bits(v)) }

// elems is the 1-D geometry of n elements, one thread each, in blocks of threads.
func elems(n int) device.LaunchGeom {
	if n == 0 {
		return device.LaunchGeom{}
	}
	return device.LaunchGeom{Grid: device.Dim3{X: (n + threads - 1) / threads, Y: 1, Z: 1}, Block: device.Dim3{X: threads, Y: 1, Z: 1}}
}

// reduceBlocks is the geometry of a reduction over n blocks of reduceThreads.
func reduceBlocks(n int) device.LaunchGeom {
	return device.LaunchGeom{Grid: device.Dim3{X: n, Y: 1, Z: 1}, Block: device.Dim3{X: reduceThreads, Y: 1, Z: 1}}
}

// colSums is the geometry of sum_rows over cols columns: blocks of sumRowsCols
// columns by sumRowsLanes row lanes.
func colSums(cols int) device.LaunchGeom {
	if cols == 0 {
		return device.LaunchGeom{}
	}
	return device.LaunchGeom{Grid: device.Dim3{X: (cols + sumRowsCols - 1) / sumRowsCols, Y: 1, Z: 1}, Block: device.Dim3{X: sumRowsCols, Y: sumRowsLanes, Z: 1}}
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
func (q *queue) htod(dst device.Ptr, src []byte) {
	if q.err == nil {
		q.err = q.be.dev.HtoD(dst, src)
	}
}

// dtod copies bytes from src to dst on the device.
func (q *queue) dtod(dst, src device.Ptr, bytes int) {
	if q.err == nil {
		q.err = q.be.dev.DtoD(dst, src, bytes)
	}
}

// copyOrZero copies bytes from src to dst, or zeroes dst when src is 0 (a tensor
// the caller left out).
func (q *queue) copyOrZero(dst, src device.Ptr, bytes int) {
	if q.err != nil {
		return
	}
	if src != 0 {
		q.err = q.be.dev.DtoD(dst, src, bytes)
	} else {
		q.err = q.be.dev.MemsetZero(dst, bytes)
	}
}

// gemm is Backend.rowGemm: the row-major C = alpha·op(A)·op(B) + beta·C.
func (q *queue) gemm(transA, transB bool, m, n, k int, alpha float64, a device.Ptr, lda int, b device.Ptr, ldb int, beta float64, c device.Ptr, ldc int) {
	if q.err == nil {
		q.err = q.be.rowGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// fork opens stream 1 beside stream 0 (see device.Device.Fork); join closes it.
func (q *queue) fork() {
	if q.err == nil {
		q.err = q.be.dev.Fork()
		q.forked = q.err == nil
	}
}

// setStream queues the work that follows on stream (0 or 1).
func (q *queue) setStream(stream int) {
	if q.err == nil {
		q.be.dev.SetStream(stream)
	}
}

// join makes stream 0 current and, when a fork is open, joins it: even after an
// error, so that no work is left on stream 1 that stream 0 does not wait for (and a
// capture stays whole).
func (q *queue) join() {
	q.be.dev.SetStream(0)
	if !q.forked {
		return
	}
	q.forked = false
	if err := q.be.dev.Join(); q.err == nil {
		q.err = err
	}
}

// launch runs kernel k over lg with args, one 8-byte slot per parameter; the
// typed launch methods of kernels_gen.go call it.
func (q *queue) launch(k device.Kernel, lg device.LaunchGeom, args ...uint64) {
	if q.err == nil && lg != (device.LaunchGeom{}) {
		q.err = q.be.dev.Launch(k, lg, args)
	}
}

// typed returns the entry point of a template kernel for the backend's dtype.
func (q *queue) typed(f32, f64 device.Kernel) device.Kernel {
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
func (be *Backend) rowGemm(transA, transB bool, m, n, k int, alpha float64, a device.Ptr, lda int, b device.Ptr, ldb int, beta float64, c device.Ptr, ldc int) error {
	if m == 0 || n == 0 {
		return nil
	}
	return be.dev.GEMM(be.dtype == gru.Float64, transB, transA, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc)
}
