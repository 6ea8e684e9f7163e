package main

import (
	"fmt"
	"io"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
)

// precision is what --dtype asks for: a storage type, and for float32 on a GPU
// whether its GEMMs may use TF32 tensor cores.
type precision struct {
	dtype gru.DType
	tf32  bool
}

// parsePrecision reads --dtype: float32, float64 or tf32 (float32 tensors whose
// GPU GEMMs run on TF32 tensor cores, as PyTorch's allow_tf32).
func parsePrecision(s string) (precision, error) {
	switch s {
	case "float32":
		return precision{dtype: gru.Float32}, nil
	case "float64":
		return precision{dtype: gru.Float64}, nil
	case "tf32":
		return precision{dtype: gru.Float32, tf32: true}, nil
	}
	return precision{}, usagef("--dtype %q: want float32, float64 or tf32", s)
}

// kernelChoices describes --kernel's values, for train's, generate's and bench's help.
const kernelChoices = "gemm (per step, cuBLAS GEMMs and a pointwise kernel) or persistent (all steps in one " +
	"cooperative kernel with W_h in shared memory; opt-in until measured, and gemm where W_h does not fit)"

// kernelUsage is train's and generate's --kernel help.
const kernelUsage = "how the GPU runs the recurrence: " + kernelChoices

// parseKernel reads --kernel: gemm or persistent.
func parseKernel(s string) (cuda.RecurrentKernel, error) {
	k, err := cuda.ParseRecurrentKernel(s)
	if err != nil {
		return 0, usagef("--kernel %q: want gemm or persistent", s)
	}
	return k, nil
}

// openGPU opens GPU 0, or the CUDA simulator when sim is set, at precision p,
// running the recurrence with kernel k.
func openGPU(p precision, sim bool, k cuda.RecurrentKernel) (*cuda.Backend, error) {
	var be gru.Backend
	var err error
	switch {
	case sim && p.tf32:
		be, err = cuda.NewSimulatedTF32()
	case sim:
		be, err = cuda.NewSimulated(p.dtype)
	case p.tf32:
		be, err = cuda.NewTF32()
	default:
		be, err = cuda.New(p.dtype)
	}
	if err != nil {
		return nil, err
	}
	gpu := be.(*cuda.Backend)
	if err := gpu.SetRecurrentKernel(k); err != nil {
		gpu.Close()
		return nil, err
	}
	return gpu, nil
}

// openBackend picks the backend for --device, --dtype and --kernel and says which
// it chose. Under auto the GPU is used when the binary has it and a device
// exists; otherwise the CPU, and the reason the GPU was not used is printed. sim
// is the CUDA simulator: the GPU code path on the host, slow, for testing without
// a GPU. --kernel chooses how the GPU runs the recurrence; the CPU has one way,
// so --device cpu refuses --kernel persistent.
func openBackend(device, dtype, kernel string, out io.Writer) (gru.Backend, error) {
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
		if p.tf32 {
			return nil, usagef("--dtype tf32 needs a GPU (--device cuda or auto); the CPU computes float32 exactly")
		}
		if k != cuda.KernelGEMM {
			return nil, usagef("--kernel %v needs a GPU (--device cuda, auto or sim); the CPU has one recurrent path", k)
		}
		be, err = cpu.New(p.dtype)
	case "cuda", "sim":
		be, err = asBackend(openGPU(p, device == "sim", k))
	case "auto":
		be, err = asBackend(openGPU(p, false, k))
		if err != nil {
			fmt.Fprintf(out, "device: GPU not used (%v)\n", err)
			if p.tf32 {
				fmt.Fprintln(out, "device: --dtype tf32 falls back to float32 on the CPU")
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
