package main

import (
	"errors"
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grubench"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/internal/checked"
)

// elemBytes is the size of one element on be.
func elemBytes(be gru.Backend) int {
	if be.DType() == gru.Float64 {
		return 8
	}
	return 4
}

// checkTrainingFits refuses, before anything is allocated, a training run whose
// model, optimiser state and activations would not fit in the backend's memory or
// whose initial parameters would not fit on the host. The error gives the
// estimate, the limit and the flags that change it. The estimate is computed in
// float64, so flags up to 2^63−1 are refused with their true figures.
func checkTrainingFits(be gru.Backend, mc lm.Config, o *trainOptions) error {
	slots := 0
	switch o.Optimizer {
	case "adam", "adamw":
		slots = 2 // the moments
	case "momentum":
		slots = 1 // the momentum buffers
	}
	est := mc.EstimateMemory(elemBytes(be), slots, o.Steps, o.Batch/o.dist.size()) // a rank holds its rows only
	model := fmt.Sprintf("--hidden %d --layers %d", o.Hidden, o.Layers)
	if o.Embed > 0 {
		model += fmt.Sprintf(" --embed %d", o.Embed)
	}
	what := fmt.Sprintf("%s (%s parameters) with --batch %d --steps %d", model, checked.Count(est.Params), o.Batch, o.Steps)
	err := lm.CheckMemory(be, est, what)
	var me *lm.MemoryError
	if errors.As(err, &me) {
		return fmt.Errorf("%w; lower --hidden, --layers, --embed, --batch or --steps", err)
	}
	return err
}

// checkBenchFits makes train's check for one bench shape: a one-layer stack's
// parameters, gradients and activations on be, plus the host's float64 copies
// of the parameters and of the largest input or output it writes.
func checkBenchFits(be gru.Backend, s grubench.Shape) error {
	g := gru.Config{InputSize: s.D, HiddenSize: s.H, Layers: 1}
	est := lm.EstimateStack(g, elemBytes(be), 0, s.T, s.B)
	est.Host += 8 * float64(checked.Of(s.T, s.B, max(s.D, s.H)))
	what := fmt.Sprintf("shape %v: %s parameters with their activations", s, checked.Count(est.Params))
	err := lm.CheckMemory(be, est, what)
	var me *lm.MemoryError
	if errors.As(err, &me) {
		return fmt.Errorf("%w; choose smaller --shapes", err)
	}
	return err
}
