package cuda_test

import (
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda"
)

// TestNCCLRefusesTheSimulator checks that NCCL is refused, with a reason, where it
// cannot run: on the simulator always, and wherever libnccl.so.2 is missing.
func TestNCCLRefusesTheSimulator(t *testing.T) {
	be, err := cuda.New(cuda.Simulated())
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	called := false
	_, err = cuda.NewNCCL(be, 0, 1, func([]byte) error { called = true; return nil })
	if err == nil {
		t.Fatal("NCCL on the simulator: no error")
	}
	if avail := cuda.NCCLAvailable(); avail != nil {
		if !strings.Contains(avail.Error(), cuda.NCCLLibrary) {
			t.Errorf("NCCLAvailable's error %q does not name %s", avail, cuda.NCCLLibrary)
		}
	} else if !strings.Contains(err.Error(), "needs a GPU") {
		t.Errorf("NCCL loaded, but the simulator's refusal says %q", err)
	}
	if called {
		t.Error("the unique id was broadcast before NCCL was known to work")
	}
}
