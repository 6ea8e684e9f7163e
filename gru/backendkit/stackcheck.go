package backendkit

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// SeqDims reads T and B from a sequence shape in c's layout; −1, −1 when the
// shape is not 3-D.
func SeqDims(c gru.Config, shape []int) (steps, batch int) {
	if len(shape) != 3 {
		return -1, -1
	}
	if c.Layout == gru.BatchFirst {
		return shape[1], shape[0]
	}
	return shape[0], shape[1]
}

// CheckForward validates the shapes of a gru.Stack.Forward call on a stack of
// configuration c, so that every backend reports the same errors: x and y are
// required; h0 and hN are nil when absent. It returns T and B.
func CheckForward(c gru.Config, x, h0, y, hN []int, lengths []int) (steps, batch int, err error) {
	steps, batch = SeqDims(c, x)
	if steps < 1 || batch < 1 || x[2] != c.InputSize {
		want := c.SeqShape(-1, -1, c.InputSize)
		if steps >= 1 && batch >= 1 {
			want = c.SeqShape(steps, batch, c.InputSize)
		}
		return 0, 0, &gru.ShapeError{Arg: "x", Want: want, Got: x}
	}
	if err := CheckShape("y", c.SeqShape(steps, batch, c.OutputSize()), y); err != nil {
		return 0, 0, err
	}
	if err := checkStates(c, batch, [2]string{"h0", "hN"}, [2][]int{h0, hN}); err != nil {
		return 0, 0, err
	}
	return steps, batch, CheckLengths(lengths, steps, batch)
}

// CheckBackward validates the shapes of a gru.Stack.Backward call on a stack of
// configuration c after a Forward of T steps and B sequences: dy is required; dhN,
// dx and dh0 are nil when absent.
func CheckBackward(c gru.Config, steps, batch int, dy, dhN, dx, dh0 []int) error {
	if err := CheckShape("dy", c.SeqShape(steps, batch, c.OutputSize()), dy); err != nil {
		return err
	}
	if dx != nil {
		if err := CheckShape("dx", c.SeqShape(steps, batch, c.InputSize), dx); err != nil {
			return err
		}
	}
	return checkStates(c, batch, [2]string{"dhN", "dh0"}, [2][]int{dhN, dh0})
}

// checkStates checks two state tensors' shapes (h0 and hN, or dhN and dh0; nil
// when absent) against the state shape of a batch of B sequences.
func checkStates(c gru.Config, batch int, names [2]string, shapes [2][]int) error {
	for i, s := range shapes {
		if s != nil {
			if err := CheckShape(names[i], c.StateShape(batch), s); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckLengths validates per-sequence lengths for a batch of B sequences of T steps
// (Forward's lengths). A nil slice means every sequence has length T.
func CheckLengths(lengths []int, T, B int) error {
	if lengths == nil {
		return nil
	}
	if len(lengths) != B {
		return &gru.ShapeError{Arg: "lengths", Want: []int{B}, Got: []int{len(lengths)}}
	}
	for i, n := range lengths {
		if n < 1 || n > T {
			return fmt.Errorf("gru: lengths[%d] = %d: each length must be in [1, T=%d]", i, n, T)
		}
	}
	return nil
}
