package cuda_test

import (
	"testing"

	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// TestDataParallelSimulated checks data-parallel training with the gradients
// staged through the host on the simulator, whose steps are recorded in two parts
// around the reduction.
func TestDataParallelSimulated(t *testing.T) {
	grutest.DataParallel(t, func(d gru.DType) (gru.Backend, error) { return opener(cuda.Simulated(), cuda.WithDType(d))() })
}
