package corpus

import (
	"math"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

// Shapes up to the largest int, and a nil source, are errors, never panics.
func TestEpochRefusesExtremeShapes(t *testing.T) {
	ids := make([]int32, 1000)
	for _, c := range []struct {
		batch, steps int
		s            Sampling
		want         string
	}{
		{1, math.MaxInt, Sequential, "too few"},
		{1, math.MaxInt, Random, "too few"},
		{math.MaxInt, 1, Sequential, "too few"},
		{math.MaxInt, 1, Random, "too few"},
		{math.MaxInt, math.MaxInt, Sequential, "too few"},
		{1 << 32, 1 << 32, Random, "too few"},
		{999, 1, Sequential, "too few"},
		{0, 5, Sequential, "must be positive"},
		{5, -1, Random, "must be positive"},
	} {
		_, err := Epoch(ids, c.batch, c.steps, c.s, gru.NewRand(1))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("batch %d steps %d %v: %v, want %q", c.batch, c.steps, c.s, err, c.want)
		}
	}
	if _, err := Epoch(ids, 2, 3, Sequential, nil); err == nil {
		t.Error("nil source accepted")
	}
}
