// Package optim holds the optimisers that update a model's parameters from their
// gradients on the backend, for applications that train: SGD (with momentum and
// weight decay, as torch.optim.SGD), Adam and AdamW (as torch.optim.Adam and
// torch.optim.AdamW), and the learning-rate Schedule they follow. Each runs on the
// backend's Ops (gru.Ops.SGDMomentum, gru.Ops.AdamW), so no parameter or gradient
// leaves the device.
//
// Each Step counts the step, writes what changes from step to step (the
// scheduled learning rate, Adam's step number) to one-element tensors on the
// backend, and runs the update there, which reads no host value: a step that
// gru/lm's Trainer replays on the GPU still follows the schedule.
package optim

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/record"
)

// Optimizer updates parameters from their gradients on the backend.
type Optimizer interface {
	// Step applies one update to params using grads (matching lists).
	Step(be gru.Backend, params, grads []gru.Tensor) error
}

// Stateful is an Optimizer with state to checkpoint: package checkpoint saves
// and restores it. Adam and SGD are Stateful.
type Stateful interface {
	Optimizer
	// State returns the optimiser's tensors and step counter to checkpoint, by name.
	// The counter is also the schedule's position.
	State() (tensors map[string]gru.Tensor, steps int)
	// Restore sets the step counter after the State tensors have been refilled.
	Restore(steps int)
}

// The optimisers' steps split in two for gru/lm's Trainer, which records the
// backend half once and replays it (see record.Update).
var _ = record.RegisterUpdate(func(opt any) (record.Update, bool) {
	switch o := opt.(type) {
	case *Adam:
		return adamUpdate{o}, true
	case *SGD:
		return sgdUpdate{o}, true
	}
	return nil, false
})

// adamUpdate and sgdUpdate are the optimisers as record.Updates.
type (
	adamUpdate struct{ *Adam }
	sgdUpdate  struct{ *SGD }
)

func (u adamUpdate) Prepare(be gru.Backend) error { return u.prepareStep(be) }
func (u adamUpdate) Apply(be gru.Backend, params, grads []gru.Tensor) error {
	return u.applyStep(be, params, grads)
}
func (u adamUpdate) Hyperparameters() []float64  { return u.hyperparameters() }
func (u sgdUpdate) Prepare(be gru.Backend) error { return u.prepareStep(be) }
func (u sgdUpdate) Apply(be gru.Backend, params, grads []gru.Tensor) error {
	return u.applyStep(be, params, grads)
}
func (u sgdUpdate) Hyperparameters() []float64 { return u.hyperparameters() }

// rate is what every optimiser keeps for its learning rate: the step counter
// and the rate of the step Prepare readied, in a one-element tensor on the backend.
type rate struct {
	steps int
	lr    gru.Tensor
}

// prepare counts the step and writes base·schedule(step) to the backend,
// allocating the tensor on first use.
func (r *rate) prepare(be gru.Backend, name string, base float64, s Schedule) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("gru: %s: %w", name, err)
	}
	lr := s.Rate(base, r.steps)
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("gru: %s: learning rate %v at step %d", name, lr, r.steps+1)
	}
	if r.lr == nil {
		t, err := be.NewTensor(1)
		if err != nil {
			return err
		}
		r.lr = t
	}
	if err := be.Write(r.lr, []float64{lr}); err != nil {
		return err
	}
	r.steps++
	return nil
}

// ready returns the learning-rate tensor, refusing an Apply before any Prepare.
func (r *rate) ready(name string) (gru.Tensor, error) {
	if r.lr == nil {
		return nil, fmt.Errorf("gru: %s: Apply before Prepare (the learning rate is not on the backend yet)", name)
	}
	return r.lr, nil
}

// checkLens checks that params and grads match the n tensors of state an
// optimiser was built for.
func checkLens(name string, n int, params, grads []gru.Tensor) error {
	if len(params) != n || len(grads) != n {
		return fmt.Errorf("gru: %s: built for %d parameters, given %d and %d gradients", name, n, len(params), len(grads))
	}
	return nil
}

// zerosLike allocates one zeroed tensor beside each of params.
func zerosLike(be gru.Backend, params []gru.Tensor) ([]gru.Tensor, error) {
	if be == nil {
		return nil, fmt.Errorf("gru: optimizer: nil backend")
	}
	ts := make([]gru.Tensor, len(params))
	for i, p := range params {
		if p == nil {
			for _, a := range ts[:i] {
				be.Free(a)
			}
			return nil, fmt.Errorf("gru: optimizer: parameter %d is nil", i)
		}
		t, err := be.NewTensor(p.Shape()...)
		if err != nil {
			for _, a := range ts[:i] {
				be.Free(a)
			}
			return nil, err
		}
		ts[i] = t
	}
	return ts, nil
}
