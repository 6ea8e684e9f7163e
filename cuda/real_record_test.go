//go:build cuda

package cuda

import (
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/cuda/internal/driver"
	"github.com/gogru/gogru/gru"
)

// openCountingGPU opens GPU 0 behind a call counter, or skips the test.
func openCountingGPU(t *testing.T, dtype gru.DType) (*Backend, *countingDevice) {
	d, err := driver.Open(0, device.MathFP32, "")
	if err != nil {
		t.Skipf("no GPU: %v; runs where an NVIDIA GPU and its driver are, with go test -tags cuda (make gpu-check)", err)
	}
	return newCountingBackend(t, d, dtype)
}

// On a GPU, a replayed training step or evaluation makes at most stepBudget host
// calls, whatever T is: one cuGraphLaunch instead of its launches and GEMMs.
func TestGPUGraphBudget(t *testing.T) {
	checkHostCallBudget(t, func(t *testing.T) (*Backend, *countingDevice) { return openCountingGPU(t, gru.Float32) })
}

// On a GPU, steps replayed from CUDA graphs give the losses, gradient norms and
// parameters of the same steps run eagerly, bit for bit.
func TestGPUGraphReplay(t *testing.T) {
	checkReplayMatchesEager(t, openCountingGPU)
}
