package corpus

import (
	"fmt"
	"math/rand/v2"
)

// Batch is one minibatch of B sequences of T steps, time-major: X[t·B + b] is
// step t of sequence b, and Y holds the token that follows each.
type Batch struct {
	X, Y []int32
	T, B int
}

// Sampling chooses how minibatches are cut from the corpus.
type Sampling int

const (
	// Sequential partitioning (D2L's seq_data_iter_sequential): the corpus is split
	// into B rows after a random offset, and consecutive batches continue each row,
	// so the hidden state carries from one batch to the next.
	Sequential Sampling = iota
	// Random sampling (D2L's seq_data_iter_random): random subsequences, shuffled; the
	// state restarts every batch.
	Random
)

// String names the sampling as the CLI spells it.
func (s Sampling) String() string {
	if s == Random {
		return "random"
	}
	return "sequential"
}

// ParseSampling reads "sequential" or "random".
func ParseSampling(s string) (Sampling, error) {
	switch s {
	case "sequential":
		return Sequential, nil
	case "random":
		return Random, nil
	}
	return 0, fmt.Errorf("corpus: unknown sampling %q (want sequential or random)", s)
}

// Epoch cuts one epoch's minibatches from ids, drawing offsets (and the shuffle)
// from rng exactly as D2L's iterators do. It errors when the corpus is too short
// for one batch.
func Epoch(ids []int32, batch, steps int, s Sampling, rng *rand.Rand) ([]Batch, error) {
	if batch < 1 || steps < 1 {
		return nil, fmt.Errorf("corpus: batch and steps must be positive, got %d and %d", batch, steps)
	}
	if rng == nil {
		return nil, fmt.Errorf("corpus: Epoch: nil random source")
	}
	if steps >= len(ids) || batch >= len(ids) {
		// Too few for any offset; saying so before drawing keeps steps+1 and
		// batch·steps from overflowing below.
		return nil, tooFew(len(ids), batch, steps)
	}
	var out []Batch
	if s == Random {
		offset := rng.IntN(steps) // random.randint(0, num_steps - 1)
		n := (len(ids) - offset - 1) / steps
		starts := make([]int, n)
		for i := range starts {
			starts[i] = offset + i*steps
		}
		rng.Shuffle(len(starts), func(i, j int) { starts[i], starts[j] = starts[j], starts[i] })
		for k := 0; k+batch <= n; k += batch {
			out = append(out, cut(ids, starts[k:k+batch], steps))
		}
	} else {
		offset := rng.IntN(steps + 1) // random.randint(0, num_steps)
		out = sequential(ids[min(offset, len(ids)):], batch, steps)
	}
	if len(out) == 0 {
		return nil, tooFew(len(ids), batch, steps)
	}
	return out, nil
}

// tooFew is Epoch's error for a corpus shorter than one batch.
func tooFew(n, batch, steps int) error {
	return fmt.Errorf("corpus: %d tokens are too few for one batch of %d × %d (+1)", n, batch, steps)
}

// SequentialBatches cuts ids into the minibatches of sequential partitioning from offset
// 0, with no randomness: B rows, each a contiguous stretch, continued from batch to
// batch. It is how held-out text is scored. It errors when ids are too few for one
// batch.
func SequentialBatches(ids []int32, batch, steps int) ([]Batch, error) {
	if batch < 1 || steps < 1 {
		return nil, fmt.Errorf("corpus: batch and steps must be positive, got %d and %d", batch, steps)
	}
	if steps >= len(ids) || batch >= len(ids) {
		return nil, tooFew(len(ids), batch, steps)
	}
	out := sequential(ids, batch, steps)
	if len(out) == 0 {
		return nil, tooFew(len(ids), batch, steps)
	}
	return out, nil
}

// sequential is the sequential partitioning of ids from their start.
func sequential(ids []int32, batch, steps int) []Batch {
	var out []Batch
	per := (len(ids) - 1) / batch
	starts := make([]int, batch)
	for b := range starts {
		starts[b] = b * per
	}
	for i := 0; i+steps <= per; i += steps {
		out = append(out, cut(ids, starts, steps))
		for b := range starts {
			starts[b] += steps
		}
	}
	return out
}

// MaxBatches is the most minibatches an epoch of n ids can have: Epoch's count at
// offset 0 (a random offset may leave one fewer).
func MaxBatches(n, batch, steps int, s Sampling) int {
	if n < 1 || batch < 1 || steps < 1 {
		return 0
	}
	if s == Random {
		return (n - 1) / steps / batch
	}
	return (n - 1) / batch / steps
}

// cut makes a batch of the subsequences starting at starts.
func cut(ids []int32, starts []int, steps int) Batch {
	B := len(starts)
	bt := Batch{X: make([]int32, steps*B), Y: make([]int32, steps*B), T: steps, B: B}
	for b, s := range starts {
		for t := range steps {
			bt.X[t*B+b] = ids[s+t]
			bt.Y[t*B+b] = ids[s+t+1]
		}
	}
	return bt
}

// Rows returns sequences [lo, hi) of b as a batch of their own, time-major like b:
// the rows one process of a data-parallel job trains on. Taking the same rows of
// every sequential batch keeps each row's text, and so its carried state, on one
// process.
func (b Batch) Rows(lo, hi int) (Batch, error) {
	if lo < 0 || hi > b.B || lo >= hi {
		return Batch{}, fmt.Errorf("corpus: rows [%d, %d) of a batch of %d", lo, hi, b.B)
	}
	n := hi - lo
	out := Batch{X: make([]int32, b.T*n), Y: make([]int32, b.T*n), T: b.T, B: n}
	for t := range b.T {
		copy(out.X[t*n:(t+1)*n], b.X[t*b.B+lo:t*b.B+hi])
		copy(out.Y[t*n:(t+1)*n], b.Y[t*b.B+lo:t*b.B+hi])
	}
	return out, nil
}
