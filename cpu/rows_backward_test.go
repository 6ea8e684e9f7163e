package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bwdULPs is how far, in units in the last place of its terms' magnitude, a float32
// backward row operation in use (C with cgo) may lie from the Go loop: an FMA that
// gcc contracts rounds once where Go rounds twice (rows_backward_cgo.go).
const bwdULPs = 4

// The fused backward passes in float32, which run the C row operations with cgo,
// agree with the Go loops, row by row, to bwdULPs of each result's terms: on seeded
// random rows, some past their sequence's length, H long enough to cover the
// vector loops' bodies and tails, dGh apart from dGx and (ResetBefore's forward
// direction) shared with it. Outputs are poisoned first.
func TestBackwardRowOpsMatchGo(t *testing.T) {
	const B, H, yStride, step = 6, 37, 41, 3
	lens := []int{5, 3, 4, 2, 6, 3} // rows 1, 3 and 5 are past their length at step 3
	rng := rand.New(rand.NewPCG(11, 4))
	normal := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 1.5)
		}
		return v
	}
	nan := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(math.NaN())
		}
		return v
	}
	gates := normal(B * 4 * H) // r | z as σ, n as tanh, the last H as drawn
	for b := range B {
		g := gates[b*4*H:]
		sigmoidRow32Go(g[:2*H])
		tanhRow32Go(g[2*H : 3*H])
	}
	hp, dy, dh0, drh := normal(B*H), normal(B*yStride), normal(B*H), normal(B*H)

	for _, tc := range []struct {
		name   string
		after  bool
		shared bool
	}{{"ResetAfter", true, false}, {"ResetBefore", false, false}, {"ResetBefore/shared", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			k := &backwardStep[float32]{dy: dy, dh: append([]float32(nil), dh0...), drh: drh, shared: tc.shared}
			k.H, k.t, k.lens, k.gates, k.hPrev, k.yStride = H, step, lens, gates, hp, yStride
			k.dGx = nan(B * 3 * H)
			k.dGh = nan(B * 3 * H)
			if tc.shared {
				k.dGh = k.dGx
			}
			if tc.after {
				gruBwdAfter[float32]{k}.runRange(0, B)
			} else {
				gruBwdBefore1[float32]{k}.runRange(0, B)
				gruBwdBefore2[float32]{k}.runRange(0, B)
			}
			for b := range B {
				checkBackwardRow(t, b, step >= lens[b], tc.after, k, dh0[b*H:(b+1)*H])
			}
		})
	}
}

// checkBackwardRow holds row b of the pass's results to the Go loops run on the same
// inputs (dh0 the row's state gradient before the pass), or, past the sequence's
// length, to zero gradients and an unchanged dh.
func checkBackwardRow(t *testing.T, b int, padded, after bool, k *backwardStep[float32], dh0 []float32) {
	t.Helper()
	H := k.H
	g, hp := k.gates[b*4*H:(b+1)*4*H], k.hPrev[b*H:(b+1)*H]
	dy, drh := k.dy[b*k.yStride:b*k.yStride+H], k.drh[b*H:(b+1)*H]
	dgx, dgh, dh := make([]float32, 3*H), make([]float32, 3*H), append([]float32(nil), dh0...)
	// The magnitudes of each result's terms, in float64.
	sx, sh, sd := make([]float64, 3*H), make([]float64, 3*H), make([]float64, H)
	switch {
	case padded:
	case after:
		bwdAfterRow32Go(dgx, dgh, dh, g, hp, dy)
	default:
		bwdBefore1Row32Go(dgx, dh, g, hp, dy)
		bwdBefore2Row32Go(dgx, dh, g, hp, drh)
		copy(dgh, dgx)
	}
	for j := range H {
		r, z, n := float64(g[j]), float64(g[H+j]), float64(g[2*H+j])
		d := math.Abs(float64(dh0[j])) + math.Abs(float64(dy[j]))
		sx[H+j] = d * math.Abs(float64(hp[j])-n) * z * (1 - z)
		sx[2*H+j] = d * (1 - z) * (1 + n*n)
		if after {
			sx[j] = sx[2*H+j] * math.Abs(float64(g[3*H+j])) * r * (1 - r)
			sd[j] = d * z
		} else {
			sx[j] = math.Abs(float64(drh[j])*float64(hp[j])) * r * (1 - r)
			sd[j] = d*z + math.Abs(float64(drh[j]))*r
		}
	}
	copy(sh, sx)
	if after {
		for j := range H {
			sh[2*H+j] *= float64(g[j])
		}
	}
	if padded {
		clear(sx)
		clear(sh)
		clear(sd)
	}
	at := func(name string, got, want []float32, scale []float64) {
		t.Helper()
		for j := range want {
			tol := bwdULPs * scale[j] * 0x1p-23
			if d := math.Abs(float64(got[j]) - float64(want[j])); !(d <= tol) {
				t.Errorf("row %d (padded %v): %s[%d] = %g, Go gives %g (tolerance %.3g)", b, padded, name, j, got[j], want[j], tol)
				return
			}
		}
	}
	at("dGx", k.dGx[b*3*H:(b+1)*3*H], dgx, sx)
	at("dGh", k.dGh[b*3*H:(b+1)*3*H], dgh, sh)
	at("dh", k.dh[b*H:(b+1)*H], dh, sd)
}

// The float32 column sums in use (C with cgo) are bit for bit the Go loop's, into
// one destination or two, on seeded random rows whose width covers the vector
// loops' bodies and tails; each destination starts from its own values, as a
// gradient that accumulates does.
func TestSumRowsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 8))
	const rows, cols = 9, 37
	normal := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	src, a, b := normal(rows*cols), normal(cols), normal(cols)
	clone := func(v []float32) []float32 { return append([]float32(nil), v...) }
	same := func(name string, got, want []float32) {
		t.Helper()
		for j := range want {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Errorf("%s[%d] = %g, Go gives %g", name, j, got[j], want[j])
				return
			}
		}
	}
	got, want := clone(a), clone(a)
	sumRows32(got, nil, src, rows, cols)
	sumRows32Go(want, nil, src, rows, cols)
	same("sumRows", got, want)
	got, got2, want2 := clone(a), clone(b), clone(b)
	sumRows32(got, got2, src, rows, cols)
	sumRows32Go(want2, nil, src, rows, cols)
	same("sumRows2 dst", got, want)
	same("sumRows2 dst2", got2, want2)
}
