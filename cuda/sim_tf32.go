package cuda

/*
#include <stdint.h>
int gogru_sim_gemm_tf32(int ta, int tb, int m, int n, int k, float alpha, uintptr_t A, int lda,
                        uintptr_t B, int ldb, float beta, uintptr_t C, int ldc);
*/
import "C"

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// simTF32Device is the simulator with cuBLAS's TF32 tensor-op math: float32 GEMMs
// round their operands to TF32 (10 mantissa bits) and accumulate in float32, as
// NewTF32's GEMMs do on a GPU.
type simTF32Device struct{ *simDevice }

func (d simTF32Device) name() string { return "simulated GPU (host C++), TF32 GEMMs" }

func (d simTF32Device) gemm(f64, transA, transB bool, m, n, k int, alpha float64, a ptr, lda int, b ptr, ldb int, beta float64, c ptr, ldc int) error {
	if f64 {
		return d.simDevice.gemm(f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
	st := C.gogru_sim_gemm_tf32(cbool(transA), cbool(transB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		C.uintptr_t(a), C.int(lda), C.uintptr_t(b), C.int(ldb), C.float(beta), C.uintptr_t(c), C.int(ldc))
	if st != 0 {
		return &Error{Call: "cublasSgemm (TF32)", Status: int(st), Detail: fmt.Sprintf("invalid value (m=%d n=%d k=%d lda=%d ldb=%d ldc=%d)", m, n, k, lda, ldb, ldc)}
	}
	return nil
}

// NewSimulatedTF32 returns a float32 backend on the CUDA simulator whose GEMMs use
// TF32 operands, the simulated counterpart of NewTF32.
func NewSimulatedTF32() (*Backend, error) {
	return newBackend(simTF32Device{newSimDevice()}, gru.Float32)
}
