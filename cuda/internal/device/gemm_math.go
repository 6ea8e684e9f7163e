package device

// GEMMMath is the arithmetic of a float32 backend's GEMMs; float64 GEMMs are always
// strict. Tensors stay float32 under every value: only the GEMMs' operands are
// rounded, as in PyTorch's allow_tf32 and torch.autocast(dtype=torch.bfloat16).
// The values are also the simulator's (cuda/internal/sim/sim.cc's gemm_math), so they must not move.
type GEMMMath int

const (
	// MathFP32 is strict float32: cublasSgemm with CUBLAS_DEFAULT_MATH.
	MathFP32 GEMMMath = iota
	// MathTF32 rounds the operands to TF32 (10 mantissa bits) on tensor cores and
	// accumulates in float32: cublasSgemm with CUBLAS_TF32_TENSOR_OP_MATH.
	MathTF32
	// MathBF16 rounds the operands to bfloat16 (7 mantissa bits) on tensor cores and
	// accumulates in float32: cublasGemmEx with float32 A, B and C and compute type
	// CUBLAS_COMPUTE_32F_FAST_16BF.
	MathBF16
)

// Label is what a device's name adds for the math: nothing for strict float32.
func (m GEMMMath) Label() string {
	switch m {
	case MathTF32:
		return ", TF32 GEMMs"
	case MathBF16:
		return ", BF16 GEMMs"
	}
	return ""
}
