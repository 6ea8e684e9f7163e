//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
char* openblas_get_config(void);
*/
import "C"

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// UseOpenBLAS routes the GEMMs of gonum's blas32 and blas64 packages, and so of
// every CPU backend, to the OpenBLAS this build links (-tags openblas, through
// gonum.org/v1/netlib), single-threaded: the backend splits each GEMM across its
// own Go workers, which measured faster than OpenBLAS's threads, whose idle
// spinning competes with the fused pointwise passes between the per-step GEMMs
// (SetOpenBLASThreads changes it). Without it gonum's pure-Go kernels run, the
// default. It changes a process-wide choice, as gonum's blas64.Use does: call it
// once, before any backend computes. In this build it cannot fail.
func UseOpenBLAS() error {
	blasMu.Lock()
	defer blasMu.Unlock()
	C.openblas_set_num_threads(1)
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
	blasName = openBLASName()
	blasReason = "built with -tags openblas, and cpu.UseOpenBLAS chose it"
	tileGemm = false
	return nil
}

// SetOpenBLASThreads sets how many threads OpenBLAS runs each GEMM on; UseOpenBLAS
// sets 1.
func SetOpenBLASThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("cpu: %d OpenBLAS threads; want at least 1", n)
	}
	blasMu.Lock()
	defer blasMu.Unlock()
	C.openblas_set_num_threads(C.int(n))
	if !tileGemm {
		blasName = openBLASName()
	}
	return nil
}

// openBLASName describes the linked OpenBLAS: its configuration and thread count.
func openBLASName() string {
	return fmt.Sprintf("%s, %d BLAS threads, GEMMs split across Go workers (cgo via gonum.org/v1/netlib)",
		C.GoString(C.openblas_get_config()), int(C.openblas_get_num_threads()))
}
