package main

import (
	"errors"
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
)

// checkTrainingFits refuses, before anything is allocated, a training run whose
// model, optimiser state and activations would not fit in the backend's memory or
// whose initial parameters would not fit on the host. The error gives the
// estimate, the limit and the flags that change it.
func checkTrainingFits(be gru.Backend, mc lm.Config, o *trainOptions) error {
	esize, slots := 4, 0
	if be.DType() == gru.Float64 {
		esize = 8
	}
	if o.Optimizer == "adam" {
		slots = 2
	}
	est := mc.EstimateMemory(esize, slots, o.Steps, o.Batch)
	what := fmt.Sprintf("--hidden %d --layers %d (%d parameters) with --batch %d --steps %d", o.Hidden, o.Layers, est.Params, o.Batch, o.Steps)
	err := lm.CheckMemory(be, est, what)
	var me *lm.MemoryError
	if errors.As(err, &me) {
		return fmt.Errorf("%w; lower --hidden, --layers, --batch or --steps", err)
	}
	return err
}
