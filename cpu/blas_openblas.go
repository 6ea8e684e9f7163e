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
	"os"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// init routes every gonum BLAS call of this program to OpenBLAS, single-threaded:
// the CPU backend splits each GEMM across Go's own workers (see parGemm), which
// measured faster than OpenBLAS's threads, whose idle spinning competes with the
// fused pointwise passes between the per-step GEMMs. OPENBLAS_NUM_THREADS set in
// the environment is respected.
func init() {
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" {
		C.openblas_set_num_threads(1)
	}
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
}

// BLAS names the BLAS implementation the CPU backend uses.
func BLAS() string {
	return fmt.Sprintf("%s, %d BLAS threads, GEMMs split across Go workers (cgo via gonum.org/v1/netlib)",
		C.GoString(C.openblas_get_config()), int(C.openblas_get_num_threads()))
}

// BLASReason says why this BLAS is in use.
func BLASReason() string { return "built with -tags openblas" }

// tileGemm is false: OpenBLAS gets each part whole.
const tileGemm = false
