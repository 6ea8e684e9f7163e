package cuda_test

import (
	"testing"

	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// TestSimulatedTrainerDropout checks Trainer.SetDropout on the simulator, whose
// steps are recorded and replayed (grutest.TrainerDropout): a replayed step reads
// the step number on the device and draws that step's masks.
func TestSimulatedTrainerDropout(t *testing.T) {
	grutest.TrainerDropout(t, func(d gru.DType) (gru.Backend, error) { return opener(cuda.Simulated(), cuda.WithDType(d))() })
}
