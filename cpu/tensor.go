package cpu

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Float is the element type of a CPU backend.
type Float interface{ float32 | float64 }

// Tensor is a CPU tensor: a row-major slice and its shape.
type Tensor[T Float] struct {
	shape []int
	data  []T
}

// Shape returns the tensor's dimensions.
func (t *Tensor[T]) Shape() []int { return t.shape }

// Data returns the tensor's elements in row-major order. It aliases the tensor.
func (t *Tensor[T]) Data() []T { return t.data }

// rowsCols views the tensor as a matrix: all axes but the last are rows.
func (t *Tensor[T]) rowsCols() (int, int) { return backendkit.Matrix(t.shape) }

// asTensor checks that t is a tensor of this backend. nil gives nil, nil.
func asTensor[T Float](arg string, t gru.Tensor) (*Tensor[T], error) {
	if t == nil {
		return nil, nil
	}
	ct, ok := t.(*Tensor[T])
	if !ok || ct == nil {
		return nil, fmt.Errorf("cpu: %s: tensor of type %T does not belong to this %s backend", arg, t, dtypeOf[T]())
	}
	if ct.data == nil && gru.Len(ct.shape) > 0 {
		return nil, fmt.Errorf("cpu: %s: tensor has been freed", arg)
	}
	return ct, nil
}

// newKit is the Resolver of a backend: it resolves and checks the arguments of its
// calls with the checks all backends share.
func newKit[T Float]() backendkit.Resolver[*Tensor[T], *IDs] {
	return backendkit.Resolver[*Tensor[T], *IDs]{Backend: "cpu", Tensor: asTensor[T], IDs: mustIDs}
}

func dtypeOf[T Float]() gru.DType {
	var z T
	if _, ok := any(z).(float32); ok {
		return gru.Float32
	}
	return gru.Float64
}
