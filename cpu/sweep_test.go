package cpu_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
)

const sweepSkip = "the packed small GEMM (and so the row sweep) needs cgo and a CPU with AVX2 and FMA; runs on such a CPU with CGO_ENABLED=1"

// sweepOutputs runs one forward (and, for the saved gates, one backward) of cfg at
// batch b with the row sweep on or off, and returns y, hN, dx and dh0 as float64,
// poisoned before the calls.
func sweepOutputs(t *testing.T, cfg gru.Config, steps, b int, lengths []int, sweep bool) [][]float64 {
	t.Helper()
	if !sweep {
		defer cpu.SetSweepMinBatch(math.MaxInt)()
	}
	be := cpu.New32()
	defer be.Close()
	rng := gru.NewRand(7)
	p, err := gru.InitParams(cfg, gru.InitPyTorch, rng)
	if err != nil {
		t.Fatal(err)
	}
	st, err := be.NewStack(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cells, out := cfg.Cells(), cfg.OutputSize()
	tensor := func(random bool, shape ...int) gru.Tensor {
		x, err := be.NewTensor(shape...)
		if err != nil {
			t.Fatal(err)
		}
		v := make([]float64, gru.Len(shape))
		for i := range v {
			v[i] = math.NaN()
			if random {
				v[i] = rng.NormFloat64()
			}
		}
		if err := be.Write(x, v); err != nil {
			t.Fatal(err)
		}
		return x
	}
	x, h0, dy := tensor(true, steps, b, cfg.InputSize), tensor(true, cells, b, cfg.HiddenSize), tensor(true, steps, b, out)
	y, hN, dx, dh0 := tensor(false, steps, b, out), tensor(false, cells, b, cfg.HiddenSize), tensor(false, steps, b, cfg.InputSize), tensor(false, cells, b, cfg.HiddenSize)
	if err := st.Forward(x, h0, lengths, y, hN); err != nil {
		t.Fatal(err)
	}
	if err := st.ZeroGrads(); err != nil {
		t.Fatal(err)
	}
	if err := st.Backward(dy, nil, dx, dh0); err != nil {
		t.Fatal(err)
	}
	var res [][]float64
	for _, r := range []gru.Tensor{y, hN, dx, dh0} {
		v := make([]float64, gru.Len(r.Shape()))
		if err := be.Read(v, r); err != nil {
			t.Fatal(err)
		}
		res = append(res, v)
	}
	return res
}

// The packed forward's row sweep gives bit for bit the per-step path's outputs and
// final states; with the backward sweep, the input and initial-state gradients
// equal the per-step path's to float32 rounding (the products' sums are rounded
// differently: backwardsweep.go). For both cells, batches on and off the sweep's
// 4-row blocks, two layers, both directions and ragged lengths.
func TestPackedSweepMatchesStepPath(t *testing.T) {
	if !cpu.HavePackedGemm() {
		t.Skip(sweepSkip)
	}
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		for _, b := range []int{8, 13, 32} {
			for _, bidir := range []bool{false, true} {
				name := fmt.Sprintf("%v/B=%d/bidirectional=%v", v, b, bidir)
				t.Run(name, func(t *testing.T) {
					cfg := gru.Config{InputSize: 5, HiddenSize: 37, Layers: 2, Variant: v, Bidirectional: bidir}
					const steps = 6
					lengths := make([]int, b)
					for i := range lengths {
						lengths[i] = steps - i%4
					}
					want := sweepOutputs(t, cfg, steps, b, lengths, false)
					got := sweepOutputs(t, cfg, steps, b, lengths, true)
					for i, name := range []string{"y", "hN", "dx", "dh0"} {
						for j := range want[i] {
							g, w := got[i][j], want[i][j]
							if i < 2 && math.Float64bits(g) != math.Float64bits(w) {
								t.Fatalf("%s[%d] = %v with the sweep, %v without", name, j, g, w)
							}
							if !(math.Abs(g-w) <= 1e-5*(1+math.Abs(w))) { // NaN fails too
								t.Fatalf("%s[%d] = %v with the sweep, %v without", name, j, g, w)
							}
						}
					}
				})
			}
		}
	}
}
