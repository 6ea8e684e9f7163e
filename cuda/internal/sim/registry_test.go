package sim

import (
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
)

// The simulator's registry and device.KernelSigs come from one run of kernelgen: the
// same kernels, in the same order, with the same arities.
func TestSimulatorRegistryMatchesKernelSigs(t *testing.T) {
	reg := registry()
	if len(reg) != int(device.NumKernels) {
		t.Fatalf("the simulator registers %d kernels, kernelSigs has %d: run make generate", len(reg), device.NumKernels)
	}
	for k, sig := range device.KernelSigs {
		if reg[k] != sig {
			t.Errorf("kernel %d: simulator %+v, kernelSigs %+v", k, reg[k], sig)
		}
	}
}
