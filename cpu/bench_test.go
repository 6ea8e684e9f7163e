package cpu_test

import (
	"fmt"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
)

// benchShapes are the (B, T, D, H) shapes every speed claim is quoted at.
var benchShapes = []struct{ B, T, D, H int }{
	{32, 35, 28, 256}, {64, 100, 256, 256}, {64, 100, 512, 512}, {128, 50, 1024, 1024},
}

// benchStack builds a one-layer float32 stack and its tensors for a shape.
func benchStack(b *testing.B, v gru.Variant, B, T, D, H int) (gru.Backend, gru.Stack, [4]gru.Tensor) {
	be := cpu.New32()
	b.Cleanup(func() { be.Close() })
	cfg := gru.Config{InputSize: D, HiddenSize: H, Layers: 1, Variant: v}
	rng := gru.NewRand(1)
	p, err := gru.InitParams(cfg, gru.InitPyTorch, rng)
	if err != nil {
		b.Fatal(err)
	}
	st, err := be.NewStack(cfg, p)
	if err != nil {
		b.Fatal(err)
	}
	var ts [4]gru.Tensor // x, y, dy, dx
	for i, shape := range [][]int{{T, B, D}, {T, B, H}, {T, B, H}, {T, B, D}} {
		ts[i], _ = be.NewTensor(shape...)
		vals := make([]float64, gru.Len(shape))
		for j := range vals {
			vals[j] = rng.NormFloat64()
		}
		be.Write(ts[i], vals)
	}
	return be, st, ts
}

func benchName(v gru.Variant, s struct{ B, T, D, H int }) string {
	return fmt.Sprintf("B=%d/T=%d/D=%d/H=%d/%v/impl=cpu-f32", s.B, s.T, s.D, s.H, v)
}

// BenchmarkForward times one forward pass over a batch of sequences.
func BenchmarkForward(b *testing.B) {
	for _, s := range benchShapes {
		for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
			b.Run(benchName(v, s), func(b *testing.B) {
				_, st, ts := benchStack(b, v, s.B, s.T, s.D, s.H)
				for b.Loop() {
					if err := st.Forward(ts[0], nil, nil, ts[1], nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*s.B*s.T)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

// BenchmarkTrainStep times forward, backward through time (with dx) and an SGD
// update of every parameter.
func BenchmarkTrainStep(b *testing.B) {
	for _, s := range benchShapes {
		for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
			b.Run(benchName(v, s), func(b *testing.B) {
				be, st, ts := benchStack(b, v, s.B, s.T, s.D, s.H)
				params, grads := st.Params(), st.Grads()
				for b.Loop() {
					if err := st.ZeroGrads(); err != nil {
						b.Fatal(err)
					}
					if err := st.Forward(ts[0], nil, nil, ts[1], nil); err != nil {
						b.Fatal(err)
					}
					if err := st.Backward(ts[2], nil, ts[3], nil); err != nil {
						b.Fatal(err)
					}
					for i := range params {
						if err := be.SGD(params[i], grads[i], 1e-3); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.N*s.B*s.T)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}
