package grutest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/optim"
)

// torchOptim holds torch.optim's updates made by scripts/gen_optim_golden.py with
// python3-torch: per case an optimiser, a schedule, two parameters and a few steps
// of fixed gradients, with the learning rate and the parameters after every step.
//
//go:embed testdata/optim/torch_optim.json
var torchOptim []byte

// optimCase is one case of torchOptim.
type optimCase struct {
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

// optimTolerance is the relative error allowed against torch's float64 updates:
// float64 agrees to rounding, float32 to its precision over a dozen steps.
func optimTolerance(d gru.DType) float64 {
	if d == gru.Float64 {
		return 1e-12
	}
	return 2e-5
}

// OptimizersMatchTorch replays every case of the golden file through package
// optim's optimisers on be, checking every step's learning rate against torch's
// schedulers and the parameters after every step against torch.optim's: SGD
// plain, with weight decay, and with momentum; Adam; AdamW with its defaults;
// constant, step and cosine schedules, with and without warm-up.
func OptimizersMatchTorch(t *testing.T, be gru.Backend) {
	var f struct {
		Cases []optimCase `json:"cases"`
	}
	if err := json.Unmarshal(torchOptim, &f); err != nil || len(f.Cases) == 0 {
		t.Fatalf("golden file of torch.optim: %d cases, %v", len(f.Cases), err)
	}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) { c.run(t, be) })
	}
}

// run checks one case.
func (c *optimCase) run(t *testing.T, be gru.Backend) {
	kind, err := optim.ParseScheduleKind(c.Schedule.Kind)
	if err != nil {
		t.Fatal(err)
	}
	sched := optim.Schedule{Kind: kind, Warmup: c.Schedule.Warmup, StepSize: c.Schedule.StepSize, Gamma: c.Schedule.Gamma, Total: c.Schedule.Total}
	for i, st := range c.Steps {
		if got := sched.Rate(c.LR, i); !(math.Abs(got-st.LR) <= 1e-12*math.Max(1, st.LR)) {
			t.Errorf("step %d: learning rate %.17g, torch %.17g", i, got, st.LR)
		}
	}
	if c.Name == "adamw_defaults" && (c.LR != optim.DefaultAdamWLR || c.WeightDecay != optim.DefaultAdamWWeightDecay ||
		c.Betas[0] != 0.9 || c.Betas[1] != 0.999 || c.Eps != 1e-8) {
		t.Errorf("torch.optim.AdamW's defaults are lr %v, betas %v, eps %v, weight decay %v; optim's differ", c.LR, c.Betas, c.Eps, c.WeightDecay)
	}
	params, grads := make([]gru.Tensor, len(c.Shapes)), make([]gru.Tensor, len(c.Shapes))
	for i, sh := range c.Shapes {
		if params[i], err = upload(be, sh, c.Initial[i]); err != nil {
			t.Fatal(err)
		}
		if grads[i], err = be.NewTensor(sh...); err != nil {
			t.Fatal(err)
		}
	}
	var o optim.Stateful
	switch c.Optimizer {
	case "sgd":
		s, err := optim.NewSGD(be, params, c.LR, c.Momentum, c.WeightDecay)
		if err != nil {
			t.Fatal(err)
		}
		s.Schedule, o = sched, s
	case "adam", "adamw":
		decay := 0.0
		if c.Optimizer == "adamw" {
			decay = c.WeightDecay
		}
		a, err := optim.NewAdamW(be, params, c.LR, decay)
		if err != nil {
			t.Fatal(err)
		}
		a.Beta1, a.Beta2, a.Eps, a.Schedule, o = c.Betas[0], c.Betas[1], c.Eps, sched, a
	default:
		t.Fatalf("unknown optimiser %q", c.Optimizer)
	}
	tol := optimTolerance(be.DType())
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
			got, err := download(be, params[i])
			if err != nil {
				t.Fatal(err)
			}
			if e := RelErr(got, st.Params[i]); !(e <= tol) {
				t.Fatalf("%s: step %d, parameter %d: relative error %.3g against torch", fmt.Sprint(be.DType()), s+1, i, e)
			}
		}
	}
	if _, steps := o.State(); steps != len(c.Steps) {
		t.Errorf("State counts %d steps, want %d", steps, len(c.Steps))
	}
}
