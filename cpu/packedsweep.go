package cpu

import (
	"sync"

	"github.com/gogru/gogru/gru"
)

// A batch's rows are independent recurrences: row b of a step's recurrent product
// H·W_h reads only row b of H, and the pointwise passes work row by row. With W_h
// packed (smallgemm.go) nothing else ties the rows together, so the packed forward
// splits the batch's rows across the pool once for the whole sequence, and each part
// runs every step of its rows: its products, then its pointwise passes. Splitting
// each step instead handed work over two (ResetAfter) or four (ResetBefore) times a
// step, for parts of a few to tens of microseconds, and most of those hand-offs put
// an OS thread to sleep and woke it again (BENCHMARKS.md, "The bimodal small
// forward: cause"). The arithmetic of every element is the one of the per-step path,
// so the results are bit-identical.

// sweepMinBatch is the smallest batch whose packed forward and backward run as
// row sweeps; smaller ones keep the per-step column split, having too few rows to
// share.
var sweepMinBatch = 8

// rowSweeps reports whether the cells of direction scratch w run as row sweeps,
// forward and backward: on the packed path, with batch rows enough to share.
func (s *stack[T]) rowSweeps(w *dirWork[T]) bool {
	return w.whp != nil && s.ws.batch >= sweepMinBatch
}

// sweepBlocks is how many row blocks a batch of b rows splits into.
func sweepBlocks(b int) int { return (b + sweepRows - 1) / sweepRows }

// sweepRows is how many batch rows the sweep hands out as one unit: the packed
// kernel's row block, so that a part's rows fall on the kernel's blocks as the
// whole batch's do.
const sweepRows = 4

// sweepPart is what the forward and backward sweeps share: the pool's count, the
// stack, and the cell and direction they run.
type sweepPart[T Float] struct {
	wg      sync.WaitGroup
	s       *stack[T]
	cell, d int
}

func (p *sweepPart[T]) done() *sync.WaitGroup { return &p.wg }

// part returns the stack, its hidden size, the direction's scratch and the batch
// rows [r0, r1) of row blocks [lo, hi).
func (p *sweepPart[T]) part(lo, hi int) (s *stack[T], H int, w *dirWork[T], r0, r1 int) {
	s = p.s
	return s, s.cfg.HiddenSize, &s.ws.dirs[p.d], lo * sweepRows, min(hi*sweepRows, s.ws.batch)
}

// runSweep runs t, a forward or backward sweep, over the batch's row blocks on
// the pool.
func (s *stack[T]) runSweep(t rangeTask) {
	H := s.cfg.HiddenSize
	blocks := sweepBlocks(s.ws.batch)
	// A block's work over the sequence, in the units parGemm counts (multiply-adds/16).
	s.be.pool.run(t, blocks, s.ws.steps*sweepRows*3*H*H/16)
}

// sweepTask is a packed forward sweep of one cell over row blocks [lo, hi).
type sweepTask[T Float] struct {
	sweepPart[T]
	out []T
}

func (p *sweepTask[T]) runRange(lo, hi int) {
	s, H, w, r0, r1 := p.part(lo, hi)
	m := r1 - r0
	k := &w.sweepSteps[lo] // each part owns the operands at its first block
	s.initStep(k, p.cell, p.d)
	hh := f32(w.hh[r0*3*H:])
	for step := range s.ws.steps {
		s.setStep(k, p.cell, p.d, step, p.out)
		if s.cfg.Variant == gru.ResetAfter {
			gemmPacked32(m, 0, 3*H, H, f32(k.hPrev[r0*H:]), H, w.whp, hh, 3*H)
			gruFwdAfter[T]{k}.runRange(r0, r1)
			continue
		}
		gemmPacked32(m, 0, 2*H, H, f32(k.hPrev[r0*H:]), H, w.whp, hh, 3*H)
		gruFwdBefore1[T]{k}.runRange(r0, r1)
		gemmPacked32(m, 0, H, H, f32(k.gates[r0*4*H+3*H:]), 4*H, w.whp2, hh[2*H:], 3*H)
		gruFwdBefore2[T]{k}.runRange(r0, r1)
	}
}

// packedSweep runs cell (direction d) forward over every step from packed W_h, its
// batch rows split across the pool for the whole sequence.
func (s *stack[T]) packedSweep(cell, d int, out []T) {
	p := &s.ws.dirs[d].sweep
	p.s, p.cell, p.d, p.out = s, cell, d, out
	s.runSweep(p)
}
