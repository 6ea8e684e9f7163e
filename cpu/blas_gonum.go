//go:build !openblas

package cpu

// BLAS names the BLAS implementation the CPU backend uses.
func BLAS() string { return "gonum (pure Go)" }

// tileGemm makes parGemm cut each part into tiles small enough that gonum's Sgemm
// stays serial, so a step allocates nothing.
const tileGemm = true
