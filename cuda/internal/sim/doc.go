// Package sim is gogru's CUDA simulator: a device.Device that runs the real
// kernels of ../../../kernels, compiled as host C++, on host memory, so that CI
// without a GPU exercises every orchestration path of package cuda and every
// kernel.
//
// Everything of the simulator lives here: the Go device (sim.go) and its
// recording (record.go), the launcher and GEMM in C++ (sim.cc), the header that
// lets the .cu sources compile for the host (sim.h: threadIdx, __syncthreads,
// atomics, fibers for blocks that synchronise) and the kernel registry kernelgen
// writes (kernels_gen.h). The kernels' sources are #included from kernels/, which
// the go tool does not track; importing package kernels, which embeds them,
// rebuilds the simulator when a kernel changes.
//
// It keeps CUDA's semantics where a GPU would fail: a launch with the wrong
// argument count, a block past the shared memory, a cooperative grid larger than
// the device holds, a barrier some threads never reach, and the calls a stream
// capture refuses each return the *device.Error a GPU's driver would. Its GEMM
// rounds float32 operands as tensor cores do under TF32 and BF16.
//
// The package is internal; users reach it through cuda.New(cuda.Simulated()).
package sim
