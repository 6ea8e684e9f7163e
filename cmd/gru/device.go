package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
)

// precision is what --dtype asks for: its name and storage type. tf32 and bf16 are
// float32 tensors whose GPU GEMMs take their operands in TF32 or bfloat16 on tensor
// cores and accumulate in float32.
type precision struct {
	name  string
	dtype gru.DType
	gemm  cuda.Precision // how the GPU's float32 GEMMs compute
}

// tensorCores reports whether the precision changes the GPU's GEMMs only (tf32,
// bf16): float32 tensors, operands rounded on tensor cores.
func (p precision) tensorCores() bool { return p.gemm != cuda.FP32 }

// dtypeHelp is --dtype's usage text.
const dtypeHelp = "float32, float64, tf32 or bf16 (float32 tensors whose GPU GEMMs take TF32 or bfloat16 operands on tensor cores, as PyTorch's allow_tf32 and autocast(bfloat16))"

// parsePrecision reads --dtype: float32, float64, tf32 (as PyTorch's allow_tf32) or
// bf16 (as torch.autocast(dtype=torch.bfloat16) for the GEMMs; storage stays
// float32).
func parsePrecision(s string) (precision, error) {
	switch s {
	case "float32":
		return precision{name: s, dtype: gru.Float32}, nil
	case "tf32":
		return precision{name: s, dtype: gru.Float32, gemm: cuda.TF32}, nil
	case "bf16":
		return precision{name: s, dtype: gru.Float32, gemm: cuda.BF16}, nil
	case "float64":
		return precision{name: s, dtype: gru.Float64}, nil
	}
	return precision{}, usagef("--dtype %q: want float32, float64, tf32 or bf16", s)
}

// kernelChoices describes --kernel's values, for train's, generate's and bench's help.
const kernelChoices = "gemm (per step, cuBLAS GEMMs and a pointwise kernel), persistent (all steps in one " +
	"cooperative kernel with W_h in shared memory; opt-in until measured, and gemm where W_h does not fit or with " +
	"tf32/bf16, said once) or auto (times both on each shape's first steps and keeps the faster, said once)"

// kernelUsage is train's and generate's --kernel help.
const kernelUsage = "how the GPU runs the recurrence: " + kernelChoices

// parseKernel reads --kernel: gemm, persistent or auto.
func parseKernel(s string) (cuda.RecurrentKernel, error) {
	k, err := cuda.ParseRecurrentKernel(s)
	if err != nil {
		return 0, usagef("--kernel %q: want gemm, persistent or auto", s)
	}
	return k, nil
}

// fatbinEnv names the environment variable that, when set, points at a fatbin for
// the GPU to load instead of the embedded kernels/gogru.fatbin: one built by make
// kernels FATBIN=path with another nvcc, say (cuda.WithFatbin). Its kernels must
// have the same signatures.
const fatbinEnv = "GOGRU_FATBIN"

// openGPU opens GPU index, or the CUDA simulator when sim is set, at precision p,
// running the recurrence with kernel k, with the kernels fatbinEnv names if set.
func openGPU(p precision, sim bool, index int, k cuda.RecurrentKernel) (*cuda.Backend, error) {
	opts := []cuda.Option{cuda.WithDType(p.dtype), cuda.WithPrecision(p.gemm), cuda.WithDevice(index), cuda.WithRecurrentKernel(k)}
	if sim {
		opts = append(opts, cuda.Simulated())
	}
	if path := os.Getenv(fatbinEnv); path != "" {
		opts = append(opts, cuda.WithFatbin(path))
	}
	return cuda.New(opts...)
}

// openBackend picks the backend for --device, --dtype and --kernel and says which
// it chose. Under auto the GPU is used when the binary has it and a device
// exists; otherwise the CPU, and the reason the GPU was not used is printed. sim
// is the CUDA simulator: the GPU code path on the host, slow, for testing without
// a GPU. --kernel chooses how the GPU runs the recurrence; the CPU has one way,
// so --device cpu refuses --kernel persistent. gpu is the GPU to open (0 but in
// a data-parallel job, see job.gpu).
func openBackend(device, dtype, kernel string, gpu int, out io.Writer) (gru.Backend, error) {
	p, err := parsePrecision(dtype)
	if err != nil {
		return nil, err
	}
	k, err := parseKernel(kernel)
	if err != nil {
		return nil, err
	}
	var be gru.Backend
	switch device {
	case "cpu":
		if p.tensorCores() {
			return nil, usagef("--dtype %s needs a GPU (--device cuda or auto); the CPU computes float32 exactly", p.name)
		}
		if k != cuda.KernelGEMM {
			return nil, usagef("--kernel %v needs a GPU (--device cuda, auto or sim); the CPU has one recurrent path", k)
		}
		be, err = cpu.New(p.dtype)
	case "cuda", "sim":
		be, err = asBackend(openGPU(p, device == "sim", gpu, k))
	case "auto":
		be, err = asBackend(openGPU(p, false, gpu, k))
		if err != nil {
			fmt.Fprintf(out, "device: GPU not used (%v)\n", err)
			if p.tensorCores() {
				fmt.Fprintf(out, "device: --dtype %s falls back to float32 on the CPU\n", p.name)
			}
			if k != cuda.KernelGEMM {
				fmt.Fprintf(out, "device: --kernel %v applies to the GPU only; the CPU has one recurrent path\n", k)
			}
			be, err = cpu.New(p.dtype)
		}
	default:
		return nil, usagef("--device %q: want cpu, cuda, auto or sim", device)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "device: %s\n", be.Name())
	return be, nil
}

// asBackend passes openGPU's result on as a gru.Backend, nil (not a typed nil in
// the interface) on error.
func asBackend(be *cuda.Backend, err error) (gru.Backend, error) {
	if err != nil {
		return nil, err
	}
	return be, nil
}
