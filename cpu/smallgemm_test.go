package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The packed small GEMM equals gonum's Sgemm to float32 rounding, for row counts
// on and off its 4-row blocks, inner sizes down to 1, panel-straddling column
// ranges (as the pool splits them) and padded leading dimensions; and it writes
// nothing outside C[:, n0:n1].
func TestPackedGemmMatchesGonum(t *testing.T) {
	requirePackedGemm(t)
	randf := normals(rand.New(rand.NewPCG(3, 8)))
	for _, m := range []int{1, 3, 4, 7, 32} {
		for _, k := range []int{1, 5, 33} {
			for _, span := range [][2]int{{0, 37}, {5, 21}, {16, 32}, {17, 18}, {0, 16}, {20, 30}, {24, 37}, {0, 24}} {
				n := 37
				n0, n1 := span[0], span[1]
				lda, ldb, ldc := k+2, n+3, n+1
				a, b := randf(m*lda), randf(k*ldb)
				want := make([]float32, m*ldc)
				gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, lda, b, ldb, 0, want, ldc)
				p := randf(packedLen(k, n))
				packB32(p, b, ldb, k, n)
				poisoned := make([]float32, m*ldc)
				for i := range poisoned {
					poisoned[i] = -12345
				}
				got := append([]float32(nil), poisoned...)
				gemmPacked32(m, n0, n1, k, a, lda, p, got, ldc)
				checkColumnRange(t, m, k, n0, n1, ldc, got, poisoned, want, 1e-5*float64(k))
			}
		}
	}
}

// W packed transposed (packBT32) and added into C (gemmPackedAdd32) give C + A·Wᵀ
// as gonum's Sgemm with beta = 1 does, to float32 rounding, over the same row
// counts, inner sizes and column ranges; columns outside the range keep their values.
func TestPackedGemmAddTransposedMatchesGonum(t *testing.T) {
	requirePackedGemm(t)
	randf := normals(rand.New(rand.NewPCG(5, 9)))
	for _, m := range []int{1, 3, 4, 7, 32} {
		for _, k := range []int{1, 5, 33} {
			for _, span := range [][2]int{{0, 37}, {5, 21}, {17, 18}, {20, 30}, {24, 37}} {
				n := 37
				n0, n1 := span[0], span[1]
				lda, ldw, ldc := k+2, k+3, n+1
				a, w, c0 := randf(m*lda), randf(n*ldw), randf(m*ldc) // w is n×k: B = wᵀ
				want := append([]float32(nil), c0...)
				gonum.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, lda, w, ldw, 1, want, ldc)
				p := randf(packedLen(k, n))
				packBT32(p, w, ldw, k, n)
				got := append([]float32(nil), c0...)
				gemmPackedAdd32(m, n0, n1, k, a, lda, p, got, ldc)
				checkColumnRange(t, m, k, n0, n1, ldc, got, c0, want, 1e-5*float64(k+1))
			}
		}
	}
}

// requirePackedGemm skips t where the packed small GEMM is not built.
func requirePackedGemm(t *testing.T) {
	t.Helper()
	if !havePackedGemm {
		t.Skip("the packed small GEMM needs cgo and a CPU with AVX2 and FMA; runs on such a CPU with CGO_ENABLED=1 (the default where gcc is)")
	}
}

// checkColumnRange fails t unless the m×ldc result got holds want to within tol in
// columns [n0, n1) and before's values, untouched, everywhere else.
func checkColumnRange(t *testing.T, m, k, n0, n1, ldc int, got, before, want []float32, tol float64) {
	t.Helper()
	for i := range m {
		for j := range ldc {
			g := got[i*ldc+j]
			if j < n0 || j >= n1 {
				if g != before[i*ldc+j] {
					t.Fatalf("m=%d k=%d cols [%d,%d): wrote C[%d,%d], outside the range", m, k, n0, n1, i, j)
				}
				continue
			}
			if w := want[i*ldc+j]; math.Abs(float64(g-w)) > tol {
				t.Fatalf("m=%d k=%d cols [%d,%d): C[%d,%d] = %g, gonum %g", m, k, n0, n1, i, j, g, w)
			}
		}
	}
}

// normals returns a function that draws n standard normal float32s from rng.
func normals(rng *rand.Rand) func(n int) []float32 {
	return func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
}
