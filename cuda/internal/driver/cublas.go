//go:build cuda

package driver

/*
#cgo LDFLAGS: -lcublas
#cgo linux CFLAGS: -I/usr/local/cuda/include
#cgo linux LDFLAGS: -L/usr/local/cuda/lib64
#include <stdint.h>
#include <cublas_v2.h>

// The handle, stream and pointers cross as uintptr_t so that Go code never holds a
// C pointer type of another package (gorgonia.org/cu's CUstream).
static cublasStatus_t gogru_cublas_create(uintptr_t* h) { return cublasCreate((cublasHandle_t*)h); }
static cublasStatus_t gogru_cublas_destroy(uintptr_t h) { return cublasDestroy((cublasHandle_t)h); }
static cublasStatus_t gogru_cublas_set_stream(uintptr_t h, uintptr_t s) {
	return cublasSetStream((cublasHandle_t)h, (cudaStream_t)s);
}
static cublasStatus_t gogru_cublas_set_tf32(uintptr_t h, int on) {
	return cublasSetMathMode((cublasHandle_t)h, on ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
}
static cublasStatus_t gogru_cublas_set_workspace(uintptr_t h, uintptr_t p, size_t n) {
	return cublasSetWorkspace((cublasHandle_t)h, (void*)p, n);
}
static cublasOperation_t op(int t) { return t ? CUBLAS_OP_T : CUBLAS_OP_N; }
static cublasStatus_t gogru_sgemm(uintptr_t h, int ta, int tb, int m, int n, int k, float alpha, uintptr_t A, int lda,
                                  uintptr_t B, int ldb, float beta, uintptr_t C, int ldc) {
	return cublasSgemm((cublasHandle_t)h, op(ta), op(tb), m, n, k, &alpha, (const float*)A, lda, (const float*)B, ldb,
	                   &beta, (float*)C, ldc);
}
static cublasStatus_t gogru_dgemm(uintptr_t h, int ta, int tb, int m, int n, int k, double alpha, uintptr_t A, int lda,
                                  uintptr_t B, int ldb, double beta, uintptr_t C, int ldc) {
	return cublasDgemm((cublasHandle_t)h, op(ta), op(tb), m, n, k, &alpha, (const double*)A, lda, (const double*)B, ldb,
	                   &beta, (double*)C, ldc);
}
// float32 GEMM whose operands tensor cores take in bfloat16, accumulating in float32:
// cublasGemmEx with float32 A, B and C and CUBLAS_COMPUTE_32F_FAST_16BF ("allows
// down-converting inputs to bfloat16"; the name is the same in CUDA 11.8 to 13).
static cublasStatus_t gogru_gemm_bf16(uintptr_t h, int ta, int tb, int m, int n, int k, float alpha, uintptr_t A,
                                      int lda, uintptr_t B, int ldb, float beta, uintptr_t C, int ldc) {
	return cublasGemmEx((cublasHandle_t)h, op(ta), op(tb), m, n, k, &alpha, (const void*)A, CUDA_R_32F, lda,
	                    (const void*)B, CUDA_R_32F, ldb, &beta, (void*)C, CUDA_R_32F, ldc,
	                    CUBLAS_COMPUTE_32F_FAST_16BF, CUBLAS_GEMM_DEFAULT);
}
static cublasStatus_t gogru_sgemm_strided_batched(uintptr_t h, int ta, int tb, int m, int n, int k, float alpha,
                                                  uintptr_t A, int lda, long long sa, uintptr_t B, int ldb, long long sb,
                                                  float beta, uintptr_t C, int ldc, long long sc, int batch) {
	return cublasSgemmStridedBatched((cublasHandle_t)h, op(ta), op(tb), m, n, k, &alpha, (const float*)A, lda, sa,
	                                 (const float*)B, ldb, sb, &beta, (float*)C, ldc, sc, batch);
}
*/
import "C"

import (
	"fmt"

	"github.com/gogru/gogru/cuda/internal/device"
)

// cublasHandle is a cuBLAS handle bound to one stream, with the math of its float32
// GEMMs. Every call is column-major; callers holding row-major data swap operands
// (see package cuda's Backend.rowGemm).
type cublasHandle struct {
	h    C.uintptr_t
	math device.GEMMMath
}

func cublasCheck(call string, st C.cublasStatus_t) error {
	if st == C.CUBLAS_STATUS_SUCCESS {
		return nil
	}
	return &device.Error{Call: call, Status: int(st), Detail: cublasStatusName(int(st))}
}

