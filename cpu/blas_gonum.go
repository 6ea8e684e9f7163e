//go:build !openblas

package cpu

// BLAS names the BLAS implementation the CPU backend uses.
func BLAS() string { return "gonum (pure Go)" }
