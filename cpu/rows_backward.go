package cpu

import "unsafe"

// The fused backward passes' row operations, one batch row of H units each, and
// the column sums that give the bias gradients. In
// float32 they run as C that gcc vectorises (rows_backward_cgo.go), or as the Go
// loops below in a build without cgo; float64 always runs the Go loops. g is the
// row's saved gates r | z | n | hn (ResetAfter) or r | z | n | R⊙H (ResetBefore),
// hp the state before the step.

// bwdAfterRow is one row of gru_bwd_after: with d = dh + dy,
// da_z = d⊙(H − n)⊙z(1−z), da_n = d⊙(1−z)⊙(1−n²), da_r = da_n⊙hn⊙r(1−r),
// dgx = [da_r, da_z, da_n], dgh = [da_r, da_z, da_n⊙r], dh = d⊙z.
func bwdAfterRow[T Float](dgx, dgh, dh, g, hp, dy []T) {
	if unsafe.Sizeof(dh[0]) == 4 {
		bwdAfterRow32(f32(dgx), f32(dgh), f32(dh), f32(g), f32(hp), f32(dy))
		return
	}
	bwdAfter(dgx, dgh, dh, g, hp, dy)
}

// bwdBefore1Row is one row of gru_bwd_before1: with d = dh + dy,
// dgx[H:3H] = [da_z, da_n] as in bwdAfterRow, and dh = d.
func bwdBefore1Row[T Float](dgx, dh, g, hp, dy []T) {
	if unsafe.Sizeof(dh[0]) == 4 {
		bwdBefore1Row32(f32(dgx), f32(dh), f32(g), f32(hp), f32(dy))
		return
	}
	bwdBefore1(dgx, dh, g, hp, dy)
}

// bwdBefore2Row is one row of gru_bwd_before2, with drh = da_n·W_hnᵀ:
// dgx[:H] = da_r = drh⊙H⊙r(1−r), dh = d⊙z + drh⊙r (dh holding d).
func bwdBefore2Row[T Float](dgx, dh, g, hp, drh []T) {
	if unsafe.Sizeof(dh[0]) == 4 {
		bwdBefore2Row32(f32(dgx), f32(dh), f32(g), f32(hp), f32(drh))
		return
	}
	bwdBefore2(dgx, dh, g, hp, drh)
}

// sumRows adds the column sums of src [rows, cols] to dst [cols], row by row in
// order, so the result is reproducible.
func sumRows[T Float](dst, src []T, rows, cols int) {
	if unsafe.Sizeof(dst[0]) == 4 {
		sumRows32(f32(dst), nil, f32(src), rows, cols)
		return
	}
	sumRowsGo(dst, nil, src, rows, cols)
}

// sumRows2 adds the column sums of src to dst and to dst2 as sumRows does to each,
// the same additions in the same order, reading src once.
func sumRows2[T Float](dst, dst2, src []T, rows, cols int) {
	if unsafe.Sizeof(dst[0]) == 4 {
		sumRows32(f32(dst), f32(dst2), f32(src), rows, cols)
		return
	}
	sumRowsGo(dst, dst2, src, rows, cols)
}

// updateCandidateGrads returns, for one unit with d = dH' + dy, the gradients of
// the update and candidate pre-activations that both variants share:
// da_z = d(H − n)z(1−z) and da_n = d(1−z)(1−n²).
func updateCandidateGrads[T Float](d, h, z, n T) (daz, dan T) {
	return d * (h - n) * z * (1 - z), d * (1 - z) * (1 - n*n)
}

func bwdAfter[T Float](dgx, dgh, dh, g, hp, dy []T) {
	H := len(dh)
	dgx, dgh, g, hp, dy = dgx[:3*H], dgh[:3*H], g[:4*H], hp[:H], dy[:H]
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

func bwdBefore1[T Float](dgx, dh, g, hp, dy []T) {
	H := len(dh)
	dgx, g, hp, dy = dgx[:3*H], g[:4*H], hp[:H], dy[:H]
	for j := range H {
		d := dh[j] + dy[j]
		dgx[H+j], dgx[2*H+j] = updateCandidateGrads(d, hp[j], g[H+j], g[2*H+j])
		dh[j] = d
	}
}

func bwdBefore2[T Float](dgx, dh, g, hp, drh []T) {
	H := len(dh)
	dgx, g, hp, drh = dgx[:3*H], g[:4*H], hp[:H], drh[:H]
	for j := range H {
		r, z := g[j], g[H+j]
		dgx[j] = drh[j] * hp[j] * r * (1 - r)
		dh[j] = dh[j]*z + drh[j]*r
	}
}

// sumRowsGo is sumRows, and sumRows2 where dst2 is not nil.
func sumRowsGo[T Float](dst, dst2, src []T, rows, cols int) {
	dst = dst[:cols]
	for r := range rows {
		row := src[r*cols : (r+1)*cols]
		if dst2 == nil {
			for j, v := range row {
				dst[j] += v
			}
			continue
		}
		for j, v := range row {
			dst[j] += v
			dst2[j] += v
		}
	}
}

// The float32 row operations in Go: the build without cgo runs them, and the
// tests hold the C versions to them.

func bwdAfterRow32Go(dgx, dgh, dh, g, hp, dy []float32)    { bwdAfter(dgx, dgh, dh, g, hp, dy) }
func bwdBefore1Row32Go(dgx, dh, g, hp, dy []float32)       { bwdBefore1(dgx, dh, g, hp, dy) }
func bwdBefore2Row32Go(dgx, dh, g, hp, drh []float32)      { bwdBefore2(dgx, dh, g, hp, drh) }
func sumRows32Go(dst, dst2, src []float32, rows, cols int) { sumRowsGo(dst, dst2, src, rows, cols) }
