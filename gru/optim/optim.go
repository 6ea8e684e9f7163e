// Package optim holds the optimisers that update a model's parameters from their
// gradients on the backend, for applications that train: plain SGD and Adam. Each
// runs on the backend's Ops (gru.Ops.SGD, gru.Ops.Adam), so no parameter or
// gradient leaves the device.
//
// An update has a host half, Prepare, which counts the step and writes what the
// update reads to the backend, and a backend half, Apply, which reads nothing from
// the host: a caller that records a training step (gru.Recorder) records Apply
// once and replays it, calling Prepare before each replay.
package optim

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Optimizer updates parameters from their gradients on the backend.
type Optimizer interface {
	// Step applies one update to params using grads (matching lists): Prepare,
	// then Apply.
	Step(be gru.Backend, params, grads []gru.Tensor) error
	// Prepare readies the next update on the host: it counts the step and writes to
	// the backend what Apply reads (Adam's step number). Call it before each Apply,
	// outside any recording.
	Prepare(be gru.Backend) error
	// Apply runs the update Prepare readied, on the backend alone: it reads no host
	// value that changes from step to step, so a recorded Apply replays right.
	Apply(be gru.Backend, params, grads []gru.Tensor) error
	// Hyperparameters lists the values Apply hands to the backend as arguments
	// (learning rate, betas, epsilon). A recorded Apply keeps those it was recorded
	// with, so a caller that replays one compares them to know when to record again.
	Hyperparameters() []float64
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
	return o.Apply(be, params, grads)
}

// Prepare does nothing: SGD reads nothing that changes between steps.
func (o *SGD) Prepare(gru.Backend) error { return nil }

// Apply applies p −= LR·g to every parameter.
func (o *SGD) Apply(be gru.Backend, params, grads []gru.Tensor) error {
	if len(params) != len(grads) {
		return fmt.Errorf("gru: SGD: %d parameters and %d gradients", len(params), len(grads))
	}
	for i := range params {
		if err := be.SGD(params[i], grads[i], o.LR); err != nil {
			return err
		}
	}
	return nil
}

// Hyperparameters returns the learning rate.
func (o *SGD) Hyperparameters() []float64 { return []float64{o.LR} }

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
	step         gru.IDs // the number of the step Apply takes, on the backend
	m, v         []gru.Tensor
}

// NewAdam returns Adam with PyTorch's defaults for the betas and epsilon, with its
// moment tensors allocated (zeroed) beside params, and its step number (one id) on
// the backend too.
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
	var err error
	if o.step, err = be.NewIDs(1, math.MaxInt32); err != nil {
		return nil, err
	}
	return o, nil
}

// Step applies one Adam update to every parameter.
func (o *Adam) Step(be gru.Backend, params, grads []gru.Tensor) error {
	if err := o.check(params, grads); err != nil {
		return err
	}
	if err := o.Prepare(be); err != nil {
		return err
	}
	return o.Apply(be, params, grads)
}

// Prepare counts the step and writes its number to the backend, where Apply's
// bias corrections read it.
func (o *Adam) Prepare(be gru.Backend) error {
	if o.step == nil {
		return fmt.Errorf("gru: Adam: not made by NewAdam")
	}
	next := o.steps + 1
	if err := backendkit.CheckAdamStep(next); err != nil {
		return err
	}
	if next >= math.MaxInt32 {
		return fmt.Errorf("gru: Adam: step %d does not fit the int32 the backend reads", next)
	}
	if err := be.WriteIDs(o.step, []int32{int32(next)}); err != nil {
		return err
	}
	o.steps = next
	return nil
}

// Apply applies the update of the step Prepare counted to every parameter.
func (o *Adam) Apply(be gru.Backend, params, grads []gru.Tensor) error {
	if err := o.check(params, grads); err != nil {
		return err
	}
	for i := range params {
		if err := be.Adam(params[i], grads[i], o.m[i], o.v[i], o.LR, o.Beta1, o.Beta2, o.Eps, o.step); err != nil {
			return err
		}
	}
	return nil
}

// check checks that params and grads match the moments NewAdam made.
func (o *Adam) check(params, grads []gru.Tensor) error {
	if len(params) != len(o.m) || len(grads) != len(o.m) {
		return fmt.Errorf("gru: Adam: built for %d parameters, given %d and %d gradients", len(o.m), len(params), len(grads))
	}
	return nil
}

// Hyperparameters returns the learning rate, β1, β2 and ε.
func (o *Adam) Hyperparameters() []float64 { return []float64{o.LR, o.Beta1, o.Beta2, o.Eps} }

// State returns the moment tensors, named "adam.m.i" and "adam.v.i", and the step count.
func (o *Adam) State() (map[string]gru.Tensor, int) {
	st := make(map[string]gru.Tensor, 2*len(o.m))
	for i := range o.m {
		st[fmt.Sprintf("adam.m.%d", i)] = o.m[i]
		st[fmt.Sprintf("adam.v.%d", i)] = o.v[i]
	}
	return st, o.steps
}

// Restore sets the step count; the next Prepare writes the step after it.
func (o *Adam) Restore(steps int) { o.steps = steps }
