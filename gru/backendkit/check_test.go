package backendkit

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

func TestCheckShapeAndLengths(t *testing.T) {
	want, got := []int{-1, -1, 3}, []int{2, 2}
	err := CheckShape("x", want, got)
	var se *gru.ShapeError
	if !errors.As(err, &se) || err.Error() != "gru: x: want shape [* * 3], got [2 2]" {
		t.Fatalf("CheckShape: %v", err)
	}
	got[0] = 7
	if se.Got[0] != 2 {
		t.Error("the ShapeError aliases the shape it was given")
	}
	if err := CheckShape("x", []int{2, 3}, []int{2, 3}); err != nil {
		t.Errorf("equal shapes: %v", err)
	}
	if err := CheckLengths([]int{3, 0}, 3, 2); err == nil || !strings.Contains(err.Error(), "lengths[1] = 0") {
		t.Fatalf("CheckLengths: %v", err)
	}
}

// TestAdamStep checks how AdamW's step number comes out of its step tensor's
// value: its whole part, capped at 2³¹−1 as the kernels cap it, and refused below 1.
func TestAdamStep(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want int
	}{{1, 1}, {2.5, 2}, {1 << 24, 1 << 24}, {1<<31 - 1, 1<<31 - 1}, {1 << 31, 1<<31 - 1}, {3e12, 1<<31 - 1}} {
		if got, err := AdamStep(c.v); err != nil || got != c.want {
			t.Errorf("AdamStep(%v) = %d, %v; want %d", c.v, got, err, c.want)
		}
	}
	for _, v := range []float64{0, 0.5, -1, math.NaN()} {
		if _, err := AdamStep(v); err == nil || !strings.Contains(err.Error(), "at least 1") {
			t.Errorf("AdamStep(%v): %v, want an error saying at least 1", v, err)
		}
	}
}
