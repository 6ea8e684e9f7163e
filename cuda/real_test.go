//go:build cuda

package cuda_test

import (
	"fmt"
	"testing"

	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grubench"
	"github.com/gogru/gogru/gru/grutest"
)

// The real GPU runs the same conformance suite as the CPU and the simulator.
func TestGPUConformance32(t *testing.T) {
	grutest.Run(t, opener())
}

func TestGPUConformance64(t *testing.T) {
	grutest.Run(t, opener(cuda.WithDType(gru.Float64)))
}

// The persistent recurrent kernel on a real GPU runs the same suite, every pass
// on it (its sizes fit any GPU's shared memory).
func TestGPUPersistentConformance32(t *testing.T) { runGPUPersistentConformance(t, gru.Float32) }

func TestGPUPersistentConformance64(t *testing.T) { runGPUPersistentConformance(t, gru.Float64) }

func runGPUPersistentConformance(t *testing.T, dtype gru.DType) {
	open := func() (*cuda.Backend, error) { return cuda.New(cuda.WithDType(dtype)) }
	probe, err := open()
	if err != nil {
		t.Skipf("no GPU: %v; runs where an NVIDIA GPU and its driver are, with go test -tags cuda (make gpu-check)", err)
	}
	probe.Close()
	runPersistentConformance(t, open)
}

// On a real GPU, cuBLAS's TF32 tensor-op GEMMs meet the bound TF32 states, and
// their error is far above strict float32's.
func TestGPUTF32ErrorBound(t *testing.T) {
	checkErrorBound(t, errorBound{name: "TF32", tol: grutest.TF32Tolerances(), open: opener(cuda.WithPrecision(cuda.TF32)),
		finer: "float32", openFiner: opener(), factor: 20})
}

// On a real GPU, cuBLAS's GEMMs with CUBLAS_COMPUTE_32F_FAST_16BF meet the bound
// BF16 states, and their error is well above TF32's: the operands really go to
// bfloat16 (the compute type also allows cuBLAS to choose TF32, which would fail
// the factor).
func TestGPUBF16ErrorBound(t *testing.T) {
	checkErrorBound(t, errorBound{name: "BF16", tol: grutest.BF16Tolerances(), open: opener(cuda.WithPrecision(cuda.BF16)),
		finer: "TF32", openFiner: opener(cuda.WithPrecision(cuda.TF32)), factor: 4})
}

// gpuShapes are the GPU benchmark's shapes (B, T, D, H).
var gpuShapes = []grubench.Shape{{B: 64, T: 100, D: 512, H: 512}, {B: 256, T: 100, D: 1024, H: 1024}, {B: 32, T: 1500, D: 1024, H: 1024}}

func benchGPU(b *testing.B, train bool) {
	gpu, err := cuda.New()
	if err != nil {
		b.Fatal(err)
	}
	defer gpu.Close()
	for _, s := range gpuShapes {
		for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
			for _, k := range []cuda.RecurrentKernel{cuda.KernelGEMM, cuda.KernelPersistent} {
				b.Run(fmt.Sprintf("%v/%v/impl=cuda-f32/kernel=%v", s, v, k), func(b *testing.B) {
					if err := gpu.SetRecurrentKernel(k); err != nil {
						b.Fatal(err)
					}
					c, err := grubench.NewCase(gpu, s, v)
					if err != nil {
						b.Fatal(err)
					}
					defer c.Close()
					grubench.Loop(b, gpu, c, train) // synchronises the device before the clock stops
				})
			}
		}
	}
}

func BenchmarkGPUForward(b *testing.B)   { benchGPU(b, false) }
func BenchmarkGPUTrainStep(b *testing.B) { benchGPU(b, true) }
