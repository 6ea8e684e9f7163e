//go:build cuda

package driver

/*
#cgo LDFLAGS: -lcuda
#cgo linux CFLAGS: -I/usr/local/cuda/include
#cgo linux LDFLAGS: -L/usr/local/cuda/lib64
#include <stdint.h>
#include <stdlib.h>
#include <cuda.h>

// The function and stream cross as uintptr_t so that Go code never holds a C
// pointer type of another package (gorgonia.org/cu's CUfunction and CUstream).
static CUresult gogru_launch_cooperative(uintptr_t fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                                         unsigned by, unsigned bz, unsigned shared, uintptr_t stream, void** params) {
	return cuLaunchCooperativeKernel((CUfunction)fn, gx, gy, gz, bx, by, bz, shared, (CUstream)stream, params);
}
static CUresult gogru_set_max_dynamic_shared(uintptr_t fn, int bytes) {
	return cuFuncSetAttribute((CUfunction)fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
}
static CUresult gogru_static_shared(uintptr_t fn, int* bytes) {
	return cuFuncGetAttribute(bytes, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, (CUfunction)fn);
}
static CUresult gogru_occupancy(uintptr_t fn, int threads, size_t shared, int* blocks) {
	return cuOccupancyMaxActiveBlocksPerMultiprocessor(blocks, (CUfunction)fn, threads, shared);
}
// gogru_coop_attributes reads the current context's device's multiprocessor
// count, opt-in shared memory per block, warp size and cooperative-launch support.
static CUresult gogru_coop_attributes(int* sms, int* shared, int* warp, int* coop) {
	CUdevice d;
	CUresult r = cuCtxGetDevice(&d);
	if (r == CUDA_SUCCESS) r = cuDeviceGetAttribute(sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d);
	if (r == CUDA_SUCCESS) r = cuDeviceGetAttribute(shared, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, d);
	if (r == CUDA_SUCCESS) r = cuDeviceGetAttribute(warp, CU_DEVICE_ATTRIBUTE_WARP_SIZE, d);
	if (r == CUDA_SUCCESS) r = cuDeviceGetAttribute(coop, CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH, d);
	return r;
}
*/
import "C"

import (
	"unsafe"

	"github.com/gogru/gogru/cuda/internal/device"
	"gorgonia.org/cu"
)

// A cu.Function holds just its driver handle, which rawFunction reads out; these
// fail to compile should it ever hold more.
var (
	_ [unsafe.Sizeof(cu.Function{}) - unsafe.Sizeof(uintptr(0))]byte
	_ [unsafe.Sizeof(uintptr(0)) - unsafe.Sizeof(cu.Function{})]byte
)

// persistMaxThreads caps the threads of a persistent kernel's block (see package
// cuda's planPersistent): more threads than this add row groups a block rarely
// has rows for.
const persistMaxThreads = 256

func rawFunction(fn cu.Function) C.uintptr_t { return C.uintptr_t(*(*uintptr)(unsafe.Pointer(&fn))) }

// function returns kernel k's function, loading it on first use. The caller
// holds the context (d.Do).
func (d *Device) function(k device.Kernel) (cu.Function, error) {
	if fn, ok := d.funcs[k]; ok {
		return fn, nil
	}
	fn, err := d.module.Function(k.String())
	if err != nil {
		return fn, driverError("cuModuleGetFunction "+k.String(), err)
	}
	d.funcs[k] = fn
	return fn, nil
}

// StaticShared reads kernel k's static shared memory once and keeps it.
func (d *Device) StaticShared(k device.Kernel) (int, error) {
	var n int
	err := d.Do(func() error {
		var err error
		n, err = d.staticSharedLocked(k)
		return err
	})
	return n, err
}

// staticSharedLocked is StaticShared for a caller that holds the context.
func (d *Device) staticSharedLocked(k device.Kernel) (int, error) {
	if n, ok := d.static[k]; ok {
		return n, nil
	}
	fn, err := d.function(k)
	if err != nil {
		return 0, err
	}
	var n C.int
	if err := cuCheck("cuFuncGetAttribute "+k.String(), C.gogru_static_shared(rawFunction(fn), &n)); err != nil {
		return 0, err
	}
	d.static[k] = int(n)
	return int(n), nil
}

