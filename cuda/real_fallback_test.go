//go:build cuda

package cuda

import (
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/cuda/internal/driver"
	"github.com/gogru/gogru/gru"
)

// The speed paths' checks of fallback_paths_test.go and faults_test.go on GPU 0.
// Each skips, saying so, where no GPU is present; make gpu-check runs them.

// openGPUDevice opens GPU 0 with GEMM math m, closed when the test ends, or skips.
func openGPUDevice(t *testing.T, m device.GEMMMath) *driver.Device {
	d, err := driver.Open(0, m, "")
	if err != nil {
		t.Skipf("no GPU (%v): run on a GPU host, e.g. make gpu-check", err)
	}
	return d
}

// On a GPU, recorded steps replay bit for bit like eager ones with the persistent
// kernel, with TF32 and BF16 GEMMs, and bidirectionally on two streams.
func TestGPUReplayPaths(t *testing.T) {
	checkReplayPaths(t, func(t *testing.T, m device.GEMMMath) device.Device { return openGPUDevice(t, m) })
}

// On a GPU, the persistent kernel at H = 1024, B = 256 gives what the GEMM path
// gives (it skips where the GPU's shared memory cannot hold the plan).
func TestGPUPersistentAgainstGEMM(t *testing.T) {
	checkPersistentAgainstGEMM(t, func(t *testing.T, k RecurrentKernel) *Backend {
		be := newTestBackend(t, openGPUDevice(t, device.MathFP32), gru.Float32)
		if err := be.SetRecurrentKernel(k); err != nil {
			t.Fatal(err)
		}
		return be
	}, 8, 256, 256, 1024)
}

// On a GPU, a call the driver itself refuses inside a real stream capture (a
// synchronisation of the capturing stream, past our own guard) spoils the
// capture, and the training run falls back to eager steps as for any failed
// recording.
func TestGPUCaptureRefusal(t *testing.T) {
	checkCaptureRefusal(t, func(t *testing.T) device.Device { return openGPUDevice(t, device.MathFP32) }, func(d device.Device) error {
		return d.(*driver.Device).SyncUnguarded()
	})
}

// On a GPU, each injected driver failure of a speed path falls back (or, sticky,
// stops) as on the simulator.
func TestGPUFaultFallbacks(t *testing.T) {
	checkFaultFallbacks(t, func(t *testing.T) device.Device { return openGPUDevice(t, device.MathFP32) })
}

// On a GPU, a speed path's failure inside a real capture spoils the recording,
// not the path: the step runs eagerly on it.
func TestGPUFaultInsideCapture(t *testing.T) {
	checkFaultInsideCapture(t, func(t *testing.T) device.Device { return openGPUDevice(t, device.MathFP32) })
}
