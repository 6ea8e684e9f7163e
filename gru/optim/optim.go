// Package optim holds the optimisers that update a model's parameters from their
// gradients on the backend, for applications that train: SGD (with momentum and
// weight decay, as torch.optim.SGD), Adam and AdamW (as torch.optim.Adam and
// torch.optim.AdamW), and the learning-rate Schedule they follow. Each runs on the
// backend's Ops (gru.Ops.SGDMomentum, gru.Ops.AdamW), so no parameter or gradient
// leaves the device.
//
// An update has a host half, Prepare, which counts the step and writes what the
// update reads to the backend (the scheduled learning rate, Adam's step number),
// and a backend half, Apply, which reads nothing from the host: a caller that
// records a training step (lm.Trainer on the CUDA backend) records Apply once and replays it,
// calling Prepare before each replay, and the schedule goes on moving.
package optim

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
)

// Optimizer updates parameters from their gradients on the backend.
type Optimizer interface {
	// Step applies one update to params using grads (matching lists): Prepare,
	// then Apply.
	Step(be gru.Backend, params, grads []gru.Tensor) error
	// Prepare readies the next update on the host: it counts the step and writes to
	// the backend what Apply reads (the learning rate the schedule gives this step,
	// Adam's step number). Call it before each Apply, outside any recording.
	Prepare(be gru.Backend) error
	// Apply runs the update Prepare readied, on the backend alone: it reads no host
	// value that changes from step to step, so a recorded Apply replays right.
	Apply(be gru.Backend, params, grads []gru.Tensor) error
	// Hyperparameters lists the values Apply hands to the backend as arguments
	// (momentum, betas, epsilon, weight decay; not the learning rate, which the
	// backend reads from memory). A recorded Apply keeps those it was recorded
	// with, so a caller that replays one compares them to know when to record again.
	Hyperparameters() []float64
	// State returns the optimiser's tensors and step counter to checkpoint, by name.
	// The counter is also the schedule's position.
	State() (tensors map[string]gru.Tensor, steps int)
	// Restore sets the step counter after the State tensors have been refilled.
	Restore(steps int)
}

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
