package gru

import (
	"errors"
	"fmt"
)

// ShapeError reports an argument whose shape is not the one expected.
type ShapeError struct {
	Arg  string // the argument, as the API names it: "x", "h0", "params.cell[1].Wx", ...
	Want []int  // the shape expected
	Got  []int  // the shape received
}

// Error names the argument, the expected shape and the shape received. A wanted
// dimension of −1 means any size and prints as *.
func (e *ShapeError) Error() string {
	return fmt.Sprintf("gru: %s: want shape %s, got %v", e.Arg, formatShape(e.Want), e.Got)
}

func formatShape(s []int) string {
	b := []byte{'['}
	for i, d := range s {
		if i > 0 {
			b = append(b, ' ')
		}
		if d < 0 {
			b = append(b, '*')
		} else {
			b = fmt.Appendf(b, "%d", d)
		}
	}
	return string(append(b, ']'))
}

// ErrNoForward is returned by Backward when no Forward has saved the activations it needs.
var ErrNoForward = errors.New("gru: Backward called before Forward")

// ErrClosed is returned by any call on a closed backend or stack.
var ErrClosed = errors.New("gru: use of a closed backend or stack")

// ErrDeviceLost is matched (errors.Is) by a backend error after which the device
// can do no more work in this process: on a GPU, a sticky CUDA error such as an
// illegal address or a failed launch. Everything on the device is gone; what was
// written to files before it (a checkpoint) is intact.
var ErrDeviceLost = errors.New("gru: the device is lost")
