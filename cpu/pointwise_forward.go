package cpu

// forwardStep holds the operands of one step's fused forward passes for one cell;
// the cell sets them before each step. Layouts beyond stepRows':
//
//	xp      [B,3H]  X·W_x + b_x for this time step
//	hh      [B,3H]  recurrent GEMM output
//	bh      [3H]    recurrent bias
//	hNext   [B,H]   state after the step
//	y       [B,·]   output rows at this direction's column offset, stride yStride
type forwardStep[T Float] struct {
	stepRows[T]
	bh, xp, hh, hNext, y []T
}

// carry handles a step past a sequence's length: the state passes through unchanged
// and the output is zero.
func (k *forwardStep[T]) carry(b int) {
	H := k.H
	copy(k.hNext[b*H:(b+1)*H], k.hPrev[b*H:(b+1)*H])
	clear(k.y[b*k.yStride : b*k.yStride+H])
}

// resetUpdate computes row b's r = σ(xp_r + hh_r + bh_r) and z = σ(xp_z + hh_z + bh_z)
// into the first 2H entries of its gates row, which it returns: the passes compute
// each gate where it is saved.
func (k *forwardStep[T]) resetUpdate(b int) (g []T) {
	H := k.H
	xp, hh, g := k.xp[b*3*H:(b+1)*3*H], k.hh[b*3*H:(b+1)*3*H], k.gates[b*4*H:(b+1)*4*H]
	sum3SigmoidRow(g[:2*H], xp, hh, k.bh)
	return g
}

// nextState writes row b's H' = z⊙H + (1−z)⊙n, with z and n from its gates row, to
// the next state and the output.
func (k *forwardStep[T]) nextState(b int) {
	H := k.H
	g := k.gates[b*4*H : (b+1)*4*H]
	hp, hn, y := k.hPrev[b*H:(b+1)*H], k.hNext[b*H:(b+1)*H], k.y[b*k.yStride:b*k.yStride+H]
	blendRow(hn, y, g[H:2*H], hp, g[2*H:3*H])
}

// gruFwdAfter is gru_fwd_after, the ResetAfter step:
// r = σ(xp_r + hh_r + bh_r), z = σ(xp_z + hh_z + bh_z), hn = hh_n + bh_n,
// n = tanh(xp_n + r⊙hn), H' = z⊙H + (1−z)⊙n; it saves r, z, n and hn.
type gruFwdAfter[T Float] struct{ *forwardStep[T] }

func (k gruFwdAfter[T]) runRange(lo, hi int) {
	H := k.H
	for b := lo; b < hi; b++ {
		if k.padded(b) {
			k.carry(b)
			continue
		}
		g := k.resetUpdate(b)
		xp, hh := k.xp[b*3*H:(b+1)*3*H], k.hh[b*3*H:(b+1)*3*H]
		afterCandidateRow(g[2*H:3*H], g[3*H:], xp[2*H:], g[:H], hh[2*H:], k.bh[2*H:]) // n, hn
		k.nextState(b)
	}
}

// gruFwdBefore1 is gru_fwd_before1, the ResetBefore step's first pass, before the
// (R⊙H)·W_hn GEMM: r = σ(xp_r + hh_r + bh_r), z = σ(xp_z + hh_z + bh_z); it saves
// r, z and R⊙H (all zero past a sequence's length, so the GEMM reads defined values).
type gruFwdBefore1[T Float] struct{ *forwardStep[T] }

func (k gruFwdBefore1[T]) runRange(lo, hi int) {
	H := k.H
	for b := lo; b < hi; b++ {
		g := k.gates[b*4*H : (b+1)*4*H]
		if k.padded(b) {
			clear(g)
			continue
		}
		k.resetUpdate(b)                             // r | z
		mulRow(g[3*H:], g[:H], k.hPrev[b*H:(b+1)*H]) // R⊙H
	}
}

// gruFwdBefore2 is gru_fwd_before2, the ResetBefore step's second pass, with
// hh_n = (R⊙H)·W_hn: n = tanh(xp_n + hh_n + bh_n), H' = z⊙H + (1−z)⊙n; it saves n.
type gruFwdBefore2[T Float] struct{ *forwardStep[T] }

func (k gruFwdBefore2[T]) runRange(lo, hi int) {
	H := k.H
	for b := lo; b < hi; b++ {
		if k.padded(b) {
			k.carry(b)
			continue
		}
		xp, hh, g := k.xp[b*3*H+2*H:(b+1)*3*H], k.hh[b*3*H+2*H:(b+1)*3*H], k.gates[b*4*H:(b+1)*4*H]
		sum3TanhRow(g[2*H:3*H], xp, hh, k.bh[2*H:])
		k.nextState(b)
	}
}
