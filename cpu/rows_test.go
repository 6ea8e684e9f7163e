package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The float32 row operations in use (C with cgo) agree with their Go versions,
// which a build without cgo runs, to a few float32 roundings, on seeded random rows
// long enough to cover the vector loops' bodies and tails.
func TestRowOpsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	const n = 37
	row := func() []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 2)
		}
		return v
	}
	unit := func() []float32 { // gate values in (0, 1)
		v := row()
		sigmoidRow32Go(v)
		return v
	}
	poison := func() []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(math.NaN())
		}
		return v
	}
	check := func(name string, got, want []float32) {
		t.Helper()
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-6*(1+math.Abs(float64(want[i])))) {
				t.Errorf("%s[%d] = %g, Go gives %g", name, i, got[i], want[i])
				return
			}
		}
	}
	a, b, c := row(), row(), row()
	d1, d2 := poison(), poison()
	sum3SigmoidRow32(d1, a, b, c)
	sum3SigmoidRow32Go(d2, a, b, c)
	check("sum3SigmoidRow32", d1, d2)
	d1, d2 = poison(), poison()
	sum3TanhRow32(d1, a, b, c)
	sum3TanhRow32Go(d2, a, b, c)
	check("sum3TanhRow32", d1, d2)
	r := unit()
	d1, d2, h1, h2 := poison(), poison(), poison(), poison()
	afterCandidateRow32(d1, h1, a, r, b, c)
	afterCandidateRow32Go(d2, h2, a, r, b, c)
	check("afterCandidateRow32 n", d1, d2)
	check("afterCandidateRow32 hn", h1, h2)
	z := unit()
	h1, h2, y1, y2 := poison(), poison(), poison(), poison()
	blendRow32(h1, y1, z, a, b)
	blendRow32Go(h2, y2, z, a, b)
	check("blendRow32 h", h1, h2)
	check("blendRow32 y", y1, y2)
	d1, d2 = poison(), poison()
	mulRow32(d1, a, b)
	mulRow32Go(d2, a, b)
	for i := range d2 {
		if math.Float32bits(d1[i]) != math.Float32bits(d2[i]) { // one rounded product: exact
			t.Errorf("mulRow32[%d] = %g, Go gives %g", i, d1[i], d2[i])
		}
	}
}
