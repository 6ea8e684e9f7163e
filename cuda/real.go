//go:build cuda

package cuda

import (
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"gorgonia.org/cu"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/kernels"
)

// realDevice is an NVIDIA GPU through gorgonia.org/cu (context, memory, module,
// stream, launches) and our cuBLAS wrapper. Each driver call runs on the calling
// goroutine, locked to its OS thread for the call, with the context made current
// there first. (An earlier design sent every call to one locked device goroutine
// over a channel; on an H200 that hop cost tens of microseconds a call, more than
// the launch itself, and the GPU sat idle two thirds of a small training step.)
type realDevice struct {
	index  int
	label  string
	ctx    cu.CUContext
	stream cu.Stream
	module cu.Module
	blas   *cublasHandle
	funcs  map[device.Kernel]cu.Function // loaded on first launch
	// sharedAllowed is the dynamic shared memory each kernel has opted in to.
	sharedAllowed map[device.Kernel]int
	static        map[device.Kernel]int // each kernel's static shared memory, read on first use
	limits        *device.CoopLimits    // read on first use
	secondStream
	device.AllocTracker
	recordSupport
	closed bool
}

// openGPU opens GPU index for New, its float32 GEMMs computing with math m.
func openGPU(index int, m device.GEMMMath) (device.Device, error) {
	d, err := openDevice(index, m)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Devices lists the GPUs the driver reports.
func Devices() ([]Device, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return nil, driverError("cuDeviceGetCount", err)
	}
	out := make([]Device, 0, n)
	for i := range n {
		d, err := cu.GetDevice(i)
		if err != nil {
			return nil, driverError("cuDeviceGet", err)
		}
		info := Device{Index: i, Driver: cu.Version()}
		if info.Name, err = d.Name(); err != nil {
			return nil, driverError("cuDeviceGetName", err)
		}
		if info.Major, err = d.Attribute(cu.ComputeCapabilityMajor); err != nil {
			return nil, driverError("cuDeviceGetAttribute", err)
		}
		if info.Minor, err = d.Attribute(cu.ComputeCapabilityMinor); err != nil {
			return nil, driverError("cuDeviceGetAttribute", err)
		}
		if info.MemoryBytes, err = d.TotalMem(); err != nil {
			return nil, driverError("cuDeviceTotalMem", err)
		}
		out = append(out, info)
	}
	return out, nil
}

// driverError is the *Error of a failed gorgonia.org/cu call, with the driver's
// status where the error holds one (see cuStatus), so that a sticky status reads
// as one (fallback.go).
func driverError(call string, err error) error {
	return &Error{Call: call, Status: cuStatus(err), Detail: err.Error()}
}

