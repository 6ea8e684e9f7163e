package cpu_test

import (
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

func TestConformance64(t *testing.T) {
	grutest.Run(t, func() (gru.Backend, error) { return cpu.New64(), nil })
}

func TestConformance32(t *testing.T) {
	grutest.Run(t, func() (gru.Backend, error) { return cpu.New32(), nil })
}

// The suite again with the GEMMs on OpenBLAS, which the gru command uses where it
// is installed; gonum's kernels come back afterwards.
func TestConformanceOpenBLAS(t *testing.T) {
	if err := cpu.UseOpenBLAS(); err != nil {
		t.Skipf("%v; install Debian's libopenblas0 (or build with -tags openblas) to run the suite on OpenBLAS", err)
	}
	t.Cleanup(cpu.UseGonum)
	t.Run("float64", func(t *testing.T) {
		grutest.Run(t, func() (gru.Backend, error) { return cpu.New64(), nil })
	})
	t.Run("float32", func(t *testing.T) {
		grutest.Run(t, func() (gru.Backend, error) { return cpu.New32(), nil })
	})
}
