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
	if !tileGemm {
		g.tile(0, g.m, lo, hi)
		return
	}
	// gonum's Go kernels start goroutines (and allocate) for any call spanning four
	// or more 64×64 blocks of C; tiles of at most 64 rows × 192 columns stay serial.
	for i := 0; i < g.m; i += 64 {
		for j := lo; j < hi; j += 192 {
			g.tile(i, min(i+64, g.m), j, min(j+192, hi))
		}
	}
}

// tile computes rows [i0, i1) and columns [j0, j1) of C.
func (g *gemmTask[T]) tile(i0, i1, j0, j1 int) {
	var a, b []T
	if g.transA {
		a = g.a[i0:] // op(A) = Aᵀ: its rows are A's columns
	} else {
		a = g.a[i0*g.lda:] // rows i0… of A
	}
	if g.transB {
		b = g.b[j0*g.ldb:] // op(B) = Bᵀ: its columns are B's rows
	} else {
		b = g.b[j0:] // columns j0… of B
	}
	gemm(g.transA, g.transB, i1-i0, j1-j0, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, g.c[i0*g.ldc+j0:], g.ldc)
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
