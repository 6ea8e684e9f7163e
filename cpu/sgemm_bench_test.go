package cpu

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// BenchmarkSgemm measures the machine's BLAS (see BenchBLAS) at n×n×n, directly (one BLAS call, with
// the BLAS's own threading as configured) and split across Go's workers as the GRU's
// GEMMs are (parGemm): the yardstick for "GFLOP/s of the GRU's GEMMs over its time".
func BenchmarkSgemm(b *testing.B) {
	BenchBLAS(b)
	for _, n := range []int{512, 1024} {
		a, bb, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
		for i := range a {
			a[i], bb[i] = float32(i%7)-3, float32(i%5)-2
		}
		flops := 2 * float64(n) * float64(n) * float64(n)
		b.Run(fmt.Sprintf("n=%d/direct", n), func(b *testing.B) {
			for b.Loop() {
				blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, bb, n, 0, c, n)
			}
			b.ReportMetric(float64(b.N)*flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("n=%d/split", n), func(b *testing.B) {
			be := New32()
			defer be.Close()
			s := &stack[float32]{be: be}
			var g gemmTask[float32]
			for b.Loop() {
				s.parGemm(&g, false, false, n, n, n, 1, a, n, bb, n, 0, c, n)
			}
			b.ReportMetric(float64(b.N)*flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
