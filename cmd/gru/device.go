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

// openGPU opens GPU 0, or the CUDA simulator when sim is set, at precision p.
func openGPU(p precision, sim bool) (gru.Backend, error) {
	if sim {
		var be *cuda.Backend
		var err error
		if p.tf32 {
			be, err = cuda.NewSimulatedTF32()
		} else {
			be, err = cuda.NewSimulated(p.dtype)
		}
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return be, nil
	}
	if p.tf32 {
		return cuda.NewTF32()
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
		if p.tf32 {
			return nil, usagef("--dtype tf32 needs a GPU (--device cuda or auto); the CPU computes float32 exactly")
		}
		be, err = cpu.New(p.dtype)
	case "cuda", "sim":
		be, err = openGPU(p, device == "sim")
	case "auto":
		be, err = openGPU(p, false)
		if err != nil {
			fmt.Fprintf(out, "device: GPU not used (%v)\n", err)
			if p.tf32 {
				fmt.Fprintln(out, "device: --dtype tf32 falls back to float32 on the CPU")
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
