package cpu_test

import (
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grubench"
)

// TestTrainStepAllocatesNothing checks that a training step (forward, backward
// through time with dx, SGD) allocates nothing once its workspace is sized: not the
// pool's hand-offs of the fused passes, not the GEMM splits, not the ops' argument
// checks. The shape is wide enough for the pool to split the passes.
func TestTrainStepAllocatesNothing(t *testing.T) {
	be := cpu.New32()
	defer be.Close()
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		c, err := grubench.NewCase(be, grubench.Shape{B: 64, T: 4, D: 16, H: 64}, v)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.TrainStep(); err != nil { // sizes the workspace
			t.Fatal(err)
		}
		var stepErr error
		allocs := testing.AllocsPerRun(5, func() {
			if err := c.TrainStep(); err != nil {
				stepErr = err
			}
		})
		c.Close()
		if stepErr != nil {
			t.Fatal(stepErr)
		}
		if allocs != 0 {
			t.Errorf("%v: a training step allocates %v times", v, allocs)
		}
	}
}
