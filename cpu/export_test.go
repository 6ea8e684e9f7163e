package cpu

import (
	"os"
	"testing"
)

// BenchBLAS puts the benchmarks on the BLAS the gru command would use: OpenBLAS
// when it loads, unless GOGRU_BLAS=gonum; gonum's kernels come back after b.
// It logs which BLAS runs.
func BenchBLAS(b *testing.B) {
	if os.Getenv("GOGRU_BLAS") != "gonum" {
		if err := UseOpenBLAS(); err != nil {
			b.Logf("benchmarking gonum's kernels: %v", err)
		}
		b.Cleanup(UseGonum)
	}
	b.Logf("BLAS: %s", BLAS())
}
