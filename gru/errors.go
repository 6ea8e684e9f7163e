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

// shapeError builds the *ShapeError for arg, copying both shapes so that the error
// does not alias a tensor's shape.
func shapeError(arg string, want, got []int) *ShapeError {
	return &ShapeError{Arg: arg, Want: append([]int(nil), want...), Got: append([]int(nil), got...)}
}

// CheckShape returns a *ShapeError when got differs from want.
func CheckShape(arg string, want, got []int) error {
	if !EqualShape(want, got) {
		return shapeError(arg, want, got)
	}
	return nil
}

// EqualShape reports whether two shapes are the same.
func EqualShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ErrNoForward is returned by Backward when no Forward has saved the activations it needs.
var ErrNoForward = errors.New("gru: Backward called before Forward")

// ErrClosed is returned by any call on a closed backend or stack.
var ErrClosed = errors.New("gru: use of a closed backend or stack")

// CheckLengths validates per-sequence lengths for a batch of B sequences of T steps.
// A nil slice means every sequence has length T.
func CheckLengths(lengths []int, T, B int) error {
	if lengths == nil {
		return nil
	}
	if len(lengths) != B {
		return &ShapeError{Arg: "lengths", Want: []int{B}, Got: []int{len(lengths)}}
	}
	for i, n := range lengths {
		if n < 1 || n > T {
			return fmt.Errorf("gru: lengths[%d] = %d: each length must be in [1, T=%d]", i, n, T)
		}
	}
	return nil
}
