package cpu

import "sync"

// phase selects which fused elementwise pass a pointwise runs.
type phase int

const (
	fwdResetAfter   phase = iota // r, z, hn, n and H' in one pass
	fwdResetBefore1              // r, z and R⊙H (before the (R⊙H)·W_hn GEMM)
	fwdResetBefore2              // n and H'
	bwdResetAfter                // all gate gradients in one pass
	bwdResetBefore1              // dz, dn (before the dn·W_hnᵀ GEMM)
	bwdResetBefore2              // dr and the elementwise part of dH
)

// pointwise holds the operands of one step's fused elementwise pass for one cell.
// The fields are set before each step; runRange processes batch rows [lo, hi).
//
// Layouts (H hidden, rows are batch entries):
//
//	xp    [B,3H]  X·W_x + b_x for this time step      hh  [B,3H]  recurrent GEMM output
//	gates [B,4H]  saved r | z | n | hn (ResetAfter) or R⊙H (ResetBefore)
//	hPrev [B,H]   state before the step               hNext [B,H] state after it
//	y     [B,·]   output rows at column offset, stride yStride
//	dGx, dGh [B,3H] gradients w.r.t. the input and recurrent pre-activations
//	dh    [B,H]   running gradient w.r.t. the state   drh [B,H] gradient w.r.t. R⊙H
type pointwise[T Float] struct {
	wg    sync.WaitGroup
	phase phase
	H     int
	t     int   // time index of this step
	lens  []int // valid length of each sequence
	bh    []T   // recurrent bias [3H]

	xp, hh, gates, hPrev, hNext []T
	scratch                     []T // [B,3H] pre-activations, a row per batch entry
	y                           []T // forward output, or backward dy
	yStride                     int
	dGx, dGh, dh, drh           []T
}

func (k *pointwise[T]) done() *sync.WaitGroup { return &k.wg }

func (k *pointwise[T]) runRange(lo, hi int) {
	for b := lo; b < hi; b++ {
		valid := k.t < k.lens[b]
		switch k.phase {
		case fwdResetAfter:
			k.forwardAfter(b, valid)
		case fwdResetBefore1:
			k.forwardBefore1(b, valid)
		case fwdResetBefore2:
			k.forwardBefore2(b, valid)
		case bwdResetAfter:
			k.backwardAfter(b, valid)
		case bwdResetBefore1:
			k.backwardBefore1(b, valid)
		case bwdResetBefore2:
			k.backwardBefore2(b, valid)
		}
	}
}

// carry handles a step past a sequence's length: the state passes through unchanged
// and the output is zero.
func (k *pointwise[T]) carry(b int) {
	H := k.H
	copy(k.hNext[b*H:(b+1)*H], k.hPrev[b*H:(b+1)*H])
	clear(k.y[b*k.yStride : b*k.yStride+H])
}

// forwardAfter: r = σ(xp_r + hh_r + bh_r), z = σ(xp_z + hh_z + bh_z),
// hn = hh_n + bh_n, n = tanh(xp_n + r⊙hn), H' = z⊙H + (1−z)⊙n.
func (k *pointwise[T]) forwardAfter(b int, valid bool) {
	if !valid {
		k.carry(b)
		return
	}
	H := k.H
	xp, hh, s := k.xp[b*3*H:(b+1)*3*H], k.hh[b*3*H:(b+1)*3*H], k.scratch[b*3*H:(b+1)*3*H]
	g := k.gates[b*4*H : (b+1)*4*H]
	hp, hn, y := k.hPrev[b*H:(b+1)*H], k.hNext[b*H:(b+1)*H], k.y[b*k.yStride:b*k.yStride+H]
	bh := k.bh
	for j := range 2 * H {
		s[j] = xp[j] + hh[j] + bh[j]
	}
	sigmoidRow(s[:2*H]) // r | z
	for j := range H {
		hnj := hh[2*H+j] + bh[2*H+j]
		g[3*H+j] = hnj
		s[2*H+j] = xp[2*H+j] + s[j]*hnj
	}
	tanhRow(s[2*H:]) // n
	for j := range H {
		r, z, n := s[j], s[H+j], s[2*H+j]
		h := z*hp[j] + (1-z)*n
		g[j], g[H+j], g[2*H+j] = r, z, n
		hn[j], y[j] = h, h
	}
}

// forwardBefore1: r = σ(xp_r + hh_r + bh_r), z = σ(xp_z + hh_z + bh_z), saves R⊙H
// (zero past a sequence's length, so the following GEMM reads defined values).
func (k *pointwise[T]) forwardBefore1(b int, valid bool) {
	H := k.H
	g := k.gates[b*4*H : (b+1)*4*H]
	if !valid {
		clear(g)
		return
	}
	xp, hh, s := k.xp[b*3*H:(b+1)*3*H], k.hh[b*3*H:(b+1)*3*H], k.scratch[b*3*H:(b+1)*3*H]
	hp := k.hPrev[b*H : (b+1)*H]
	bh := k.bh
	for j := range 2 * H {
		s[j] = xp[j] + hh[j] + bh[j]
	}
	sigmoidRow(s[:2*H]) // r | z
	copy(g[:2*H], s[:2*H])
	for j := range H {
		g[3*H+j] = s[j] * hp[j]
	}
}

