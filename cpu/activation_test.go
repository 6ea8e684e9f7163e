package cpu

import (
	"math"
	"testing"
)

// float32Activations are the float32 activations in use (C with cgo) and the Go
// loops, which a build without cgo uses.
var float32Activations = []struct {
	name          string
	sigmoid, tanh func([]float32)
}{{"in use", sigmoidRow32, tanhRow32}, {"go", sigmoidRow32Go, tanhRow32Go}}

// TestActivationErrors sweeps [−20, 20] (and the edges of float32's exponent range)
// and checks the float32 activations against float64 within their stated errors,
// for the implementation in use and for the Go one.
func TestActivationErrors(t *testing.T) {
	for _, impl := range float32Activations {
		t.Run(impl.name, func(t *testing.T) { checkActivationErrors(t, impl.sigmoid, impl.tanh) })
	}
	d := []float64{0.3}
	if sigmoidRow(d); d[0] != 1/(1+math.Exp(-0.3)) {
		t.Errorf("float64 sigmoid is not exact to rounding: %v", d[0])
	}
}

func checkActivationErrors(t *testing.T, sigmoid, tanh func([]float32)) {
	var worstS, worstT, worstE float64
	const n = 4000001
	xs, sv, tv := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range xs {
		xs[i] = float32(i-n/2) * 1e-5
	}
	copy(sv, xs)
	copy(tv, xs)
	sigmoid(sv)
	tanh(tv)
	for i, x := range xs {
		s := math.Abs(float64(sv[i]) - 1/(1+math.Exp(-float64(x))))
		th := math.Abs(float64(tv[i]) - math.Tanh(float64(x)))
		worstS, worstT = max(worstS, s), max(worstT, th)
		if x > -80 && x < 80 {
			e := math.Abs(float64(exp32(x))/math.Exp(float64(x)) - 1)
			worstE = max(worstE, e)
		}
	}
	t.Logf("max abs error: sigmoid %.3g, tanh %.3g; max rel error of exp32 %.3g", worstS, worstT, worstE)
	if worstS > sigmoidMaxErr32 || worstT > tanhMaxErr32 || worstE > 3e-7 {
		t.Errorf("sigmoid %.3g (limit %g), tanh %.3g (limit %g), exp32 relative %.3g (limit 3e-7)",
			worstS, sigmoidMaxErr32, worstT, tanhMaxErr32, worstE)
	}
	edges := []float32{-1e30, -100, -88, 88, 100, 1e30, float32(math.Inf(1)), float32(math.Inf(-1))}
	s, th := append([]float32(nil), edges...), append([]float32(nil), edges...)
	sigmoid(s)
	tanh(th)
	for i, x := range edges {
		if s[i] < 0 || s[i] > 1 || th[i] < -1 || th[i] > 1 || s[i] != s[i] || th[i] != th[i] {
			t.Errorf("x=%g: sigmoid %g, tanh %g", x, s[i], th[i])
		}
	}
	nan := []float32{float32(math.NaN())}
	if sigmoid(nan); nan[0] == nan[0] {
		t.Errorf("sigmoid(NaN) = %g, want NaN", nan[0])
	}
	nan[0] = float32(math.NaN())
	if tanh(nan); nan[0] == nan[0] {
		t.Errorf("tanh(NaN) = %g, want NaN", nan[0])
	}
}

func BenchmarkActivations32(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i-2048) / 256
	}
	for _, impl := range float32Activations {
		b.Run("impl="+impl.name, func(b *testing.B) {
			v := make([]float32, len(xs))
			for b.Loop() {
				copy(v, xs)
				impl.sigmoid(v)
				copy(v, xs)
				impl.tanh(v)
			}
			b.ReportMetric(float64(b.N*len(xs))/b.Elapsed().Seconds()/1e6, "Mpairs/s")
		})
	}
}