// openDevice creates the context, stream, module and cuBLAS handle.
func openDevice(index int, math device.GEMMMath) (*realDevice, error) {
	d := &realDevice{index: index, funcs: map[device.Kernel]cu.Function{}, sharedAllowed: map[device.Kernel]int{}, static: map[device.Kernel]int{}}
	err := d.do(func() error {
		n, err := cu.NumDevices()
		if err != nil {
			return driverError("cuDeviceGetCount", err)
		}
		if n <= index {
			return &Error{Call: "cuDeviceGet", Status: 100, Detail: fmt.Sprintf("no GPU %d (the driver reports %d)", index, n)}
		}
		dev, err := cu.GetDevice(index)
		if err != nil {
			return driverError("cuDeviceGet", err)
		}
		name, _ := dev.Name()
		d.label = fmt.Sprintf("GPU %d: %s%s", index, name, math.Label())
		if d.ctx, err = dev.MakeContext(cu.SchedAuto); err != nil {
			return driverError("cuCtxCreate", err)
		}
		if d.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
			return driverError("cuStreamCreate", err)
		}
		image, source, err := kernelImage()
		if err != nil {
			return err
		}
		if d.module, err = cu.LoadFatBinary(string(image)); err != nil {
			return driverError("cuModuleLoadFatBinary ("+source+")", err)
		}
		if d.blas, err = newCublas(d.streamHandle(), math); err != nil {
			return err
		}
		if err := d.setBlasWorkspace(dev); err != nil {
			return err
		}
		return d.openSecondStream(dev, math)
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// FatbinEnv names the environment variable that, when set, points at a fatbin to
// load instead of the embedded kernels/gogru.fatbin: one built by `make kernels
// FATBIN=path` with another nvcc, say. Its kernels must have the same signatures.
const FatbinEnv = "GOGRU_FATBIN"

// kernelImage returns the fatbin to load and where it came from.
func kernelImage() ([]byte, string, error) {
	path := os.Getenv(FatbinEnv)
	if path == "" {
		return kernels.Fatbin, "embedded kernels/gogru.fatbin", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("cuda: %s=%s: %w", FatbinEnv, path, err)
	}
	return b, path, nil
}

// do runs f with the calling goroutine locked to its OS thread and the device's
// context current on that thread (once the context exists), and returns f's error;
// after close it returns gru.ErrClosed. The Backend is not safe for concurrent
// use, so calls never interleave.
func (d *realDevice) do(f func() error) error {
	if d.closed {
		return gru.ErrClosed
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if d.ctx != (cu.CUContext{}) {
		if err := cu.SetCurrentContext(d.ctx); err != nil {
			return driverError("cuCtxSetCurrent", err)
		}
	}
	return f()
}

func (d *realDevice) Name() string { return d.label }

func (d *realDevice) Alloc(bytes int) (device.Ptr, error) {
	if err := d.Refuse(device.CallAlloc, device.WhatAlloc); err != nil {
		return 0, err
	}
	var p device.Ptr
	err := d.do(func() error {
		dp, err := cu.MemAlloc(int64(max(bytes, 1)))
		if err != nil {
			return driverError("cuMemAlloc", err)
		}
		p = device.Ptr(dp)
		return nil
	})
	if err == nil {
		d.Add(p, bytes)
	}
	return p, err
}

func (d *realDevice) Free(p device.Ptr) error {
	if err := d.Refuse(device.CallFree, device.WhatFree); err != nil {
		return err
	}
	if err := d.Remove(p, "cuMemFree"); err != nil {
		return err
	}
	return d.do(func() error {
		if err := cu.MemFree(cu.DevicePtr(p)); err != nil {
			return driverError("cuMemFree", err)
		}
		return nil
	})
}

func (d *realDevice) HtoD(dst device.Ptr, src []byte) error {
	if err := d.Refuse(device.CallHtoD, device.WhatHtoD); err != nil {
		return err
	}
	if len(src) == 0 {
		return nil
	}
	return d.do(func() error {
		if err := cu.MemcpyHtoDAsync(cu.DevicePtr(dst), unsafe.Pointer(&src[0]), int64(len(src)), d.stream); err != nil {
			return driverError("cuMemcpyHtoDAsync", err)
		}
		return d.syncLocked() // src is Go memory: the copy must finish before we return
	})
}

func (d *realDevice) DtoH(dst []byte, src device.Ptr) error {
	if err := d.Refuse(device.CallDtoH, device.WhatDtoH); err != nil {
		return err
	}
	if len(dst) == 0 {
		return nil
	}
	return d.do(func() error {
		if err := cu.MemcpyDtoHAsync(unsafe.Pointer(&dst[0]), cu.DevicePtr(src), int64(len(dst)), d.stream); err != nil {
			return driverError("cuMemcpyDtoHAsync", err)
		}
		return d.syncLocked()
	})
}

func (d *realDevice) DtoD(dst, src device.Ptr, bytes int) error {
	return d.do(func() error {
		if err := cu.MemcpyDtoDAsync(cu.DevicePtr(dst), cu.DevicePtr(src), int64(bytes), d.currentStream()); err != nil {
			return driverError("cuMemcpyDtoDAsync", err)
		}
		return nil
	})
}

func (d *realDevice) MemsetZero(dst device.Ptr, bytes int) error {
	return d.do(func() error {
		if err := cu.MemsetD8Async(cu.DevicePtr(dst), 0, int64(bytes), d.currentStream()); err != nil {
			return driverError("cuMemsetD8Async", err)
		}
		return nil
	})
}

// streamHandle is the raw CUstream of the device's main stream (stream 0), the one
// captures begin and end on and graphs launch on.
func (d *realDevice) streamHandle() uintptr { return rawStream(d.stream) }

// rawStream is the raw CUstream of s.
func rawStream(s cu.Stream) uintptr {
	raw := s.C()
	return uintptr(*(*unsafe.Pointer)(unsafe.Pointer(&raw)))
}

func (d *realDevice) Launch(k device.Kernel, lg device.LaunchGeom, args []uint64) error {
	if err := device.LaunchError(k, len(args)); err != nil {
		return err // cuLaunchKernel would read as many slots as the kernel has parameters
	}
	return d.do(func() error {
		fn, err := d.function(k)
		if err != nil {
			return err
		}
		if err := d.allowSharedLocked(k, fn, lg.Shared); err != nil {
			return err
		}
		if device.KernelSigs[k].Cooperative {
			return d.launchCooperative(k, fn, lg, args)
		}
		params := make([]unsafe.Pointer, len(args))
		for i := range args {
			params[i] = unsafe.Pointer(&args[i])
		}
		grid, block := lg.Grid, lg.Block
		if err := fn.Launch(grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, lg.Shared, d.currentStream(), params); err != nil {
			return driverError("cuLaunchKernel "+k.String(), err)
		}
		return nil
	})
}

func (d *realDevice) GEMM(f64, transA, transB bool, m, n, k int, alpha float64, a device.Ptr, lda int, b device.Ptr, ldb int, beta float64, c device.Ptr, ldc int) error {
	return d.do(func() error {
		return d.currentBlas().gemm(f64, transA, transB, m, n, k, alpha, uintptr(a), lda, uintptr(b), ldb, beta, uintptr(c), ldc)
	})
}

func (d *realDevice) syncLocked() error {
	if err := d.stream.Synchronize(); err != nil {
		return driverError("cuStreamSynchronize", err)
	}
	return nil
}

// sync waits for both streams' streams: stream 1's work is always joined into the main
// stream, but a join that failed would leave it behind.
func (d *realDevice) Sync() error {
	if err := d.Refuse(device.CallSync, device.WhatSync); err != nil {
		return err
	}
	return d.do(func() error {
		if err := d.syncLocked(); err != nil {
			return err
		}
		if d.sideStream == (cu.Stream{}) {
			return nil
		}
		if err := d.sideStream.Synchronize(); err != nil {
			return driverError("cuStreamSynchronize (stream 1)", err)
		}
		return nil
	})
}

// close frees what is left and destroys the handles, module, streams, events and
// context.
// It is safe to call twice.
func (d *realDevice) Close() error {
	if d.closed {
		return nil
	}
	var first error
	keep := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	keep(d.do(func() error {
		for _, p := range d.TakeAll() {
			keep(cu.MemFree(cu.DevicePtr(p)))
		}
		keep(d.blas.destroy())
		if d.blasWork != 0 {
			keep(cu.MemFree(d.blasWork))
		}
		keep(d.closeSecondStream())
		if d.module != (cu.Module{}) {
			keep(d.module.Unload())
		}
		if d.stream != (cu.Stream{}) {
			keep(d.stream.Destroy())
		}
		if d.ctx != (cu.CUContext{}) {
			keep(d.ctx.Destroy())
		}
		return nil
	}))
	d.closed = true
	return first
}
