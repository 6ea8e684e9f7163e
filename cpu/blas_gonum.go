//go:build !cgo && !openblas

package cpu

// BLAS names the BLAS implementation the CPU backend uses.
func BLAS() string { return "gonum (pure Go)" }

// BLASReason says why this BLAS is in use and what the alternative is.
func BLASReason() string {
	return "built without cgo, so OpenBLAS cannot be loaded at run time; a cgo build (the default with gcc) loads it when libopenblas0 is installed"
}

// tileGemm makes parGemm cut each part into tiles small enough that gonum's Sgemm
// stays serial, so a step allocates nothing.
const tileGemm = true
