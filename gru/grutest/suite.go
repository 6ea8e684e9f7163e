package grutest

import (
	"fmt"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
)

// Tolerances are the norm-wise relative errors a backend may show against a reference.
type Tolerances struct {
	Forward float64 // y and hN
	Grad    float64 // dx, dh0 and parameter gradients
	Golden  float64 // everything, against PyTorch's float64 golden files
}

// TolerancesFor returns the tolerances for a precision: float64 must match the
// oracle to rounding; float32 must match to a few ulps accumulated over the steps.
func TolerancesFor(d gru.DType) Tolerances {
	if d == gru.Float64 {
		return Tolerances{Forward: 1e-12, Grad: 1e-11, Golden: 1e-10}
	}
	return Tolerances{Forward: 2e-6, Grad: 1e-5, Golden: 1e-5}
}

// Run runs the conformance suite against backends made by newBackend, which is
// called once per subtest; Run closes each.
func Run(t *testing.T, newBackend func() (gru.Backend, error)) {
	open := func(t *testing.T) gru.Backend {
		be, err := newBackend()
		if err != nil {
			t.Fatalf("new backend: %v", err)
		}
		t.Cleanup(func() {
			if err := be.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := be.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := be.NewTensor(2); err == nil {
				t.Error("NewTensor on a closed backend: no error")
			}
		})
		return be
	}
	t.Run("Oracle", func(t *testing.T) { testOracle(t, open(t)) })
	t.Run("Sizes", func(t *testing.T) { testSizes(t, open(t)) })
	t.Run("Reference", func(t *testing.T) { testReference(t, open(t)) })
	t.Run("GradCheck", func(t *testing.T) { testGradCheck(t, open(t)) })
	t.Run("Golden", func(t *testing.T) { testGolden(t, open(t)) })
	t.Run("Accumulate", func(t *testing.T) { testAccumulate(t, open(t)) })
	t.Run("BadInput", func(t *testing.T) { testBadInput(t, open(t)) })
	t.Run("Ops", func(t *testing.T) { testOps(t, open(t)) })
	t.Run("OptimizersMatchTorch", func(t *testing.T) { OptimizersMatchTorch(t, open(t)) })
	t.Run("Dropout", func(t *testing.T) { testDropout(t, open(t)) })
}

// Case is one point of the configuration cross product.
type Case struct {
	Variant       gru.Variant
	Layers        int
	Bidirectional bool
	Ragged        bool
	WithH0        bool
	Layout        gru.Layout
}

func (c Case) String() string {
	return fmt.Sprintf("%v/L=%d/bi=%v/ragged=%v/h0=%v/%v", c.Variant, c.Layers, c.Bidirectional, c.Ragged, c.WithH0, c.Layout)
}

// Cases is the cross product of both variants, 1 and 2 layers, uni- and
// bidirectional, equal and ragged lengths, and h0 nil and given, time-major; plus
// the batch-first layout for a few of them.
func Cases() []Case {
	var cs []Case
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		for _, layers := range []int{1, 2} {
			for _, bi := range []bool{false, true} {
				for _, ragged := range []bool{false, true} {
					for _, h0 := range []bool{false, true} {
						cs = append(cs, Case{v, layers, bi, ragged, h0, gru.TimeMajor})
					}
				}
			}
		}
		cs = append(cs, Case{v, 2, true, true, true, gru.BatchFirst}, Case{v, 1, false, true, false, gru.BatchFirst})
	}
	return cs
}

func (c Case) config(D, H int) gru.Config {
	return gru.Config{InputSize: D, HiddenSize: H, Layers: c.Layers, Bidirectional: c.Bidirectional, Variant: c.Variant, Layout: c.Layout}
}

// compare fails t when any part of got differs from want by more than the tolerances.
func compare(t *testing.T, what string, got, want *Result, fwdTol, gradTol float64) {
	t.Helper()
	check := func(name string, g, w []float64, tol float64) {
		if e := RelErr(g, w); !(e <= tol) {
			t.Errorf("%s: %s: relative error %.3g > %.3g", what, name, e, tol)
		}
	}
	check("y", got.Y, want.Y, fwdTol)
	check("hN", got.HN, want.HN, fwdTol)
	if gradTol == 0 {
		return
	}
	check("dx", got.DX, want.DX, gradTol)
	check("dh0", got.DH0, want.DH0, gradTol)
	gf, wf := got.Grads.Flat(), want.Grads.Flat()
	names := gru.TensorNames(got.Grads.Config)
	for i := range gf {
		check("grad "+names[i], gf[i], wf[i], gradTol)
	}
}

func oracleSolve(t *testing.T, p *Problem) *Result {
	t.Helper()
	o := cpu.New64()
	defer o.Close()
	r, err := Solve(o, p)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	return r
}

