package cuda

// gemmMath is the arithmetic of a float32 backend's GEMMs; float64 GEMMs are always
// strict. Tensors stay float32 under every value: only the GEMMs' operands are
// rounded, as in PyTorch's allow_tf32 and torch.autocast(dtype=torch.bfloat16).
// The values are also the simulator's (sim.cc's gemm_math), so they must not move.
type gemmMath int

const (
	// mathFP32 is strict float32: cublasSgemm with CUBLAS_DEFAULT_MATH.
	mathFP32 gemmMath = iota
	// mathTF32 rounds the operands to TF32 (10 mantissa bits) on tensor cores and
	// accumulates in float32: cublasSgemm with CUBLAS_TF32_TENSOR_OP_MATH.
	mathTF32
	// mathBF16 rounds the operands to bfloat16 (7 mantissa bits) on tensor cores and
	// accumulates in float32: cublasGemmEx with float32 A, B and C and compute type
	// CUBLAS_COMPUTE_32F_FAST_16BF.
	mathBF16
)

// label is what a device's name adds for the math: nothing for strict float32.
func (m gemmMath) label() string {
	switch m {
	case mathTF32:
		return ", TF32 GEMMs"
	case mathBF16:
		return ", BF16 GEMMs"
	}
	return ""
}
