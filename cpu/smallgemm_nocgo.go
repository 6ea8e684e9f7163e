//go:build !cgo

package cpu

// Without cgo there is no packed small GEMM; the BLAS runs every GEMM.
const havePackedGemm = false

func packB32(p, b []float32, ldb, k, n int)                                                     {}
func gemmPacked32(m, n0, n1, k int, a []float32, lda int, p []float32, c []float32, ldc int)    {}
func packBT32(p, w []float32, ldw, k, n int)                                                    {}
func gemmPackedAdd32(m, n0, n1, k int, a []float32, lda int, p []float32, c []float32, ldc int) {}
