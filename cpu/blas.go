package cpu

import (
	"sync"

	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// gonumName is what BLAS reports while gonum's pure-Go kernels run the GEMMs.
const gonumName = "gonum (pure Go)"

// blasMu guards the BLAS choice: blasName and blasReason describe it for BLAS and
// BLASReason, and tileGemm is true while gonum's Go kernels run the GEMMs (see
// gemmTask.runRange). Importing the package sets nothing beyond these defaults.
var (
	blasMu     sync.Mutex
	blasName   = gonumName
	blasReason = "gonum's pure-Go kernels are the default; cpu.UseOpenBLAS switches to OpenBLAS"
	tileGemm   = true
)

// BLAS names the BLAS implementation the CPU backend uses.
func BLAS() string {
	blasMu.Lock()
	defer blasMu.Unlock()
	return blasName
}

// BLASReason says why this BLAS is in use and how to get the other.
func BLASReason() string {
	blasMu.Lock()
	defer blasMu.Unlock()
	return blasReason
}

// UseGonum routes the GEMMs of gonum's blas32 and blas64 packages, and so of every
// CPU backend, back to gonum's pure-Go kernels, the default. Like UseOpenBLAS it
// changes a process-wide choice: call it before any backend computes.
func UseGonum() {
	blasMu.Lock()
	defer blasMu.Unlock()
	blas32.Use(gonum.Implementation{})
	blas64.Use(gonum.Implementation{})
	blasName = gonumName
	blasReason = "cpu.UseGonum chose gonum's pure-Go kernels"
	tileGemm = true
}

// OpenBLASCoreType returns the OPENBLAS_CORETYPE value recommended for this CPU, or
// "" to let OpenBLAS choose: "SkylakeX", OpenBLAS's AVX-512 kernels, on a CPU with
// AVX-512 F, BW, DQ and VL. OpenBLAS 0.3.21, as Debian ships it, does not know
// AMD's Zen 4 and Zen 5 and gives them its AVX2 (Haswell) kernels, which measured
// 1.5× slower on the large training step and 10% slower at D2L's shape on a Zen 5
// (BENCHMARKS.md); SkylakeX's are the AVX-512 single and double GEMM kernels of
// every later Intel target too. OpenBLAS reads the variable once, as it loads, so
// a program that wants the value sets it in its environment before UseOpenBLAS
// (the gru command does); the library never sets it.
func OpenBLASCoreType() string {
	x := cpu.X86
	if x.HasAVX512F && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL {
		return "SkylakeX"
	}
	return ""
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, where C is
// m×n and op(A)·op(B) has inner size k. It dispatches to blas32 or blas64, whose
// implementation is gonum's native one unless UseOpenBLAS installed another.
func gemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 { // C = beta·C; gonum rejects the empty operands
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			for j := range row {
				if beta == 0 {
					row[j] = 0
				} else {
					row[j] *= beta
				}
			}
		}
		return
	}
	switch a := any(a).(type) {
	case []float32:
		blas32.Implementation().Sgemm(trans(tA), trans(tB), m, n, k, float32(alpha), a, lda,
			any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas64.Implementation().Dgemm(trans(tA), trans(tB), m, n, k, float64(alpha), a, lda,
			any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
