package optim

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// SGD is stochastic gradient descent as torch.optim.SGD with dampening 0 and
// Nesterov off: with d = g + WeightDecay·p, it keeps buf ← Momentum·buf + d and
// applies p ← p − lr·buf (p ← p − lr·d without momentum), lr being LR scaled by
// Schedule at each step.
//
// Plain SGD needs no constructor: &SGD{LR: 0.1} works. With Momentum, make it with
// NewSGD, which allocates the momentum buffers.
type SGD struct {
	LR          float64  // the base learning rate
	Momentum    float64  // μ in [0, 1); 0 keeps no buffers
	WeightDecay float64  // λ ≥ 0, the L2 penalty added to the gradient
	Schedule    Schedule // scales LR step by step; the zero value keeps it constant
	rate
	bufs []gru.Tensor
}

// NewSGD returns SGD with its momentum buffers (zeroed) allocated beside params
// when momentum is not 0.
func NewSGD(be gru.Backend, params []gru.Tensor, lr, momentum, weightDecay float64) (*SGD, error) {
	o := &SGD{LR: lr, Momentum: momentum, WeightDecay: weightDecay}
	if momentum != 0 {
		var err error
		if o.bufs, err = zerosLike(be, params); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// Step applies one update to every parameter.
func (o *SGD) Step(be gru.Backend, params, grads []gru.Tensor) error {
	if err := o.prepareStep(be); err != nil {
		return err
	}
	return o.applyStep(be, params, grads)
}

// prepareStep counts the step and writes its learning rate to the backend.
func (o *SGD) prepareStep(be gru.Backend) error {
	if !(o.Momentum >= 0 && o.Momentum < 1) || !(o.WeightDecay >= 0) {
		return fmt.Errorf("gru: SGD: momentum %v must lie in [0, 1) and weight decay %v be at least 0", o.Momentum, o.WeightDecay)
	}
	if o.Momentum != 0 && o.bufs == nil {
		return fmt.Errorf("gru: SGD: momentum %v needs the buffers NewSGD allocates", o.Momentum)
	}
	return o.prepare(be, "SGD", o.LR, o.Schedule)
}

// applyStep applies the update of the step Prepare counted to every parameter.
func (o *SGD) applyStep(be gru.Backend, params, grads []gru.Tensor) error {
	lr, err := o.ready("SGD")
	if err != nil {
		return err
	}
	if len(params) != len(grads) {
		return fmt.Errorf("gru: SGD: %d parameters and %d gradients", len(params), len(grads))
	}
	if o.Momentum != 0 {
		if err := checkLens("SGD", len(o.bufs), params, grads); err != nil {
			return err
		}
	}
	for i := range params {
		var buf gru.Tensor
		if o.Momentum != 0 {
			buf = o.bufs[i]
		}
		if err := be.SGDMomentum(params[i], grads[i], buf, lr, o.Momentum, o.WeightDecay); err != nil {
			return err
		}
	}
	return nil
}

// hyperparameters returns the momentum and the weight decay.
func (o *SGD) hyperparameters() []float64 { return []float64{o.Momentum, o.WeightDecay} }

// State returns the momentum buffers, named "sgd.momentum.i" (none without
// momentum), and the step count.
func (o *SGD) State() (map[string]gru.Tensor, int) {
	st := make(map[string]gru.Tensor, len(o.bufs))
	for i, b := range o.bufs {
		st[fmt.Sprintf("sgd.momentum.%d", i)] = b
	}
	return st, o.steps
}

// Restore sets the step count; the next step readies the step after it.
func (o *SGD) Restore(steps int) { o.steps = steps }
