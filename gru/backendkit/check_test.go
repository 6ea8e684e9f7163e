package backendkit

import (
	"errors"
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
