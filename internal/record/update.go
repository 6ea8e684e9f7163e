package record

import "github.com/gogru/gogru/gru"

// Update is an optimiser's step split in two for recording: Prepare, the host
// half, counts the step and writes to the backend what Apply reads (the learning
// rate, Adam's step number); Apply, the backend half, reads no host value that
// changes from step to step, so a recorded Apply replays right with Prepare called
// before each replay.
type Update interface {
	// Prepare readies the next update on the host; call it before each Apply,
	// outside any recording.
	Prepare(be gru.Backend) error
	// Apply runs the update Prepare readied, on the backend alone.
	Apply(be gru.Backend, params, grads []gru.Tensor) error
	// Hyperparameters lists the values Apply hands to the backend as arguments
	// (momentum, betas, epsilon, weight decay; not the learning rate, which the
	// backend reads from memory). A recorded Apply keeps those it was recorded
	// with, so a caller that replays one compares them to know when to record again.
	Hyperparameters() []float64
}

var updates []func(opt any) (Update, bool)

// RegisterUpdate adds find, which returns the Update of the optimisers of one
// package (nil, false for any other), to those UpdateFor asks. An optimiser
// package calls it once, from a package-level variable's initialiser; it returns
// true for that.
func RegisterUpdate(find func(opt any) (Update, bool)) bool {
	mu.Lock()
	defer mu.Unlock()
	updates = append(updates, find)
	return true
}

// UpdateFor returns opt's Update, or false when opt's step cannot be split (an
// optimiser of the caller's own): a Trainer then runs its steps eagerly.
func UpdateFor(opt any) (Update, bool) {
	mu.Lock()
	defer mu.Unlock()
	for _, find := range updates {
		if u, ok := find(opt); ok {
			return u, true
		}
	}
	return nil, false
}
