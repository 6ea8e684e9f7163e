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
	grutest.Run(t, opener(cuda.Simulated()))
}

func TestSimulatedConformance64(t *testing.T) {
	grutest.Run(t, opener(cuda.Simulated(), cuda.WithDType(gru.Float64)))
}

// The persistent recurrent kernel runs the same suite on the simulator, whose
// limits (four multiprocessors, 48 KiB of shared memory a block) make its sizes
// take several blocks, and the largest fall back to the GEMM path.
func TestSimulatedPersistentConformance32(t *testing.T) {
	runPersistentConformance(t, func() (*cuda.Backend, error) { return cuda.New(cuda.Simulated()) })
}

func TestSimulatedPersistentConformance64(t *testing.T) {
	runPersistentConformance(t, func() (*cuda.Backend, error) { return cuda.New(cuda.Simulated(), cuda.WithDType(gru.Float64)) })
}

// runPersistentConformance runs grutest.Run on backends from open that ask for
// KernelPersistent, then checks from their RecurrentRuns that the persistent
// kernels ran the passes: a suite that fell back everywhere would pass unseen.
func runPersistentConformance(t *testing.T, open func() (*cuda.Backend, error)) {
	var opened []*cuda.Backend
	grutest.Run(t, func() (gru.Backend, error) {
		be, err := open()
		if err != nil {
			return nil, err
		}
		if err := be.SetRecurrentKernel(cuda.KernelPersistent); err != nil {
			be.Close()
			return nil, err
		}
		opened = append(opened, be)
		return be, nil
	})
	var runs cuda.RecurrentRuns
	for _, be := range opened {
		r := be.RecurrentRuns()
		runs.GEMM += r.GEMM
		runs.Persistent += r.Persistent
	}
	t.Logf("passes: %d persistent, %d GEMM (fallback)", runs.Persistent, runs.GEMM)
	if runs.Persistent < 20*runs.GEMM || runs.Persistent == 0 {
		t.Errorf("%d passes ran the persistent kernels and %d fell back to the GEMM path; want nearly all persistent", runs.Persistent, runs.GEMM)
	}
}
