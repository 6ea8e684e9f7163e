package main

import (
	"fmt"
	"io"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
)

// openBackend picks the backend for --device and --dtype and says which it chose.
// Under auto the GPU is used when the binary has it and a device exists.
func openBackend(device, dtype string, out io.Writer) (gru.Backend, error) {
	var dt gru.DType
	switch dtype {
	case "float32":
		dt = gru.Float32
	case "float64":
		dt = gru.Float64
	default:
		return nil, usagef("--dtype %q: want float32 or float64", dtype)
	}
	var be gru.Backend
	var err error
	switch device {
	case "cpu":
		be, err = cpu.New(dt)
	case "cuda":
		be, err = cuda.New(dt)
	case "auto":
		be, err = cuda.New(dt)
		if err != nil {
			fmt.Fprintf(out, "device: GPU not used (%v)\n", err)
			be, err = cpu.New(dt)
		}
	default:
		return nil, usagef("--device %q: want cpu, cuda or auto", device)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "device: %s\n", be.Name())
	return be, nil
}