// AllowShared lets kernel k's blocks have shared bytes of dynamic shared memory.
func (d *Device) AllowShared(k device.Kernel, shared int) error {
	return d.Do(func() error {
		fn, err := d.function(k)
		if err != nil {
			return err
		}
		return d.allowSharedLocked(k, fn, shared)
	})
}

// allowSharedLocked lets kernel k's blocks have shared bytes of dynamic shared
// memory: where that and the kernel's static shared memory pass 48 KiB, the
// function must opt in. The caller holds the context.
func (d *Device) allowSharedLocked(k device.Kernel, fn cu.Function, shared int) error {
	if shared <= d.sharedAllowed[k] {
		return nil
	}
	static, err := d.staticSharedLocked(k)
	if err != nil {
		return err
	}
	if !device.NeedsOptIn(static, shared) {
		return nil
	}
	if err := cuCheck("cuFuncSetAttribute "+k.String(), C.gogru_set_max_dynamic_shared(rawFunction(fn), C.int(shared))); err != nil {
		return err
	}
	d.sharedAllowed[k] = shared
	return nil
}

// launchCooperative launches fn with cuLaunchCooperativeKernel, which gorgonia.org/cu
// lacks. The parameter array is C memory: cgo forbids passing Go memory that
// holds Go pointers. The caller holds the context.
func (d *Device) launchCooperative(k device.Kernel, fn cu.Function, lg device.LaunchGeom, args []uint64) error {
	n := max(len(args), 1)
	vals := unsafe.Slice((*uint64)(C.malloc(C.size_t(8*n))), n)
	ptrs := unsafe.Slice((*unsafe.Pointer)(C.malloc(C.size_t(8*n))), n)
	defer C.free(unsafe.Pointer(&vals[0]))
	defer C.free(unsafe.Pointer(&ptrs[0]))
	for i, a := range args {
		vals[i] = a
		ptrs[i] = unsafe.Pointer(&vals[i])
	}
	g, b := lg.Grid, lg.Block
	return cuCheck("cuLaunchCooperativeKernel "+k.String(), C.gogru_launch_cooperative(rawFunction(fn),
		C.uint(g.X), C.uint(g.Y), C.uint(g.Z), C.uint(b.X), C.uint(b.Y), C.uint(b.Z), C.uint(lg.Shared),
		C.uintptr_t(rawStream(d.currentStream())), (*unsafe.Pointer)(unsafe.Pointer(&ptrs[0]))))
}

// CoopLimits reads what cooperative launches may use (once) from the device.
func (d *Device) CoopLimits() (device.CoopLimits, error) {
	var lim device.CoopLimits
	err := d.Do(func() error {
		var err error
		lim, err = d.coopLimitsLocked()
		return err
	})
	return lim, err
}

// coopLimitsLocked reads the device's limits once and keeps them. The caller
// holds the context.
func (d *Device) coopLimitsLocked() (device.CoopLimits, error) {
	if d.limits != nil {
		return *d.limits, nil
	}
	var sms, shared, warp, coop C.int
	if err := cuCheck("cuDeviceGetAttribute", C.gogru_coop_attributes(&sms, &shared, &warp, &coop)); err != nil {
		return device.CoopLimits{}, err
	}
	lim := device.CoopLimits{}
	if coop != 0 {
		lim = device.CoopLimits{Multiprocessors: int(sms), SharedPerBlock: int(shared), ThreadsPerBlock: persistMaxThreads, Warp: int(warp)}
	}
	d.limits = &lim
	return lim, nil
}

// ResidentBlocks is the occupancy calculator's blocks per multiprocessor times
// the multiprocessors.
func (d *Device) ResidentBlocks(k device.Kernel, threads, shared int) (int, error) {
	var total int
	err := d.Do(func() error {
		lim, err := d.coopLimitsLocked()
		if err != nil {
			return err
		}
		fn, err := d.function(k)
		if err != nil {
			return err
		}
		if err := d.allowSharedLocked(k, fn, shared); err != nil {
			return err
		}
		var perSM C.int
		if err := cuCheck("cuOccupancyMaxActiveBlocksPerMultiprocessor "+k.String(), C.gogru_occupancy(rawFunction(fn), C.int(threads), C.size_t(shared), &perSM)); err != nil {
			return err
		}
		total = int(perSM) * lim.Multiprocessors
		return nil
	})
	return total, err
}
