package cuda_test

import (
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// TF32's stated error bound holds on the simulator, whose GEMMs round their
// operands to TF32 as cuBLAS's tensor-op math does; and the rounding is really
// applied: TF32's error is far above float32's on the same problem.
func TestSimulatedTF32ErrorBound(t *testing.T) {
	checkTF32Bound(t, func() (gru.Backend, error) { return cuda.NewSimulatedTF32() },
		func() (gru.Backend, error) { return cuda.NewSimulated(gru.Float32) })
}

// checkTF32Bound runs a seeded problem per cell on a TF32 backend, a float32 one
// and the float64 oracle, and checks grutest.TF32Tolerances.
func checkTF32Bound(t *testing.T, newTF32, newF32 func() (gru.Backend, error)) {
	tol := grutest.TF32Tolerances()
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		t.Run(v.String(), func(t *testing.T) {
			cfg := gru.Config{InputSize: 40, HiddenSize: 48, Layers: 2, Bidirectional: true, Variant: v}
			p := grutest.NewProblem(gru.NewRand(uint64(17+v)), cfg, 12, 5, true, true, true)
			solve := func(newBackend func() (gru.Backend, error)) *grutest.Result {
				be, err := newBackend()
				if err != nil {
					t.Fatal(err)
				}
				defer be.Close()
				r, err := grutest.Solve(be, p)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			want := solve(func() (gru.Backend, error) { return cpu.New64(), nil })
			tf, f32 := solve(newTF32), solve(newF32)
			errs := func(r *grutest.Result) (fwd, grad float64) {
				fwd = max(grutest.RelErr(r.Y, want.Y), grutest.RelErr(r.HN, want.HN))
				grad = max(grutest.RelErr(r.DX, want.DX), grutest.RelErr(r.DH0, want.DH0))
				gf, wf := r.Grads.Flat(), want.Grads.Flat()
				for i := range gf {
					grad = max(grad, grutest.RelErr(gf[i], wf[i]))
				}
				return fwd, grad
			}
			tfFwd, tfGrad := errs(tf)
			f32Fwd, f32Grad := errs(f32)
			t.Logf("relative error against float64: TF32 forward %.3g, gradients %.3g; float32 %.3g, %.3g", tfFwd, tfGrad, f32Fwd, f32Grad)
			if !(tfFwd <= tol.Forward) || !(tfGrad <= tol.Grad) {
				t.Errorf("TF32 error forward %.3g (bound %.3g), gradients %.3g (bound %.3g)", tfFwd, tol.Forward, tfGrad, tol.Grad)
			}
			if !(tfFwd > 20*f32Fwd) {
				t.Errorf("TF32 forward error %.3g is not far above float32's %.3g: are the operands rounded?", tfFwd, f32Fwd)
			}
		})
	}
}
