package main

import (
	"fmt"
	"io"

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
}

// tensorCores reports whether the precision changes the GPU's GEMMs only (tf32,
// bf16): float32 tensors, operands rounded on tensor cores.
func (p precision) tensorCores() bool { return p.name == "tf32" || p.name == "bf16" }

// dtypeHelp is --dtype's usage text.
const dtypeHelp = "float32, float64, tf32 or bf16 (float32 tensors whose GPU GEMMs take TF32 or bfloat16 operands on tensor cores, as PyTorch's allow_tf32 and autocast(bfloat16))"

// parsePrecision reads --dtype: float32, float64, tf32 (as PyTorch's allow_tf32) or
// bf16 (as torch.autocast(dtype=torch.bfloat16) for the GEMMs; storage stays
// float32).
func parsePrecision(s string) (precision, error) {
	switch s {
	case "float32", "tf32", "bf16":
		return precision{name: s, dtype: gru.Float32}, nil
	case "float64":
		return precision{name: s, dtype: gru.Float64}, nil
	}
	return precision{}, usagef("--dtype %q: want float32, float64, tf32 or bf16", s)
}

// openGPU opens GPU 0, or the CUDA simulator when sim is set, at precision p.
func openGPU(p precision, sim bool) (gru.Backend, error) {
	if sim {
		var be *cuda.Backend
		var err error
		switch p.name {
		case "tf32":
			be, err = cuda.NewSimulatedTF32()
		case "bf16":
			be, err = cuda.NewSimulatedBF16()
		default:
			be, err = cuda.NewSimulated(p.dtype)
		}
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return be, nil
	}
	switch p.name {
	case "tf32":
		return cuda.NewTF32()
	case "bf16":
		return cuda.NewBF16()
	}
	return cuda.New(p.dtype)
}

// openBackend picks the backend for --device and --dtype and says which it chose.
// Under auto the GPU is used when the binary has it and a device exists; otherwise
// the CPU, and the reason the GPU was not used is printed. sim is the CUDA
// simulator: the GPU code path on the host, slow, for testing without a GPU.
func openBackend(device, dtype string, out io.Writer) (gru.Backend, error) {
	p, err := parsePrecision(dtype)
	if err != nil {
		return nil, err
	}
	var be gru.Backend
	switch device {
	case "cpu":
		if p.tensorCores() {
			return nil, usagef("--dtype %s needs a GPU (--device cuda or auto); the CPU computes float32 exactly", p.name)
		}
		be, err = cpu.New(p.dtype)
	case "cuda", "sim":
		be, err = openGPU(p, device == "sim")
	case "auto":
		be, err = openGPU(p, false)
		if err != nil {
			fmt.Fprintf(out, "device: GPU not used (%v)\n", err)
			if p.tensorCores() {
				fmt.Fprintf(out, "device: --dtype %s falls back to float32 on the CPU\n", p.name)
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
