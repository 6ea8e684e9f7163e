package tensorfile

import (
	"fmt"
	"math"
	"slices"
)

// Shape returns the stored shape of the named tensor.
func (f *File) Shape(name string) ([]int, bool) {
	v, ok := f.st.Tensor(name)
	if !ok {
		return nil, false
	}
	s := make([]int, len(v.Shape()))
	for i, d := range v.Shape() {
		s[i] = int(d)
	}
	return s, true
}

// Compare reports the first difference between the tensors of a and b: a name
// only one holds, a shape, or a value differing by more than tol·max(1, |a's|)
// (tol 0 asks for equal bits). Metadata is not compared.
func Compare(a, b *File, tol float64) error {
	names := a.Names()
	slices.Sort(names)
	for _, n := range b.Names() {
		if _, ok := a.Shape(n); !ok {
			return fmt.Errorf("tensor %s: only in %s", n, b.Path)
		}
	}
	for _, n := range names {
		shape, _ := a.Shape(n)
		if got, ok := b.Shape(n); !ok || !slices.Equal(got, shape) {
			return fmt.Errorf("tensor %s: shape %v in %s, %v (present %v) in %s", n, shape, a.Path, got, ok, b.Path)
		}
		x, err := a.Tensor(n, shape)
		if err != nil {
			return err
		}
		y, err := b.Tensor(n, shape)
		if err != nil {
			return err
		}
		for i := range x {
			same := math.Float64bits(x[i]) == math.Float64bits(y[i])
			if !same && (tol == 0 || !(math.Abs(x[i]-y[i]) <= tol*math.Max(1, math.Abs(x[i])))) {
				return fmt.Errorf("tensor %s[%d]: %v in %s, %v in %s", n, i, x[i], a.Path, y[i], b.Path)
			}
		}
	}
	return nil
}
