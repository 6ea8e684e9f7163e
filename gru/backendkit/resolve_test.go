package backendkit

import (
	"errors"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

type fakeTensor struct{ shape []int }

func (f *fakeTensor) Shape() []int { return f.shape }

type foreignTensor struct{ fakeTensor }

// A Resolver built from a backend's two ownership checks names the argument that
// failed, and which of a pair.
func TestResolverNamesTheBadArgument(t *testing.T) {
	r := Resolver[*fakeTensor, gru.IDs]{
		Backend: "fake",
		Tensor: func(arg string, t gru.Tensor) (*fakeTensor, error) {
			if t == nil {
				return nil, nil
			}
			f, ok := t.(*fakeTensor)
			if !ok {
				return nil, errors.New("fake: " + arg + ": not mine")
			}
			return f, nil
		},
		IDs: func(arg string, ids gru.IDs) (gru.IDs, error) { return ids, nil },
	}
	a, b := &fakeTensor{[]int{2, 3}}, &fakeTensor{[]int{3, 2}}
	if _, err := r.MustTensor("Fill", nil); err == nil || err.Error() != "fake: Fill: nil tensor" {
		t.Errorf("MustTensor(nil): %v", err)
	}
	if _, _, err := r.Pair("Copy", a, &foreignTensor{}); err == nil || !strings.HasSuffix(err.Error(), "not mine (second tensor)") {
		t.Errorf("Pair with a foreign second tensor: %v", err)
	}
	if _, _, err := r.Pair("Copy", nil, b); err == nil || !strings.HasSuffix(err.Error(), "(first tensor)") {
		t.Errorf("Pair with a nil first tensor: %v", err)
	}
	if _, _, err := r.SameLen("SGD", a, b); err != nil {
		t.Errorf("SameLen of 6 and 6 values: %v", err)
	}
	var se *gru.ShapeError
	if _, _, err := r.SameLen("SGD", a, &fakeTensor{[]int{5}}); !errors.As(err, &se) || se.Arg != "SGD: second tensor" {
		t.Errorf("SameLen of 6 and 5 values: %v", err)
	}
	if err := CheckNewStack(true, gru.Config{}, nil); !errors.Is(err, gru.ErrClosed) {
		t.Errorf("CheckNewStack on a closed backend: %v", err)
	}
}
