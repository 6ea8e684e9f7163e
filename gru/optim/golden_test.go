package optim_test

import (
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru/grutest"
)

// TestOptimizersMatchTorch checks every optimiser and schedule against
// torch.optim's on the golden file, on the CPU backend in float64 and float32 (the
// conformance suites run the same on every backend).
func TestOptimizersMatchTorch(t *testing.T) {
	t.Run("float64", func(t *testing.T) { grutest.OptimizersMatchTorch(t, cpu.New64()) })
	t.Run("float32", func(t *testing.T) { grutest.OptimizersMatchTorch(t, cpu.New32()) })
}
