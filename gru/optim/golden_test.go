package optim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/optim"
)

// goldenCase is one case of testdata/torch_optim.json (scripts/gen_optim_golden.py):
// torch.optim's updates of two parameters over a few steps of fixed gradients.
type goldenCase struct {
	Name        string    `json:"name"`
	Optimizer   string    `json:"optimizer"`
	LR          float64   `json:"lr"`
	Momentum    float64   `json:"momentum"`
	Betas       []float64 `json:"betas"`
	Eps         float64   `json:"eps"`
	WeightDecay float64   `json:"weight_decay"`
	Schedule    struct {
		Kind     string  `json:"kind"`
		Warmup   int     `json:"warmup"`
		StepSize int     `json:"step_size"`
		Gamma    float64 `json:"gamma"`
		Total    int     `json:"total"`
	} `json:"schedule"`
	Shapes  [][]int     `json:"shapes"`
	Initial [][]float64 `json:"initial"`
	Steps   []struct {
		LR     float64     `json:"lr"`
		Grads  [][]float64 `json:"grads"`
		Params [][]float64 `json:"params"`
	} `json:"steps"`
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile("testdata/torch_optim.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in testdata/torch_optim.json")
	}
	return f.Cases
}

// schedule is the case's schedule in gogru's terms.
func (c *goldenCase) schedule(t *testing.T) optim.Schedule {
	t.Helper()
	k, err := optim.ParseScheduleKind(c.Schedule.Kind)
	if err != nil {
		t.Fatal(err)
	}
	return optim.Schedule{Kind: k, Warmup: c.Schedule.Warmup, StepSize: c.Schedule.StepSize, Gamma: c.Schedule.Gamma, Total: c.Schedule.Total}
}

// optimizer builds the case's optimiser over params.
func (c *goldenCase) optimizer(t *testing.T, be gru.Backend, params []gru.Tensor) optim.Optimizer {
	t.Helper()
	s := c.schedule(t)
	switch c.Optimizer {
	case "sgd":
		o, err := optim.NewSGD(be, params, c.LR, c.Momentum, c.WeightDecay)
		if err != nil {
			t.Fatal(err)
		}
		o.Schedule = s
		return o
	case "adam", "adamw":
		decay := 0.0
		if c.Optimizer == "adamw" {
			decay = c.WeightDecay
		}
		o, err := optim.NewAdamW(be, params, c.LR, decay)
		if err != nil {
			t.Fatal(err)
		}
		o.Beta1, o.Beta2, o.Eps, o.Schedule = c.Betas[0], c.Betas[1], c.Eps, s
		return o
	}
	t.Fatalf("unknown optimiser %q", c.Optimizer)
	return nil
}

// TestScheduleMatchesTorch checks every step's learning rate against torch's
// schedulers.
func TestScheduleMatchesTorch(t *testing.T) {
	for _, c := range loadGolden(t) {
		if c.Name == "adamw_defaults" && (c.LR != optim.DefaultAdamWLR || c.WeightDecay != optim.DefaultAdamWWeightDecay ||
			c.Betas[0] != 0.9 || c.Betas[1] != 0.999 || c.Eps != 1e-8) {
			t.Errorf("torch.optim.AdamW's defaults are lr %v, betas %v, eps %v, weight decay %v; optim's differ",
				c.LR, c.Betas, c.Eps, c.WeightDecay)
		}
		s := c.schedule(t)
		for i, st := range c.Steps {
			if got := s.Rate(c.LR, i); !(math.Abs(got-st.LR) <= 1e-12*math.Max(1, st.LR)) {
				t.Errorf("%s: step %d: learning rate %.17g, torch %.17g", c.Name, i, got, st.LR)
			}
		}
	}
}

// TestOptimizersMatchTorch replays each case's gradients through the optimiser on
// the CPU backend, float64 and float32, and checks the parameters after every step
// against torch.optim's.
func TestOptimizersMatchTorch(t *testing.T) {
	for _, dt := range []struct {
		be  gru.Backend
		tol float64
	}{{cpu.New64(), 1e-12}, {cpu.New32(), 2e-5}} {
		for _, c := range loadGolden(t) {
			t.Run(fmt.Sprintf("%v/%s", dt.be.DType(), c.Name), func(t *testing.T) {
				be := dt.be
				params, grads := make([]gru.Tensor, len(c.Shapes)), make([]gru.Tensor, len(c.Shapes))
				for i, sh := range c.Shapes {
					params[i] = put(t, be, c.Initial[i], sh)
					grads[i] = put(t, be, make([]float64, gru.Len(sh)), sh)
				}
				o := c.optimizer(t, be, params)
				for s, st := range c.Steps {
					for i := range grads {
						if err := be.Write(grads[i], st.Grads[i]); err != nil {
							t.Fatal(err)
						}
					}
					if err := o.Step(be, params, grads); err != nil {
						t.Fatal(err)
					}
					for i := range params {
						got := get(t, be, params[i])
						if e := grutest.RelErr(got, st.Params[i]); !(e <= dt.tol) {
							t.Fatalf("step %d, parameter %d: relative error %.3g against torch", s+1, i, e)
						}
					}
				}
				if _, steps := o.State(); steps != len(c.Steps) {
					t.Errorf("State counts %d steps, want %d", steps, len(c.Steps))
				}
			})
		}
	}
}

func put(t *testing.T, be gru.Backend, v []float64, shape []int) gru.Tensor {
	t.Helper()
	tn, err := be.NewTensor(shape...)
	if err != nil {
		t.Fatal(err)
	}
	if err := be.Write(tn, v); err != nil {
		t.Fatal(err)
	}
	return tn
}

func get(t *testing.T, be gru.Backend, tn gru.Tensor) []float64 {
	t.Helper()
	v := make([]float64, gru.Len(tn.Shape()))
	if err := be.Read(v, tn); err != nil {
		t.Fatal(err)
	}
	return v
}
