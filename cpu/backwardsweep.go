package cpu

import "github.com/gogru/gogru/gru"

// The backward recurrence is row by row too: row b of the state gradient that
// step t hands to step t−1 is row b's pointwise part plus row b of dG·W_hᵀ, and
// reads no other row. So where the forward ran as a row sweep (packedsweep.go), the
// backward does as well: W_hᵀ is packed once per cell and Backward, the batch's rows
// are split across the pool once, and each part runs every step of its rows in
// reverse, its passes and then its products. Splitting each step instead handed
// work over two (ResetAfter) or four (ResetBefore) times a step. The passes'
// arithmetic is the per-step path's; the products are the packed kernel's, each
// element dH + (its chain of FMAs), so they differ from the BLAS's rounding (which
// the per-step path keeps) in the last bits.

// bwdSweepTask is the packed backward sweep of one cell over row blocks [lo, hi).
type bwdSweepTask[T Float] struct {
	sweepPart[T]
	dY []T
}

func (p *bwdSweepTask[T]) runRange(lo, hi int) {
	s, H, w, r0, r1 := p.part(lo, hi)
	m := r1 - r0
	k := &w.bwdSteps[lo] // each part owns the operands at its first block
	s.initBackwardStep(k, p.d)
	for step := s.ws.steps - 1; step >= 0; step-- {
		s.setBackwardStep(k, p.cell, p.d, step, p.dY)
		dGh, dh := f32(k.dGh[r0*3*H:]), f32(k.dh[r0*H:])
		if s.cfg.Variant == gru.ResetAfter {
			gruBwdAfter[T]{k}.runRange(r0, r1)
			gemmPackedAdd32(m, 0, H, 3*H, dGh, 3*H, w.whtp, dh, H) // dH += dGh·W_hᵀ
			continue
		}
		gruBwdBefore1[T]{k}.runRange(r0, r1)
		gemmPacked32(m, 0, H, H, dGh[2*H:], 3*H, w.whtp2, f32(k.drh[r0*H:]), H) // d(R⊙H) = da_n·W_hnᵀ
		gruBwdBefore2[T]{k}.runRange(r0, r1)
		gemmPackedAdd32(m, 0, H, 2*H, dGh, 3*H, w.whtp, dh, H) // dH += [da_r da_z]·[W_hr W_hz]ᵀ
	}
}

// packRecurrentT packs W_hᵀ for the backward sweep: all of it for ResetAfter; for
// ResetBefore [W_hr W_hz]ᵀ into whtp and W_hnᵀ into whtp2, as the products that
// read them have different left operands.
func (s *stack[T]) packRecurrentT(w *dirWork[T], wh []T) {
	H := s.cfg.HiddenSize
	if s.cfg.Variant == gru.ResetAfter {
		packBT32(w.whtp, f32(wh), 3*H, 3*H, H)
		return
	}
	packBT32(w.whtp, f32(wh), 3*H, 2*H, H)
	packBT32(w.whtp2, f32(wh[2*H:]), 3*H, H, H)
}

// backwardSweep runs cell (direction d) backward over every step from packed W_hᵀ,
// its batch rows split across the pool for the whole sequence.
func (s *stack[T]) backwardSweep(cell, d int, dY []T) {
	p := &s.ws.dirs[d].bwdSweep
	p.s, p.cell, p.d, p.dY = s, cell, d, dY
	s.runSweep(p)
}
