package cpu

import (
	"math"
	"testing"
)

// TestActivationErrors sweeps [−20, 20] (and the edges of float32's exponent range)
// and checks the float32 activations against float64 within their stated errors.
func TestActivationErrors(t *testing.T) {
	var worstS, worstT, worstE float64
	for i := -2000000; i <= 2000000; i++ {
		x := float32(i) * 1e-5
		s := math.Abs(float64(sigmoid(x)) - 1/(1+math.Exp(-float64(x))))
		th := math.Abs(float64(tanh(x)) - math.Tanh(float64(x)))
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
	for _, x := range []float32{-1e30, -100, -88, 88, 100, 1e30, float32(math.Inf(1)), float32(math.Inf(-1))} {
		s, th := sigmoid(x), tanh(x)
		if s < 0 || s > 1 || th < -1 || th > 1 || s != s || th != th {
			t.Errorf("x=%g: sigmoid %g, tanh %g", x, s, th)
		}
	}
	if v := sigmoid(float64(0.3)); v != 1/(1+math.Exp(-0.3)) {
		t.Errorf("float64 sigmoid is not exact to rounding: %v", v)
	}
}

func BenchmarkActivations32(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i-2048) / 256
	}
	var s float32
	for b.Loop() {
		for _, x := range xs {
			s += sigmoid(x) + tanh(x)
		}
	}
	_ = s
	b.ReportMetric(float64(b.N*len(xs))/b.Elapsed().Seconds()/1e6, "Mpairs/s")
}
