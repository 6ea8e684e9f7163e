package cpu

import "unsafe"

// The fused forward passes' row operations. In float32 they run as C that gcc
// vectorises (activation_cgo.go), or as the Go loops below in a build without
// cgo; float64 always runs the Go loops.

// f32 views a []T of float32 as []float32; callers check the size first.
func f32[T Float](v []T) []float32 { return *(*[]float32)(unsafe.Pointer(&v)) }

// sum3SigmoidRow sets d[j] = σ(a[j] + b[j] + c[j]).
func sum3SigmoidRow[T Float](d, a, b, c []T) {
	if unsafe.Sizeof(d[0]) == 4 {
		sum3SigmoidRow32(f32(d), f32(a), f32(b), f32(c))
		return
	}
	sum3(d, a, b, c)
	sigmoidRow(d)
}

// sum3TanhRow sets d[j] = tanh(a[j] + b[j] + c[j]).
func sum3TanhRow[T Float](d, a, b, c []T) {
	if unsafe.Sizeof(d[0]) == 4 {
		sum3TanhRow32(f32(d), f32(a), f32(b), f32(c))
		return
	}
	sum3(d, a, b, c)
	tanhRow(d)
}

// afterCandidateRow is ResetAfter's candidate: hn[j] = hh[j] + bh[j] and
// d[j] = tanh(xp[j] + r[j]·hn[j]).
func afterCandidateRow[T Float](d, hn, xp, r, hh, bh []T) {
	if unsafe.Sizeof(d[0]) == 4 {
		afterCandidateRow32(f32(d), f32(hn), f32(xp), f32(r), f32(hh), f32(bh))
		return
	}
	afterCandidate(d, hn, xp, r, hh, bh)
	tanhRow(d)
}

// blendRow is the state update h[j] = y[j] = z[j]·hp[j] + (1 − z[j])·c[j].
func blendRow[T Float](h, y, z, hp, c []T) {
	if unsafe.Sizeof(h[0]) == 4 {
		blendRow32(f32(h), f32(y), f32(z), f32(hp), f32(c))
		return
	}
	blend(h, y, z, hp, c)
}

// mulRow sets d[j] = a[j]·b[j] (ResetBefore's R⊙H).
func mulRow[T Float](d, a, b []T) {
	if unsafe.Sizeof(d[0]) == 4 {
		mulRow32(f32(d), f32(a), f32(b))
		return
	}
	mul(d, a, b)
}

func sum3[T Float](d, a, b, c []T) {
	a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
	for j := range d {
		d[j] = a[j] + b[j] + c[j]
	}
}

func mul[T Float](d, a, b []T) {
	a, b = a[:len(d)], b[:len(d)]
	for j := range d {
		d[j] = a[j] * b[j]
	}
}

func afterCandidate[T Float](d, hn, xp, r, hh, bh []T) {
	hn, xp, r, hh, bh = hn[:len(d)], xp[:len(d)], r[:len(d)], hh[:len(d)], bh[:len(d)]
	for j := range d {
		hn[j] = hh[j] + bh[j]
		d[j] = xp[j] + r[j]*hn[j]
	}
}

func blend[T Float](h, y, z, hp, c []T) {
	y, z, hp, c = y[:len(h)], z[:len(h)], hp[:len(h)], c[:len(h)]
	for j := range h {
		v := z[j]*hp[j] + (1-z[j])*c[j]
		h[j], y[j] = v, v
	}
}

// The float32 row operations in Go: the build without cgo runs them, and the
// tests hold the C versions to them.

func sum3SigmoidRow32Go(d, a, b, c []float32) { sum3(d, a, b, c); sigmoidRow32Go(d) }
func sum3TanhRow32Go(d, a, b, c []float32)    { sum3(d, a, b, c); tanhRow32Go(d) }
func afterCandidateRow32Go(d, hn, xp, r, hh, bh []float32) {
	afterCandidate(d, hn, xp, r, hh, bh)
	tanhRow32Go(d)
}
func blendRow32Go(h, y, z, hp, c []float32) { blend(h, y, z, hp, c) }
func mulRow32Go(d, a, b []float32)          { mul(d, a, b) }