func cublasStatusName(st int) string {
	names := map[int]string{1: "CUBLAS_STATUS_NOT_INITIALIZED", 3: "CUBLAS_STATUS_ALLOC_FAILED", 7: "CUBLAS_STATUS_INVALID_VALUE",
		8: "CUBLAS_STATUS_ARCH_MISMATCH", 11: "CUBLAS_STATUS_MAPPING_ERROR", 13: "CUBLAS_STATUS_EXECUTION_FAILED",
		14: "CUBLAS_STATUS_INTERNAL_ERROR", 15: "CUBLAS_STATUS_NOT_SUPPORTED", 16: "CUBLAS_STATUS_LICENSE_ERROR"}
	if n, ok := names[st]; ok {
		return n
	}
	return fmt.Sprintf("cuBLAS status %d", st)
}

// newCublas creates a handle, binds it to stream (a CUstream as uintptr) and sets
// its math mode: TF32 tensor-op math for device.MathTF32, the default otherwise (device.MathBF16
// has no math mode; it chooses its compute type in each cublasGemmEx).
func newCublas(stream uintptr, math device.GEMMMath) (*cublasHandle, error) {
	var h C.uintptr_t
	if err := cublasCheck("cublasCreate", C.gogru_cublas_create(&h)); err != nil {
		return nil, err
	}
	c := &cublasHandle{h: h, math: math}
	if err := cublasCheck("cublasSetStream", C.gogru_cublas_set_stream(h, C.uintptr_t(stream))); err != nil {
		c.destroy()
		return nil, err
	}
	if err := cublasCheck("cublasSetMathMode", C.gogru_cublas_set_tf32(h, cint(math == device.MathTF32))); err != nil {
		c.destroy()
		return nil, err
	}
	return c, nil
}

// setWorkspace hands cuBLAS a workspace of bytes at p (device memory the caller
// owns and frees after the handle). Without one, cuBLAS takes workspace from its
// own pool, and under stream capture it took a new one for every captured graph
// (PyTorch, pytorch#83461, saw memory grow with each capture); with ours a
// captured GEMM allocates nothing. cublasSetStream resets the workspace, so it is
// set after the stream.
func (c *cublasHandle) setWorkspace(p uintptr, bytes int) error {
	return cublasCheck("cublasSetWorkspace", C.gogru_cublas_set_workspace(c.h, C.uintptr_t(p), C.size_t(bytes)))
}

func (c *cublasHandle) destroy() error {
	if c == nil || c.h == 0 {
		return nil
	}
	err := cublasCheck("cublasDestroy", C.gogru_cublas_destroy(c.h))
	c.h = 0
	return err
}

func cint(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

// gemm runs a column-major GEMM: cublasDgemm for float64; for float32, cublasGemmEx
// with bfloat16 compute under device.MathBF16, else cublasSgemm (TF32 tensor cores when the
// handle's math mode says so).
func (c *cublasHandle) gemm(f64 bool, ta, tb bool, m, n, k int, alpha float64, a uintptr, lda int, b uintptr, ldb int, beta float64, cp uintptr, ldc int) error {
	switch {
	case f64:
		return cublasCheck("cublasDgemm", C.gogru_dgemm(c.h, cint(ta), cint(tb), C.int(m), C.int(n), C.int(k), C.double(alpha),
			C.uintptr_t(a), C.int(lda), C.uintptr_t(b), C.int(ldb), C.double(beta), C.uintptr_t(cp), C.int(ldc)))
	case c.math == device.MathBF16:
		return cublasCheck("cublasGemmEx", C.gogru_gemm_bf16(c.h, cint(ta), cint(tb), C.int(m), C.int(n), C.int(k), C.float(alpha),
			C.uintptr_t(a), C.int(lda), C.uintptr_t(b), C.int(ldb), C.float(beta), C.uintptr_t(cp), C.int(ldc)))
	default:
		return cublasCheck("cublasSgemm", C.gogru_sgemm(c.h, cint(ta), cint(tb), C.int(m), C.int(n), C.int(k), C.float(alpha),
			C.uintptr_t(a), C.int(lda), C.uintptr_t(b), C.int(ldb), C.float(beta), C.uintptr_t(cp), C.int(ldc)))
	}
}

// gemmStridedBatched runs batch float32 GEMMs whose operands sit at fixed strides
// (in elements) from A, B and C: cublasSgemmStridedBatched.
func (c *cublasHandle) gemmStridedBatched(ta, tb bool, m, n, k int, alpha float32, a uintptr, lda int, sa int64,
	b uintptr, ldb int, sb int64, beta float32, cp uintptr, ldc int, sc int64, batch int) error {
	return cublasCheck("cublasSgemmStridedBatched", C.gogru_sgemm_strided_batched(c.h, cint(ta), cint(tb), C.int(m), C.int(n), C.int(k),
		C.float(alpha), C.uintptr_t(a), C.int(lda), C.longlong(sa), C.uintptr_t(b), C.int(ldb), C.longlong(sb),
		C.float(beta), C.uintptr_t(cp), C.int(ldc), C.longlong(sc), C.int(batch)))
}
