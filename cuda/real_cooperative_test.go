//go:build cuda

package cuda

import (
	"testing"
)

// On a GPU, the grid barrier orders writes across blocks of a cooperative launch
// over every multiprocessor, and each block has its own shared memory.
func TestGPUGridSync(t *testing.T) {
	be, err := New()
	if err != nil {
		t.Skipf("no GPU: %v; runs where an NVIDIA GPU and its driver are, with go test -tags cuda (make gpu-check)", err)
	}
	t.Cleanup(func() {
		if err := be.Close(); err != nil {
			t.Error(err)
		}
	})
	lim, err := be.dev.CoopLimits()
	if err != nil {
		t.Fatal(err)
	}
	if lim.Multiprocessors == 0 {
		t.Skipf("%s does not support cooperative launches; runs on a GPU that does (compute capability 6.0 or later)", be.Name())
	}
	checkGridSync(t, be, lim.Multiprocessors)
}
