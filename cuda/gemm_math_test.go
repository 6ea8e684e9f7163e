package cuda_test

import (
	"os"
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
	checkErrorBound(t, errorBound{name: "TF32", tol: grutest.TF32Tolerances(), open: opener(cuda.Simulated(), cuda.WithPrecision(cuda.TF32)),
		finer: "float32", openFiner: opener(cuda.Simulated()), factor: 20})
}

// BF16's stated error bound holds on the simulator, whose GEMMs round their
// operands to bfloat16; and the rounding is really applied: BF16's error is well
// above TF32's on the same problem (three fewer mantissa bits, about 8 times).
func TestSimulatedBF16ErrorBound(t *testing.T) {
	checkErrorBound(t, errorBound{name: "BF16", tol: grutest.BF16Tolerances(), open: opener(cuda.Simulated(), cuda.WithPrecision(cuda.BF16)),
		finer: "TF32", openFiner: opener(cuda.Simulated(), cuda.WithPrecision(cuda.TF32)), factor: 4})
}

// simulated adapts a simulator constructor to an opener of gru.Backend.
func opener(opts ...cuda.Option) func() (gru.Backend, error) {
	// The GPU's tests load the fatbin GOGRU_FATBIN names, as the gru command does,
	// so that make gpu-check runs them on kernels built by the GPU host's nvcc.
	if path := os.Getenv("GOGRU_FATBIN"); path != "" {
		opts = append(opts, cuda.WithFatbin(path))
	}
	return func() (gru.Backend, error) {
		be, err := cuda.New(opts...)
		if err != nil {
			return nil, err // a nil interface, not a nil *cuda.Backend in one
		}
		return be, nil
	}
}

// errorBound is a reduced-precision GEMM math with its stated bound, and the
// evidence that its rounding is applied: a finer math on the same device whose
// forward error it must exceed factor times.
type errorBound struct {
	name      string
	tol       grutest.Tolerances
	open      func() (gru.Backend, error)
	finer     string
	openFiner func() (gru.Backend, error)
	factor    float64
}

// checkErrorBound runs a seeded problem per cell on b's backend, its finer one and
// the float64 oracle, and checks b's bound and factor.
func checkErrorBound(t *testing.T, b errorBound) {
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
			errs := func(r *grutest.Result) (fwd, grad float64) {
				fwd = max(grutest.RelErr(r.Y, want.Y), grutest.RelErr(r.HN, want.HN))
				grad = max(grutest.RelErr(r.DX, want.DX), grutest.RelErr(r.DH0, want.DH0))
				gf, wf := r.Grads.Flat(), want.Grads.Flat()
				for i := range gf {
					grad = max(grad, grutest.RelErr(gf[i], wf[i]))
				}
				return fwd, grad
			}
			fwd, grad := errs(solve(b.open))
			finerFwd, finerGrad := errs(solve(b.openFiner))
			t.Logf("relative error against float64: %s forward %.3g, gradients %.3g; %s %.3g, %.3g",
				b.name, fwd, grad, b.finer, finerFwd, finerGrad)
			if !(fwd <= b.tol.Forward) || !(grad <= b.tol.Grad) {
				t.Errorf("%s error forward %.3g (bound %.3g), gradients %.3g (bound %.3g)", b.name, fwd, b.tol.Forward, grad, b.tol.Grad)
			}
			if !(fwd > b.factor*finerFwd) {
				t.Errorf("%s forward error %.3g is not %g times %s's %.3g: are the operands rounded?", b.name, fwd, b.factor, b.finer, finerFwd)
			}
		})
	}
}
