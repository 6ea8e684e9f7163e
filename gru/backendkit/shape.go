package backendkit

import (
	"slices"

	"github.com/gogru/gogru/gru"
)

// shapeError builds the *gru.ShapeError for arg, copying both shapes so that the
// error does not alias a tensor's shape.
func shapeError(arg string, want, got []int) *gru.ShapeError {
	return &gru.ShapeError{Arg: arg, Want: append([]int(nil), want...), Got: append([]int(nil), got...)}
}

// CheckShape returns a *gru.ShapeError when got differs from want.
func CheckShape(arg string, want, got []int) error {
	if !slices.Equal(want, got) {
		return shapeError(arg, want, got)
	}
	return nil
}
