package cuda

import (
	"fmt"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
)

// Precision is how a float32 backend's GEMMs compute; float64 GEMMs are always
// strict. Tensors stay float32 under every value: only the GEMMs' operands are
// rounded, as in PyTorch's allow_tf32 and torch.autocast(dtype=torch.bfloat16).
type Precision int

const (
	// FP32 is strict float32 (cublasSgemm with CUBLAS_DEFAULT_MATH), the default.
	FP32 Precision = Precision(device.MathFP32)
	// TF32 rounds the GEMMs' operands to TF32 (10 mantissa bits) on tensor cores
	// and accumulates in float32 (cublasSgemm under CUBLAS_TF32_TENSOR_OP_MATH):
	// faster, with a 10-bit mantissa in the products.
	TF32 Precision = Precision(device.MathTF32)
	// BF16 takes the GEMMs' operands in bfloat16 (7 mantissa bits) on tensor cores
	// and accumulates in float32 (cublasGemmEx with CUBLAS_COMPUTE_32F_FAST_16BF),
	// as torch.autocast(dtype=torch.bfloat16) runs matmuls. Parameters,
	// activations, gradients and optimiser state stay float32, so it saves no
	// memory; the pointwise kernels run in float32.
	BF16 Precision = Precision(device.MathBF16)
)

// String returns "fp32", "tf32" or "bf16".
func (p Precision) String() string {
	switch p {
	case FP32:
		return "fp32"
	case TF32:
		return "tf32"
	case BF16:
		return "bf16"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// Option sets one choice of New.
type Option func(*options)

// options are New's choices; the zero value is GPU 0, float32, strict FP32 GEMMs,
// the GEMM recurrent path.
type options struct {
	index     int
	dtype     gru.DType
	precision Precision
	simulated bool
	kernel    RecurrentKernel
	fatbin    string
}

// WithDevice opens GPU index (as Devices numbers them) instead of GPU 0: each rank
// of a data-parallel job takes its own GPU of its host. The simulator ignores it.
func WithDevice(index int) Option { return func(o *options) { o.index = index } }

// WithDType chooses the tensors' type: gru.Float32 (the default) or gru.Float64.
func WithDType(dtype gru.DType) Option { return func(o *options) { o.dtype = dtype } }

// WithPrecision chooses how float32 GEMMs compute (see Precision); TF32 and BF16
// need float32 tensors.
func WithPrecision(p Precision) Option { return func(o *options) { o.precision = p } }

// Simulated runs the backend on the CUDA simulator instead of a GPU: the real
// kernels compiled as host C++ and a GEMM with cuBLAS's semantics (and the
// precision's rounding). It is slow and exists to test and debug the GPU path on
// machines without a GPU; it works in every build.
func Simulated() Option { return func(o *options) { o.simulated = true } }

// WithRecurrentKernel chooses how the recurrence runs (see RecurrentKernel and
// Backend.SetRecurrentKernel); the default is KernelGEMM.
func WithRecurrentKernel(k RecurrentKernel) Option { return func(o *options) { o.kernel = k } }

// WithFatbin loads the GPU's kernels from the fatbin at path instead of the
// embedded kernels/gogru.fatbin: one built by make kernels FATBIN=path with
// another nvcc, say. Its kernels must have the embedded ones' signatures. The
// simulator ignores it. (The gru command passes it when GOGRU_FATBIN is set.)
func WithFatbin(path string) Option { return func(o *options) { o.fatbin = path } }

// New opens a backend: on GPU 0 with float32 tensors and strict GEMMs unless the
// options say otherwise. In a build without the cuda tag only Simulated opens; a
// GPU is ErrNotBuilt.
func New(opts ...Option) (*Backend, error) {
	o := options{dtype: gru.Float32}
	for _, opt := range opts {
		opt(&o)
	}
	if o.dtype != gru.Float32 && o.dtype != gru.Float64 {
		return nil, fmt.Errorf("cuda: unsupported %v", o.dtype)
	}
	if o.precision < FP32 || o.precision > BF16 {
		return nil, fmt.Errorf("cuda: unknown %v", o.precision)
	}
	if o.precision != FP32 && o.dtype != gru.Float32 {
		return nil, fmt.Errorf("cuda: %v GEMMs need float32 tensors, not %v", o.precision, o.dtype)
	}
	if o.index < 0 {
		return nil, fmt.Errorf("cuda: no GPU %d", o.index)
	}
	m := device.GEMMMath(o.precision)
	var dev device.Device
	var err error
	if o.simulated {
		dev, err = openSimulator(m)
	} else {
		dev, err = openGPU(o.index, m, o.fatbin)
	}
	if err != nil {
		return nil, err
	}
	be, err := newBackend(dev, o.dtype)
	if err != nil {
		return nil, err
	}
	be.math = m
	if err := be.SetRecurrentKernel(o.kernel); err != nil {
		be.Close()
		return nil, err
	}
	return be, nil
}
