package cpu

import "sync"

// gemmTask is one GEMM whose output columns the pool splits across goroutines: each
// part computes C[:, lo:hi] = alpha·A·op(B)[:, lo:hi] + beta·C[:, lo:hi] on one BLAS
// thread. It is reused step after step, so splitting allocates nothing.
type gemmTask[T Float] struct {
	wg             sync.WaitGroup
	transA, transB bool
	m, k           int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int
}

func (g *gemmTask[T]) done() *sync.WaitGroup { return &g.wg }

func (g *gemmTask[T]) runRange(lo, hi int) {
	b := g.b[lo:] // columns lo… of B
	if g.transB {
		b = g.b[lo*g.ldb:] // op(B) = Bᵀ: its columns are B's rows
	}
	gemm(g.transA, g.transB, g.m, hi-lo, g.k, g.alpha, g.a, g.lda, b, g.ldb, g.beta, g.c[lo:], g.ldc)
}

// parGemm computes C = alpha·op(A)·op(B) + beta·C (C m×n, inner k) with C's
// columns split across the pool's goroutines, each on one BLAS thread. All of the
// stack's GEMMs go through it: Go's workers own the parallelism, so OpenBLAS runs
// single-threaded and its idle threads never spin against the pointwise passes
// (measured: see BENCHMARKS.md).
func (s *stack[T]) parGemm(g *gemmTask[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	g.transA, g.transB, g.m, g.k, g.alpha, g.beta = transA, transB, m, k, alpha, beta
	g.a, g.b, g.c, g.lda, g.ldb, g.ldc = a, b, c, lda, ldb, ldc
	s.be.pool.run(g, n, m*k/16)
}
