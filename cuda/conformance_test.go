package cuda_test

import (
	"testing"

	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// The CUDA backend over the simulator runs the same conformance suite as the CPU:
// every kernel and every orchestration decision, both variants, layers, directions,
// ragged lengths, forward and backward, float32 against the float64 oracle.
func TestSimulatedConformance32(t *testing.T) {
	grutest.Run(t, func() (gru.Backend, error) { return cuda.NewSimulated(gru.Float32) })
}

func TestSimulatedConformance64(t *testing.T) {
	grutest.Run(t, func() (gru.Backend, error) { return cuda.NewSimulated(gru.Float64) })
}
