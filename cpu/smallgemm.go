package cpu

import (
	"sync"
	"unsafe"
)

// The recurrent product of a small batch, H·W_h with B ≤ packedMaxBatch rows, is
// too small for a BLAS to amortise its packing: OpenBLAS packed all of W_h again at
// every time step (3/4 of D2L's forward time was its GEMMs at a quarter of the
// core's peak). In float32 on a CPU with AVX2 and FMA, the forward pass packs W_h
// once per sequence into 24-column panels (packB32) and runs each step's product
// from them (gemmPacked32, smallgemm_cgo.go), with the columns split across the
// pool's workers as parGemm splits them.

// packedMaxBatch is the largest batch that takes the packed path; larger ones keep
// the BLAS, whose packing is then paid for by the rows.
const packedMaxBatch = 64

// packedLen is the length of k×n packed into 24-column panels.
func packedLen(k, n int) int { return (n + 23) / 24 * 24 * k }

// usePacked reports whether a stack of element type T and batch b runs its
// recurrent products from packed W_h.
func usePacked[T Float](b int) bool {
	var zero T
	return havePackedGemm && unsafe.Sizeof(zero) == 4 && b <= packedMaxBatch
}

// packedTask is one step's C[:, cols] = A·B[:, cols] from packed B, split by columns.
type packedTask struct {
	wg       sync.WaitGroup
	m, k     int
	a, p, c  []float32
	lda, ldc int
}

func (g *packedTask) done() *sync.WaitGroup { return &g.wg }

func (g *packedTask) runRange(lo, hi int) {
	gemmPacked32(g.m, lo, hi, g.k, g.a, g.lda, g.p, g.c, g.ldc)
}

// packedGemm computes C = A·B (C m×n, inner k) from B packed by packB32, with C's
// columns split across the pool's goroutines.
func (s *stack[T]) packedGemm(g *packedTask, m, n, k int, a []T, lda int, p []float32, c []T, ldc int) {
	g.m, g.k, g.a, g.lda, g.p, g.c, g.ldc = m, k, f32(a), lda, p, f32(c), ldc
	s.be.pool.run(g, n, m*k/16)
}
