package cpu

// backwardStep holds the operands of one step's fused backward passes for one cell,
// run in reverse step order; the cell sets them before each step. Layouts beyond
// stepRows':
//
//	dy       [B,·]   gradient w.r.t. this step's output rows, stride yStride
//	dGx, dGh [B,3H]  gradients w.r.t. the input and recurrent pre-activations
//	dh       [B,H]   running gradient w.r.t. the state
//	drh      [B,H]   gradient w.r.t. R⊙H (ResetBefore)
type backwardStep[T Float] struct {
	stepRows[T]
	dy, dGx, dGh, dh, drh []T
}

// zeroGrads zeroes a padded step's pre-activation gradients; the state gradient
// passes through unchanged and the padded output's gradient is ignored.
func (k *backwardStep[T]) zeroGrads(b int) {
	H := k.H
	clear(k.dGx[b*3*H : (b+1)*3*H])
	clear(k.dGh[b*3*H : (b+1)*3*H])
}

// updateCandidateGrads returns, for one unit with d = dH' + dy, the gradients of
// the update and candidate pre-activations that both variants share:
// da_z = d(H − n)z(1−z) and da_n = d(1−z)(1−n²).
func updateCandidateGrads[T Float](d, h, z, n T) (daz, dan T) {
	return d * (h - n) * z * (1 - z), d * (1 - z) * (1 - n*n)
}

// gruBwdAfter is gru_bwd_after, the ResetAfter step, with d = dH' + dy:
//
//	da_z = d⊙(H − n)⊙z(1−z), da_n = d⊙(1−z)⊙(1−n²), da_r = da_n⊙hn⊙r(1−r),
//	dGx = [da_r, da_z, da_n], dGh = [da_r, da_z, da_n⊙r], dH = d⊙z (+ dGh·W_hᵀ by GEMM).
type gruBwdAfter[T Float] struct{ *backwardStep[T] }

func (k gruBwdAfter[T]) runRange(lo, hi int) {
	H := k.H
	for b := lo; b < hi; b++ {
		if k.padded(b) {
			k.zeroGrads(b)
			continue
		}
		g := k.gates[b*4*H : (b+1)*4*H]
		dgx, dgh := k.dGx[b*3*H:(b+1)*3*H], k.dGh[b*3*H:(b+1)*3*H]
		hp, dh, dy := k.hPrev[b*H:(b+1)*H], k.dh[b*H:(b+1)*H], k.dy[b*k.yStride:b*k.yStride+H]
		for j := range H {
			r, z, n, hn := g[j], g[H+j], g[2*H+j], g[3*H+j]
			d := dh[j] + dy[j]
			daz, dan := updateCandidateGrads(d, hp[j], z, n)
			dar := dan * hn * r * (1 - r)
			dgx[j], dgx[H+j], dgx[2*H+j] = dar, daz, dan
			dgh[j], dgh[H+j], dgh[2*H+j] = dar, daz, dan*r
			dh[j] = d * z
		}
	}
}

// gruBwdBefore1 is gru_bwd_before1, the ResetBefore step's first pass, with
// d = dH' + dy: da_z = d⊙(H − n)⊙z(1−z), da_n = d⊙(1−z)⊙(1−n²); both go to dGx and
// dGh, and d is kept in dh for the second pass.
type gruBwdBefore1[T Float] struct{ *backwardStep[T] }

func (k gruBwdBefore1[T]) runRange(lo, hi int) {
	H := k.H
	for b := lo; b < hi; b++ {
		if k.padded(b) {
			k.zeroGrads(b)
			continue
		}
		g := k.gates[b*4*H : (b+1)*4*H]
		dgx, dgh := k.dGx[b*3*H:(b+1)*3*H], k.dGh[b*3*H:(b+1)*3*H]
		hp, dh, dy := k.hPrev[b*H:(b+1)*H], k.dh[b*H:(b+1)*H], k.dy[b*k.yStride:b*k.yStride+H]
		for j := range H {
			d := dh[j] + dy[j]
			daz, dan := updateCandidateGrads(d, hp[j], g[H+j], g[2*H+j])
			dgx[H+j], dgx[2*H+j] = daz, dan
			dgh[H+j], dgh[2*H+j] = daz, dan
			dh[j] = d
		}
	}
}

// gruBwdBefore2 is gru_bwd_before2, the ResetBefore step's second pass, with
// drh = da_n·W_hnᵀ: da_r = drh⊙H⊙r(1−r), dH = d⊙z + drh⊙r
// (+ [da_r, da_z]·[W_hr, W_hz]ᵀ by GEMM). A padded step changes nothing.
type gruBwdBefore2[T Float] struct{ *backwardStep[T] }

func (k gruBwdBefore2[T]) runRange(lo, hi int) {
	H := k.H
	for b := lo; b < hi; b++ {
		if k.padded(b) {
			continue
		}
		g := k.gates[b*4*H : (b+1)*4*H]
		dgx, dgh := k.dGx[b*3*H:(b+1)*3*H], k.dGh[b*3*H:(b+1)*3*H]
		hp, dh, drh := k.hPrev[b*H:(b+1)*H], k.dh[b*H:(b+1)*H], k.drh[b*H:(b+1)*H]
		for j := range H {
			r, z := g[j], g[H+j]
			dar := drh[j] * hp[j] * r * (1 - r)
			dgx[j], dgh[j] = dar, dar
			dh[j] = dh[j]*z + drh[j]*r
		}
	}
}
