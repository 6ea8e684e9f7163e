//go:build !openblas

package cpu

// BLAS names the BLAS implementation the CPU backend uses.
func BLAS() string { return "gonum (pure Go)" }

// BLASReason says why this BLAS is in use and what the alternative is.
func BLASReason() string {
	return "built without -tags openblas; make build-openblas, with libopenblas-dev installed, builds the faster OpenBLAS binary"
}

// tileGemm makes parGemm cut each part into tiles small enough that gonum's Sgemm
// stays serial, so a step allocates nothing.
const tileGemm = true
