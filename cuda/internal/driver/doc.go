// Package driver is gogru's real GPU: a device.Device on an NVIDIA GPU, built
// with the tag cuda. It is the one room of the module that imports
// gorgonia.org/cu (for the context, memory, the kernels' module and plain
// launches) and holds the project's own cgo against the CUDA headers: cuBLAS
// (cublas.go), stream capture and graph launches (record.go), cooperative
// launches and the shared-memory opt-in (cooperative.go) and the second stream
// (streams.go). Its kernels come from the fatbin embedded by package kernels, or
// from a file (package cuda's WithFatbin).
//
// Every call runs on the calling goroutine, locked to its OS thread, with the
// device's context current there (Do). It compiles against CUDA 11.8 to 13.x:
// the Makefile puts cuda/compat first on cgo's include path, whose cuda.h maps
// the calls CUDA 13 changed.
//
// The package is internal; users reach it through cuda.New.
package driver