// forwardBefore2: n = tanh(xp_n + hh_n + bh_n) where hh_n = (R⊙H)·W_hn,
// H' = z⊙H + (1−z)⊙n.
func (k *pointwise[T]) forwardBefore2(b int, valid bool) {
	if !valid {
		k.carry(b)
		return
	}
	H := k.H
	xp, hh, s := k.xp[b*3*H:(b+1)*3*H], k.hh[b*3*H:(b+1)*3*H], k.scratch[b*3*H:(b+1)*3*H]
	g := k.gates[b*4*H : (b+1)*4*H]
	hp, hn, y := k.hPrev[b*H:(b+1)*H], k.hNext[b*H:(b+1)*H], k.y[b*k.yStride:b*k.yStride+H]
	bh := k.bh
	n := s[2*H:]
	for j := range H {
		n[j] = xp[2*H+j] + hh[2*H+j] + bh[2*H+j]
	}
	tanhRow(n)
	for j := range H {
		z := g[H+j]
		h := z*hp[j] + (1-z)*n[j]
		g[2*H+j] = n[j]
		hn[j], y[j] = h, h
	}
}

// skip zeroes a padded step's pre-activation gradients; the state gradient passes
// through unchanged and the padded output's gradient is ignored.
func (k *pointwise[T]) skip(b int) {
	H := k.H
	clear(k.dGx[b*3*H : (b+1)*3*H])
	clear(k.dGh[b*3*H : (b+1)*3*H])
}

// backwardAfter, with d = dH' + dy:
//
//	dz = d⊙(H − n), da_z = dz⊙z(1−z), da_n = d⊙(1−z)⊙(1−n²),
//	da_r = da_n⊙hn⊙r(1−r),
//	dGx = [da_r, da_z, da_n], dGh = [da_r, da_z, da_n⊙r], dH = d⊙z (+ dGh·W_hᵀ by GEMM).
func (k *pointwise[T]) backwardAfter(b int, valid bool) {
	if !valid {
		k.skip(b)
		return
	}
	H := k.H
	g := k.gates[b*4*H : (b+1)*4*H]
	dgx, dgh := k.dGx[b*3*H:(b+1)*3*H], k.dGh[b*3*H:(b+1)*3*H]
	hp, dh, dy := k.hPrev[b*H:(b+1)*H], k.dh[b*H:(b+1)*H], k.y[b*k.yStride:b*k.yStride+H]
	for j := range H {
		r, z, n, hn := g[j], g[H+j], g[2*H+j], g[3*H+j]
		d := dh[j] + dy[j]
		daz := d * (hp[j] - n) * z * (1 - z)
		dan := d * (1 - z) * (1 - n*n)
		dar := dan * hn * r * (1 - r)
		dgx[j], dgx[H+j], dgx[2*H+j] = dar, daz, dan
		dgh[j], dgh[H+j], dgh[2*H+j] = dar, daz, dan*r
		dh[j] = d * z
	}
}

// backwardBefore1, with d = dH' + dy: da_z = d⊙(H − n)⊙z(1−z), da_n = d⊙(1−z)⊙(1−n²);
// both go to dGx and dGh, and d is kept in dh for the second pass.
func (k *pointwise[T]) backwardBefore1(b int, valid bool) {
	if !valid {
		k.skip(b)
		return
	}
	H := k.H
	g := k.gates[b*4*H : (b+1)*4*H]
	dgx, dgh := k.dGx[b*3*H:(b+1)*3*H], k.dGh[b*3*H:(b+1)*3*H]
	hp, dh, dy := k.hPrev[b*H:(b+1)*H], k.dh[b*H:(b+1)*H], k.y[b*k.yStride:b*k.yStride+H]
	for j := range H {
		z, n := g[H+j], g[2*H+j]
		d := dh[j] + dy[j]
		daz := d * (hp[j] - n) * z * (1 - z)
		dan := d * (1 - z) * (1 - n*n)
		dgx[H+j], dgx[2*H+j] = daz, dan
		dgh[H+j], dgh[2*H+j] = daz, dan
		dh[j] = d
	}
}

// backwardBefore2, with drh = da_n·W_hnᵀ: da_r = drh⊙H⊙r(1−r),
// dH = d⊙z + drh⊙r (+ [da_r, da_z]·[W_hr, W_hz]ᵀ by GEMM).
func (k *pointwise[T]) backwardBefore2(b int, valid bool) {
	if !valid {
		return
	}
	H := k.H
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
