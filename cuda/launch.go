package cuda

import "github.com/gogru/gogru/gru"

// Launch geometry, matching kernels/common.cuh.
const (
	threads     = 256 // GOGRU_THREADS: block size of the 1-D elementwise kernels
	reduceBlock = 256 // GOGRU_REDUCE: block size of the reductions
	sumRowsTX   = 32  // SUM_ROWS_TX
	sumRowsTY   = 8   // SUM_ROWS_TY
)

// queue is a sequence of device work (kernel launches, GEMMs, copies) with a
// sticky error, after bufio.Writer: each operation records the first error, the
// operations after a failure do nothing, and the caller checks Err once at the
// end. Work already queued on the device before the failure is not undone.
type queue struct {
	be  *Backend
	err error
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

// elementwise launches kernel (with the dtype suffix) over n elements.
func (q *queue) elementwise(kernel string, n int, args ...uint64) {
	if q.err == nil {
		q.err = q.be.elementwise(kernel, n, args...)
	}
}

// sumRows launches the deterministic column sum dst = beta·dst + Σ_r src[r, :].
func (q *queue) sumRows(dst, src ptr, rows, cols int, beta float64) {
	if q.err == nil {
		q.err = q.be.sumRows(dst, src, rows, cols, beta)
	}
}

// elementwise launches kernel (with the dtype suffix) over n elements, one thread
// each, in blocks of 256.
func (be *Backend) elementwise(kernel string, n int, args ...uint64) error {
	if n == 0 {
		return nil
	}
	return be.dev.launch(kernel+be.suffix(), dim3{(n + threads - 1) / threads, 1, 1}, dim3{threads, 1, 1}, args)
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

// sumRows launches the deterministic column sum dst = beta·dst + Σ_r src[r, :].
func (be *Backend) sumRows(dst, src ptr, rows, cols int, beta float64) error {
	if cols == 0 {
		return nil
	}
	return be.dev.launch("sum_rows"+be.suffix(), dim3{(cols + sumRowsTX - 1) / sumRowsTX, 1, 1}, dim3{sumRowsTX, sumRowsTY, 1},
		[]uint64{argInt(rows), argInt(cols), argPtr(src), argPtr(dst), be.argT(beta)})
}
