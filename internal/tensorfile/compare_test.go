package tensorfile

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

func TestCompareFindsEachKindOfDifference(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, ts map[string]Tensor) *File {
		path := filepath.Join(dir, name)
		if err := Write(path, ts, nil); err != nil {
			t.Fatal(err)
		}
		f, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := map[string]Tensor{"a": {Shape: []int{2}, Data: []float64{1, 2}}, "b": {Shape: []int{1}, Data: []float64{3}, DType: gru.Float32}}
	same := write("same", base)
	ref := write("ref", base)
	if err := Compare(ref, same, 0); err != nil {
		t.Errorf("equal files: %v", err)
	}
	for _, c := range []struct {
		name string
		ts   map[string]Tensor
		tol  float64
		want string
	}{
		{"value", map[string]Tensor{"a": {Shape: []int{2}, Data: []float64{1, 2.001}}, "b": base["b"]}, 1e-6, "tensor a[1]"},
		{"shape", map[string]Tensor{"a": {Shape: []int{1, 2}, Data: []float64{1, 2}}, "b": base["b"]}, 0, "tensor a: shape"},
		{"extra", map[string]Tensor{"a": base["a"], "b": base["b"], "c": base["b"]}, 0, "tensor c: only in"},
		{"missing", map[string]Tensor{"a": base["a"]}, 0, "tensor b"},
	} {
		if err := Compare(ref, write(c.name, c.ts), c.tol); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	near := write("near", map[string]Tensor{"a": {Shape: []int{2}, Data: []float64{1, 2 + 1e-9}}, "b": base["b"]})
	if err := Compare(ref, near, 1e-6); err != nil {
		t.Errorf("within tolerance: %v", err)
	}
}
