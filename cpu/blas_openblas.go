//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas
int openblas_get_num_threads(void);
char* openblas_get_config(void);
*/
import "C"

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// init routes every gonum BLAS call of this program to OpenBLAS.
func init() {
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
}

// BLAS names the BLAS implementation the CPU backend uses.
func BLAS() string {
	return fmt.Sprintf("%s, %d threads (cgo via gonum.org/v1/netlib)",
		C.GoString(C.openblas_get_config()), int(C.openblas_get_num_threads()))
}
