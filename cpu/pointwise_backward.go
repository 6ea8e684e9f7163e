package cpu

// backwardStep holds the operands of one step's fused backward passes for one cell,
// run in reverse step order; the cell sets them before each step. Layouts beyond
// stepRows':
//
//	dy       [B,·]   gradient w.r.t. this step's output rows, stride yStride
//	dGx, dGh [B,3H]  gradients w.r.t. the input and recurrent pre-activations
//	dh       [B,H]   running gradient w.r.t. the state
//	drh      [B,H]   gradient w.r.t. R⊙H (ResetBefore)
//
// With shared set, dGh is dGx (ResetBefore's forward direction, see dGhIsDGx) and
// the passes write it once.
type backwardStep[T Float] struct {
	stepRows[T]
	dy, dGx, dGh, dh, drh []T
	shared                bool
}

// zeroGrads zeroes a padded step's pre-activation gradients; the state gradient
// passes through unchanged and the padded output's gradient is ignored.
func (k *backwardStep[T]) zeroGrads(b int) {
	H := k.H
	clear(k.dGx[b*3*H : (b+1)*3*H])
	if !k.shared {
		clear(k.dGh[b*3*H : (b+1)*3*H])
	}
}

// copyGrads copies columns [lo, hi) of row b's dGx to its dGh, unless they are one
// buffer: ResetBefore's two gradients are equal.
func (k *backwardStep[T]) copyGrads(b, lo, hi int) {
	if !k.shared {
		row := b * 3 * k.H
		copy(k.dGh[row+lo:row+hi], k.dGx[row+lo:row+hi])
	}
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
		bwdAfterRow(k.dGx[b*3*H:(b+1)*3*H], k.dGh[b*3*H:(b+1)*3*H], k.dh[b*H:(b+1)*H],
			k.gates[b*4*H:(b+1)*4*H], k.hPrev[b*H:(b+1)*H], k.dy[b*k.yStride:b*k.yStride+H])
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
		bwdBefore1Row(k.dGx[b*3*H:(b+1)*3*H], k.dh[b*H:(b+1)*H],
			k.gates[b*4*H:(b+1)*4*H], k.hPrev[b*H:(b+1)*H], k.dy[b*k.yStride:b*k.yStride+H])
		k.copyGrads(b, H, 3*H)
	}
}

// gruBwdBefore2 is gru_bwd_before2, the ResetBefore step's second pass, with
// drh = da_n·W_hnᵀ: da_r = drh⊙H⊙r(1−r) to dGx and dGh, dH = d⊙z + drh⊙r
// (+ [da_r, da_z]·[W_hr, W_hz]ᵀ by GEMM). A padded step changes nothing.
type gruBwdBefore2[T Float] struct{ *backwardStep[T] }

func (k gruBwdBefore2[T]) runRange(lo, hi int) {
	H := k.H
	for b := lo; b < hi; b++ {
		if k.padded(b) {
			continue
		}
		bwdBefore2Row(k.dGx[b*3*H:(b+1)*3*H], k.dh[b*H:(b+1)*H],
			k.gates[b*4*H:(b+1)*4*H], k.hPrev[b*H:(b+1)*H], k.drh[b*H:(b+1)*H])
		k.copyGrads(b, 0, H)
	}
}