func testOracle(t *testing.T, be gru.Backend) {
	tol := TolerancesFor(be.DType())
	rng := gru.NewRand(1)
	for _, c := range Cases() {
		p := NewProblem(rng, c.config(5, 7), 6, 4, c.Ragged, c.WithH0, c.Ragged)
		got, err := Solve(be, p)
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		compare(t, c.String(), got, oracleSolve(t, p), tol.Forward, tol.Grad)
	}
}

// testSizes runs shapes that straddle the edges of BLAS and kernel blocks: 1, a
// prime, a power of two and one past it.
func testSizes(t *testing.T, be gru.Backend) {
	tol := TolerancesFor(be.DType())
	rng := gru.NewRand(2)
	shapes := []struct{ T, B, D, H int }{
		{1, 1, 1, 1}, {1, 17, 3, 16}, {3, 1, 8, 17}, {2, 5, 33, 31},
		{4, 16, 64, 33}, {2, 33, 65, 64}, {3, 8, 17, 65}, {2, 64, 128, 129},
	}
	for i, sh := range shapes {
		c := Cases()[i*5%len(Cases())]
		p := NewProblem(rng, c.config(sh.D, sh.H), sh.T, sh.B, c.Ragged, c.WithH0, true)
		got, err := Solve(be, p)
		if err != nil {
			t.Fatalf("%v %+v: %v", c, sh, err)
		}
		compare(t, fmt.Sprintf("%v %+v", c, sh), got, oracleSolve(t, p), tol.Forward, tol.Grad)
	}
}

func testReference(t *testing.T, be gru.Backend) {
	tol := TolerancesFor(be.DType())
	rng := gru.NewRand(3)
	for _, c := range Cases() {
		T, B := 5, 3
		cfg := c.config(4, 6)
		p := NewProblem(rng, cfg, T, B, c.Ragged, c.WithH0, false)
		got, err := Solve(be, p)
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		x := p.X
		if cfg.Layout == gru.BatchFirst {
			x = swapTB(x, B, T, cfg.InputSize)
		}
		y, hN := Reference(cfg, p.Params, x, p.H0, p.Lengths, T, B)
		if cfg.Layout == gru.BatchFirst {
			y = swapTB(y, T, B, cfg.OutputSize())
		}
		compare(t, c.String(), got, &Result{Y: y, HN: hN}, tol.Forward, 0)
	}
}

// swapTB swaps the first two axes of v [a, b, w].
func swapTB(v []float64, a, b, w int) []float64 {
	out := make([]float64, len(v))
	for i := range a {
		for j := range b {
			copy(out[(j*a+i)*w:(j*a+i+1)*w], v[(i*b+j)*w:(i*b+j+1)*w])
		}
	}
	return out
}

// TF32Tolerances are the error bounds of float32 tensors whose GEMMs run on TF32
// tensor cores (cuda.WithPrecision(cuda.TF32), --dtype tf32), against the float64 oracle. TF32
// rounds each GEMM operand to 11 significant bits, a relative error of at most
// 2⁻¹¹ ≈ 4.9e-4 per operand, so each product carries up to about 1e-3 and a
// GEMM's output, summed over independent errors, about that much norm-wise; the
// recurrence and the backward pass compound it over the steps. Measured on the
// simulator (two layers, bidirectional, ragged, 12 steps): 4.6e-4 forward and
// 7.3e-4 for the gradients, against float32's 2e-7 and 3e-7; the bounds leave a
// factor of about 3 to 4 over that.
func TF32Tolerances() Tolerances {
	return Tolerances{Forward: 1.5e-3, Grad: 3e-3, Golden: 3e-3}
}

// BF16Tolerances are the error bounds of float32 tensors whose GEMMs take their
// operands in bfloat16 and accumulate in float32 (cuda.WithPrecision(cuda.BF16), --dtype bf16, as
// torch.autocast(dtype=torch.bfloat16) runs matmuls), against the float64 oracle.
// The derivation is TF32Tolerances' with bfloat16's 8 significant bits for TF32's
// 11: rounding each operand to nearest costs a relative error of at most
// 2⁻⁸ ≈ 3.9e-3 (against 2⁻¹¹), so each product carries up to about 7.8e-3 and a
// GEMM's output about that much norm-wise, 8 times TF32's; the recurrence and the
// backward pass compound it over the steps. Everything outside the GEMMs stays
// float32. Measured on the simulator (two layers, bidirectional, ragged, 12 steps):
// 3.5e-3 forward and 6.2e-3 for the gradients, 7.6 and 8.5 times TF32's on the same
// problems; over 40 further problems (other seeds, one or two directions, 12 or 40
// steps, ragged or not) the largest were 3.9e-3 and 6.1e-3. The bounds are 8 times
// TF32's, which leaves a factor of about 3 to 4 over the largest measured.
func BF16Tolerances() Tolerances {
	return Tolerances{Forward: 1.2e-2, Grad: 2.4e-2, Golden: 2.4e-2}
}
