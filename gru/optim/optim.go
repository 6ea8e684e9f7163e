// Package optim holds the optimisers that update a model's parameters from their
// gradients on the backend, for applications that train: plain SGD and Adam. Each
// runs on the backend's Ops (gru.Ops.SGD, gru.Ops.Adam), so no parameter or
// gradient leaves the device.
package optim

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// Optimizer updates parameters from their gradients on the backend.
type Optimizer interface {
	// Step applies one update to params using grads (matching lists).
	Step(be gru.Backend, params, grads []gru.Tensor) error
	// State returns the optimiser's tensors and counters to checkpoint, by name.
	State() (tensors map[string]gru.Tensor, steps int)
	// Restore sets the step counter after the State tensors have been refilled.
	Restore(steps int)
}

// SGD is plain stochastic gradient descent: p −= LR·g.
type SGD struct {
	LR float64 // the learning rate
}

// Step applies p −= LR·g to every parameter.
func (o *SGD) Step(be gru.Backend, params, grads []gru.Tensor) error {
	for i := range params {
		if err := be.SGD(params[i], grads[i], o.LR); err != nil {
			return err
		}
	}
	return nil
}

// State is empty: SGD keeps none.
func (o *SGD) State() (map[string]gru.Tensor, int) { return nil, 0 }

// Restore does nothing: SGD keeps no state.
func (o *SGD) Restore(int) {}

// Adam is Kingma & Ba's optimiser with bias correction, as torch.optim.Adam.
type Adam struct {
	LR           float64 // the learning rate
	Beta1, Beta2 float64 // the decay rates of the first and second moments
	Eps          float64 // added to the second moment's root in the denominator
	steps        int
	m, v         []gru.Tensor
}

// NewAdam returns Adam with PyTorch's defaults for the betas and epsilon, with its
// moment tensors allocated (zeroed) beside params.
func NewAdam(be gru.Backend, params []gru.Tensor, lr float64) (*Adam, error) {
	o := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	for _, p := range params {
		m, err := be.NewTensor(p.Shape()...)
		if err != nil {
			return nil, err
		}
		v, err := be.NewTensor(p.Shape()...)
		if err != nil {
			return nil, err
		}
		o.m, o.v = append(o.m, m), append(o.v, v)
	}
	return o, nil
}

// Step applies one Adam update to every parameter.
func (o *Adam) Step(be gru.Backend, params, grads []gru.Tensor) error {
	if len(params) != len(o.m) {
		return fmt.Errorf("gru: Adam: built for %d parameters, given %d", len(o.m), len(params))
	}
	o.steps++
	for i := range params {
		if err := be.Adam(params[i], grads[i], o.m[i], o.v[i], o.LR, o.Beta1, o.Beta2, o.Eps, o.steps); err != nil {
			return err
		}
	}
	return nil
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

// Restore sets the step count.
func (o *Adam) Restore(steps int) { o.steps = steps }
