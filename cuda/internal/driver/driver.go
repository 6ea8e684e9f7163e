//go:build cuda

package driver

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"unsafe"

	"gorgonia.org/cu"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/kernels"
)

// Device is an NVIDIA GPU through gorgonia.org/cu (context, memory, module,
// stream, launches) and our cuBLAS wrapper. Each driver call runs on the calling
// goroutine, locked to its OS thread for the call, with the context made current
// there first. (An earlier design sent every call to one locked device goroutine
// over a channel; on an H200 that hop cost tens of microseconds a call, more than
// the launch itself, and the GPU sat idle two thirds of a small training step.)
type Device struct {
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

// Device implements the interface package cuda orchestrates.
var _ device.Device = (*Device)(nil)

// Devices lists the GPUs the driver reports.
func Devices() ([]device.Info, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return nil, driverError("cuDeviceGetCount", err)
	}
	out := make([]device.Info, 0, n)
	for i := range n {
		d, err := cu.GetDevice(i)
		if err != nil {
			return nil, driverError("cuDeviceGet", err)
		}
		info := device.Info{Index: i, Driver: cu.Version()}
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
// as one (device.Error.Is).
func driverError(call string, err error) error {
	return &device.Error{Call: call, Status: cuStatus(err), Detail: err.Error()}
}

// cuStatus returns the CUresult inside an error of gorgonia.org/cu (an integer
// type), or -1 when err holds none.
func cuStatus(err error) int {
	v := reflect.ValueOf(err)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(v.Uint())
	}
	return -1
}

// Open opens GPU index: its context, streams, the kernels' module and the cuBLAS
// handles, the float32 GEMMs computing with math. fatbin is the path of the
// kernels to load, "" for the embedded kernels/gogru.fatbin.
func Open(index int, math device.GEMMMath, fatbin string) (*Device, error) {
	d := &Device{index: index, funcs: map[device.Kernel]cu.Function{}, sharedAllowed: map[device.Kernel]int{}, static: map[device.Kernel]int{}}
	err := d.Do(func() error {
		n, err := cu.NumDevices()
		if err != nil {
			return driverError("cuDeviceGetCount", err)
		}
		if n <= index {
			return &device.Error{Call: "cuDeviceGet", Status: 100, Detail: fmt.Sprintf("no GPU %d (the driver reports %d)", index, n)}
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
		image, source, err := kernelImage(fatbin)
		if err != nil {
			return err
		}
		if d.module, err = cu.LoadFatBinary(string(image)); err != nil {
			return driverError("cuModuleLoadFatBinary ("+source+")", err)
		}
		if d.blas, err = newCublas(d.StreamHandle(), math); err != nil {
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

// kernelImage returns the fatbin to load, the file at path or, for "", the
// embedded one, and where it came from. The file's kernels must have the
// embedded ones' signatures: it is one built by make kernels FATBIN=path with
// another nvcc, say.
func kernelImage(path string) ([]byte, string, error) {
	if path == "" {
		return kernels.Fatbin, "embedded kernels/gogru.fatbin", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("cuda: fatbin %s: %w", path, err)
	}
	return b, path, nil
}

// Do runs f with the calling goroutine locked to its OS thread and the device's
// context current on that thread (once the context exists), and returns f's error;
// after close it returns gru.ErrClosed. The Backend is not safe for concurrent
// use, so calls never interleave.
func (d *Device) Do(f func() error) error {
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

// Name is "GPU i: name" and the GEMMs' math.
func (d *Device) Name() string { return d.label }

// Alloc allocates device memory (cuMemAlloc); a capture refuses it.
func (d *Device) Alloc(bytes int) (device.Ptr, error) {
	if err := d.Refuse(device.CallAlloc, device.WhatAlloc); err != nil {
		return 0, err
	}
	var p device.Ptr
	err := d.Do(func() error {
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

// Free releases an allocation (cuMemFree); a capture refuses it.
func (d *Device) Free(p device.Ptr) error {
	if err := d.Refuse(device.CallFree, device.WhatFree); err != nil {
		return err
	}
	if err := d.Remove(p, "cuMemFree"); err != nil {
		return err
	}
	return d.Do(func() error {
		if err := cu.MemFree(cu.DevicePtr(p)); err != nil {
			return driverError("cuMemFree", err)
		}
		return nil
	})
}

// HtoD copies host bytes to dst and waits for the copy, since src is Go memory;
// a capture refuses it.
func (d *Device) HtoD(dst device.Ptr, src []byte) error {
	if err := d.Refuse(device.CallHtoD, device.WhatHtoD); err != nil {
		return err
	}
	if len(src) == 0 {
		return nil
	}
	return d.Do(func() error {
		if err := cu.MemcpyHtoDAsync(cu.DevicePtr(dst), unsafe.Pointer(&src[0]), int64(len(src)), d.stream); err != nil {
			return driverError("cuMemcpyHtoDAsync", err)
		}
		return d.syncLocked() // src is Go memory: the copy must finish before we return
	})
}

// DtoH copies device bytes from src to the host and waits for the copy; a
// capture refuses it.
func (d *Device) DtoH(dst []byte, src device.Ptr) error {
	if err := d.Refuse(device.CallDtoH, device.WhatDtoH); err != nil {
		return err
	}
	if len(dst) == 0 {
		return nil
	}
	return d.Do(func() error {
		if err := cu.MemcpyDtoHAsync(unsafe.Pointer(&dst[0]), cu.DevicePtr(src), int64(len(dst)), d.stream); err != nil {
			return driverError("cuMemcpyDtoHAsync", err)
		}
		return d.syncLocked()
	})
}

// DtoD queues a device-to-device copy on the current stream.
func (d *Device) DtoD(dst, src device.Ptr, bytes int) error {
	return d.Do(func() error {
		if err := cu.MemcpyDtoDAsync(cu.DevicePtr(dst), cu.DevicePtr(src), int64(bytes), d.currentStream()); err != nil {
			return driverError("cuMemcpyDtoDAsync", err)
		}
		return nil
	})
}

// MemsetZero queues the zeroing of bytes at dst on the current stream.
func (d *Device) MemsetZero(dst device.Ptr, bytes int) error {
	return d.Do(func() error {
		if err := cu.MemsetD8Async(cu.DevicePtr(dst), 0, int64(bytes), d.currentStream()); err != nil {
			return driverError("cuMemsetD8Async", err)
		}
		return nil
	})
}

// StreamHandle is the raw CUstream of the device's main stream (stream 0), the one
// captures begin and end on and graphs launch on.
func (d *Device) StreamHandle() uintptr { return rawStream(d.stream) }

// rawStream is the raw CUstream of s.
func rawStream(s cu.Stream) uintptr {
	raw := s.C()
	return uintptr(*(*unsafe.Pointer)(unsafe.Pointer(&raw)))
}

// Launch queues kernel k over lg on the current stream, cooperatively for a
// cooperative kernel, after opting in to its dynamic shared memory.
func (d *Device) Launch(k device.Kernel, lg device.LaunchGeom, args []uint64) error {
	if err := device.LaunchError(k, len(args)); err != nil {
		return err // cuLaunchKernel would read as many slots as the kernel has parameters
	}
	return d.Do(func() error {
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

// GEMM queues a column-major GEMM on the current stream's cuBLAS handle.
func (d *Device) GEMM(f64, transA, transB bool, m, n, k int, alpha float64, a device.Ptr, lda int, b device.Ptr, ldb int, beta float64, c device.Ptr, ldc int) error {
	return d.Do(func() error {
		return d.currentBlas().gemm(f64, transA, transB, m, n, k, alpha, uintptr(a), lda, uintptr(b), ldb, beta, uintptr(c), ldc)
	})
}

// SyncUnguarded waits for the main stream past the capture guard, so that inside
// a capture the driver itself refuses it: the test of that refusal in package
// cuda needs a call the guard does not stop.
func (d *Device) SyncUnguarded() error { return d.Do(d.syncLocked) }

func (d *Device) syncLocked() error {
	if err := d.stream.Synchronize(); err != nil {
		return driverError("cuStreamSynchronize", err)
	}
	return nil
}

// sync waits for both streams' streams: stream 1's work is always joined into the main
// stream, but a join that failed would leave it behind.
func (d *Device) Sync() error {
	if err := d.Refuse(device.CallSync, device.WhatSync); err != nil {
		return err
	}
	return d.Do(func() error {
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
func (d *Device) Close() error {
	if d.closed {
		return nil
	}
	var first error
	keep := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	keep(d.Do(func() error {
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
