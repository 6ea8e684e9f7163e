package optim

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
)

// Adam is Kingma & Ba's optimiser with bias correction, as torch.optim.Adam, and
// with WeightDecay set, Loshchilov & Hutter's AdamW with decoupled weight decay,
// as torch.optim.AdamW: each step first shrinks p ← p·(1 − lr·WeightDecay), then
// takes Adam's step, lr being LR scaled by Schedule. (torch.optim.Adam's own
// weight_decay, an L2 penalty added to the gradient, is not offered.)
type Adam struct {
	LR           float64  // the base learning rate
	Beta1, Beta2 float64  // the decay rates of the first and second moments
	Eps          float64  // added to the second moment's root in the denominator
	WeightDecay  float64  // λ ≥ 0, decoupled: 0 is Adam, more is AdamW
	Schedule     Schedule // scales LR step by step; the zero value keeps it constant
	rate
	step gru.Tensor // the number of the step applyStep takes, on the backend
	m, v []gru.Tensor
}

// NewAdam returns Adam with PyTorch's defaults for the betas and epsilon, with its
// moment tensors allocated (zeroed) beside params, and its step number (a
// one-element tensor) on the backend too.
func NewAdam(be gru.Backend, params []gru.Tensor, lr float64) (*Adam, error) {
	o := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	var err error
	if o.m, err = zerosLike(be, params); err != nil {
		return nil, err
	}
	if o.v, err = zerosLike(be, params); err != nil {
		return nil, err
	}
	if o.step, err = be.NewTensor(1); err != nil {
		return nil, err
	}
	return o, nil
}

// DefaultAdamWLR and DefaultAdamWWeightDecay are torch.optim.AdamW's defaults.
const (
	DefaultAdamWLR          = 1e-3
	DefaultAdamWWeightDecay = 1e-2
)

// NewAdamW returns AdamW: NewAdam's optimiser with decoupled weight decay
// (torch.optim.AdamW's default is DefaultAdamWWeightDecay).
func NewAdamW(be gru.Backend, params []gru.Tensor, lr, weightDecay float64) (*Adam, error) {
	o, err := NewAdam(be, params, lr)
	if err != nil {
		return nil, err
	}
	o.WeightDecay = weightDecay
	return o, nil
}

// Step applies one Adam update to every parameter.
func (o *Adam) Step(be gru.Backend, params, grads []gru.Tensor) error {
	if err := checkLens("Adam", len(o.m), params, grads); err != nil {
		return err
	}
	if err := o.prepareStep(be); err != nil {
		return err
	}
	return o.applyStep(be, params, grads)
}

// prepareStep counts the step and writes its number and learning rate to the
// backend, where Apply's bias corrections and update read them.
func (o *Adam) prepareStep(be gru.Backend) error {
	if o.step == nil {
		return fmt.Errorf("gru: Adam: not made by NewAdam")
	}
	if !(o.WeightDecay >= 0) {
		return fmt.Errorf("gru: Adam: weight decay %v must be at least 0", o.WeightDecay)
	}
	next := o.steps + 1
	if next < 1 {
		return fmt.Errorf("gru: Adam: step must be at least 1, got %d", next)
	}
	if next >= math.MaxInt32 {
		return fmt.Errorf("gru: Adam: step %d is past the 2³¹−1 the backend takes", next)
	}
	if err := be.Write(o.step, []float64{float64(next)}); err != nil {
		return err
	}
	return o.prepare(be, "Adam", o.LR, o.Schedule)
}

// applyStep applies the update of the step Prepare counted to every parameter.
func (o *Adam) applyStep(be gru.Backend, params, grads []gru.Tensor) error {
	if err := checkLens("Adam", len(o.m), params, grads); err != nil {
		return err
	}
	lr, err := o.ready("Adam")
	if err != nil {
		return err
	}
	for i := range params {
		if err := be.AdamW(params[i], grads[i], o.m[i], o.v[i], lr, o.step, o.Beta1, o.Beta2, o.Eps, o.WeightDecay); err != nil {
			return err
		}
	}
	return nil
}

// hyperparameters returns β1, β2, ε and the weight decay.
func (o *Adam) hyperparameters() []float64 {
	return []float64{o.Beta1, o.Beta2, o.Eps, o.WeightDecay}
}

// State returns the moment tensors, named "adam.m.i" and "adam.v.i", and the step count.
func (o *Adam) State() (map[string]gru.Tensor, int) {
	st := make(map[string]gru.Tensor, 2*len(o.m))
	for i := range o.m {
		st[fmt.Sprintf("adam.m.%d", i)] = o.m[i]
		st[fmt.Sprintf("adam.v.%d", i)] = o.v[i]
	}
	return st, o.steps
}

// Restore sets the step count; the next step writes the step after it.
func (o *Adam) Restore(steps int) { o.steps = steps }
