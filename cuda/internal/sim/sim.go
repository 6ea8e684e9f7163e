package sim

/*
#cgo CXXFLAGS: -std=c++17 -O2 -Wall -Werror -I${SRCDIR}
#cgo LDFLAGS: -lstdc++ -lpthread
#include <stdint.h>
#include <stdlib.h>
int gogru_sim_kernels(void);
const char* gogru_sim_kernel_name(int k, int* arity, int* cooperative);
int gogru_sim_launch_slots(int k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                           unsigned shared, const uint64_t* slots, int nargs);
uintptr_t gogru_sim_alloc(size_t n);
void gogru_sim_free(uintptr_t p);
void gogru_sim_htod(uintptr_t dst, const void* src, size_t n);
void gogru_sim_dtoh(void* dst, uintptr_t src, size_t n);
void gogru_sim_dtod(uintptr_t dst, uintptr_t src, size_t n);
void gogru_sim_memset0(uintptr_t dst, size_t n);
int gogru_sim_gemm(int f64, int math, int ta, int tb, int m, int n, int k, double alpha, uintptr_t A, int lda,
                   uintptr_t B, int ldb, double beta, uintptr_t C, int ldc);
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/internal/sysmem"

	// The simulator #includes the kernel sources, which the go tool does not track;
	// package kernels embeds them, so this import rebuilds the simulator when they change.
	_ "github.com/gogru/gogru/kernels"
)

// Device implements the interface package cuda orchestrates.
var _ device.Device = (*Device)(nil)

// simMu serialises simulated launches: __shared__ storage is static per kernel,
// and the simulated thread's geometry is global state of the simulator.
var simMu sync.Mutex

// Device runs the kernels as host C++ in host memory (see sim.h).
type Device struct {
	device.AllocTracker
	recorder
	limit  int               // most bytes live at once, as a GPU's memory; 0 means no limit
	math   device.GEMMMath   // how float32 GEMMs round their operands, as TF32 and BF16 do on a GPU
	coop   device.CoopLimits // what cooperative launches may use
	closed bool
}

// CoopLimits are the simulator's limits for cooperative launches: a small GPU
// of four multiprocessors with 48 KiB of shared memory a block (the most a GPU
// gives without opt-in), so that the persistent kernels take several blocks at
// the conformance suite's sizes, and fall back where H is large.
var CoopLimits = device.CoopLimits{Multiprocessors: 4, SharedPerBlock: 48 << 10, ThreadsPerBlock: 256, Warp: 32}

// New returns a simulator whose float32 GEMMs round their operands as math
// says, with the host's memory and the cooperative limits of CoopLimits.
func New(math device.GEMMMath) *Device { return &Device{math: math, coop: CoopLimits} }

// SetMemory gives the simulator limit bytes of memory, as a GPU has: an
// allocation that would take the live bytes past it fails as cuMemAlloc does
// when a GPU is full. 0, the default, means the host's memory. It exists for the
// out-of-memory tests.
func (d *Device) SetMemory(limit int) { d.limit = limit }

// SetCoopLimits makes cooperative launches see the limits of another device: the
// tests of the persistent kernels' plans use it. Its zero value says that
// cooperative launches are not supported.
func (d *Device) SetCoopLimits(lim device.CoopLimits) { d.coop = lim }

// Closed reports whether Close has run.
func (d *Device) Closed() bool { return d.closed }

// Name says that the device is the simulator, and its GEMMs' math.
func (d *Device) Name() string { return "simulated GPU (host C++)" + d.math.Label() }

// Alloc allocates host memory standing in for device memory, within the limit SetMemory set.
func (d *Device) Alloc(bytes int) (device.Ptr, error) {
	if err := d.Refuse(device.CallAlloc, device.WhatAlloc); err != nil {
		return 0, err
	}
	if bytes < 0 {
		return 0, &device.Error{Call: "simAlloc", Status: 1, Detail: fmt.Sprintf("negative size %d", bytes)}
	}
	if d.limit > 0 && bytes > d.limit-d.Used() {
		// CUDA_ERROR_OUT_OF_MEMORY
		return 0, &device.Error{Call: "simAlloc", Status: 2, Detail: "out of memory"}
	}
	p := device.Ptr(C.gogru_sim_alloc(C.size_t(bytes)))
	if p == 0 {
		return 0, &device.Error{Call: "simAlloc", Status: 2, Detail: "out of host memory"}
	}
	d.Add(p, bytes)
	return p, nil
}

// Free releases an allocation.
func (d *Device) Free(p device.Ptr) error {
	if err := d.Refuse(device.CallFree, device.WhatFree); err != nil {
		return err
	}
	if err := d.Remove(p, "simFree"); err != nil {
		return err
	}
	C.gogru_sim_free(C.uintptr_t(p))
	return nil
}

// HtoD copies host bytes to dst.
func (d *Device) HtoD(dst device.Ptr, src []byte) error {
	if err := d.Refuse(device.CallHtoD, device.WhatHtoD); err != nil {
		return err
	}
	if len(src) > 0 {
		C.gogru_sim_htod(C.uintptr_t(dst), unsafe.Pointer(&src[0]), C.size_t(len(src)))
	}
	return nil
}

// DtoH copies device bytes from src to the host.
func (d *Device) DtoH(dst []byte, src device.Ptr) error {
	if err := d.Refuse(device.CallDtoH, device.WhatDtoH); err != nil {
		return err
	}
	if len(dst) > 0 {
		C.gogru_sim_dtoh(unsafe.Pointer(&dst[0]), C.uintptr_t(src), C.size_t(len(dst)))
	}
	return nil
}

// DtoD copies bytes from src to dst, or records the copy in a capture.
func (d *Device) DtoD(dst, src device.Ptr, bytes int) error {
	if d.Capturing() {
		return d.record(func() error { return d.DtoD(dst, src, bytes) })
	}
	C.gogru_sim_dtod(C.uintptr_t(dst), C.uintptr_t(src), C.size_t(bytes))
	return nil
}

// MemsetZero zeroes bytes at dst, or records it in a capture.
func (d *Device) MemsetZero(dst device.Ptr, bytes int) error {
	if d.Capturing() {
		return d.record(func() error { return d.MemsetZero(dst, bytes) })
	}
	C.gogru_sim_memset0(C.uintptr_t(dst), C.size_t(bytes))
	return nil
}

// Launch runs kernel k over lg with CUDA's grid semantics, or records the launch
// in a capture, after the checks the driver makes.
func (d *Device) Launch(k device.Kernel, lg device.LaunchGeom, args []uint64) error {
	if err := d.checkCooperative(k, lg); err != nil {
		return err
	}
	if d.Capturing() {
		return d.recordLaunch(k, lg, args)
	}
	var slots *C.uint64_t
	if len(args) > 0 {
		slots = (*C.uint64_t)(unsafe.Pointer(&args[0]))
	}
	grid, block := lg.Grid, lg.Block
	simMu.Lock()
	st := C.gogru_sim_launch_slots(C.int(k), C.uint(grid.X), C.uint(grid.Y), C.uint(grid.Z),
		C.uint(block.X), C.uint(block.Y), C.uint(block.Z), C.uint(lg.Shared), slots, C.int(len(args)))
	simMu.Unlock()
	switch st {
	case 0:
		return nil
	case -1:
		return &device.Error{Call: "launch " + k.String(), Status: 1, Detail: fmt.Sprintf("invalid configuration grid %v block %v", grid, block)}
	case -4:
		return &device.Error{Call: "launch " + k.String(), Status: 2, Detail: "the host refused a simulated thread's context"}
	case -5:
		// CUDA_ERROR_LAUNCH_TIMEOUT: on a GPU the kernel would hang until the watchdog.
		return &device.Error{Call: "launch " + k.String(), Status: 702, Detail: "its threads wait for each other for ever: a barrier some of them never reach"}
	}
	// The simulator refused the kernel or its argument count; say which.
	if err := device.LaunchError(k, len(args)); err != nil {
		return err
	}
	return &device.Error{Call: "launch " + k.String(), Status: 1, Detail: fmt.Sprintf("the simulator refused it (%d) where kernelSigs allows it: regenerate (make generate)", int(st))}
}

// checkCooperative refuses, as the driver does, dynamic shared memory past the
// limit and a cooperative launch of more blocks than the device holds at once.
func (d *Device) checkCooperative(k device.Kernel, lg device.LaunchGeom) error {
	if k < 0 || k >= device.NumKernels {
		return nil // device.LaunchError names it
	}
	call := "launch " + k.String()
	if err := d.sharedError(call, lg.Shared); err != nil {
		return err
	}
	if !device.KernelSigs[k].Cooperative {
		return nil
	}
	block := lg.Block.X * lg.Block.Y * lg.Block.Z
	resident, err := d.ResidentBlocks(k, block, lg.Shared)
	if err != nil {
		return err
	}
	if blocks := lg.Grid.X * lg.Grid.Y * lg.Grid.Z; blocks > resident {
		// CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE
		return &device.Error{Call: call, Status: 720, Detail: fmt.Sprintf("a cooperative launch of %d blocks where %d fit at once", blocks, resident)}
	}
	return nil
}

// CoopLimits reports the limits cooperative launches see (CoopLimits unless
// SetCoopLimits changed them).
func (d *Device) CoopLimits() (device.CoopLimits, error) { return d.coop, nil }

// ResidentBlocks is one block on each simulated multiprocessor, for any block
// within the limits.
func (d *Device) ResidentBlocks(k device.Kernel, threads, shared int) (int, error) {
	if threads < 1 || threads > 1024 || shared+StaticShared > d.coop.SharedPerBlock {
		return 0, nil
	}
	return d.coop.Multiprocessors, nil
}

// StaticShared is the simulator's figure for every kernel (StaticShared).
func (d *Device) StaticShared(device.Kernel) (int, error) { return StaticShared, nil }

// AllowShared refuses, as cuFuncSetAttribute does, dynamic shared memory that
// with the static does not fit a block; the simulator needs no opt-in.
func (d *Device) AllowShared(k device.Kernel, shared int) error {
	return d.sharedError("cuFuncSetAttribute "+k.String(), shared)
}

// sharedError is the *Error of call when a block's shared bytes of dynamic
// shared memory and the static do not fit the limit, or nil.
func (d *Device) sharedError(call string, shared int) error {
	if shared < 0 || shared+StaticShared > d.coop.SharedPerBlock {
		// CUDA_ERROR_INVALID_VALUE
		return &device.Error{Call: call, Status: 1, Detail: fmt.Sprintf("%d bytes of dynamic shared memory and %d static, past the %d a block may have",
			shared, StaticShared, d.coop.SharedPerBlock)}
	}
	return nil
}

// registry returns the name, arity and cooperative flag of each kernel the
// simulator registers, in its order.
func registry() []device.KernelSig {
	sigs := make([]device.KernelSig, int(C.gogru_sim_kernels()))
	for i := range sigs {
		var arity, coop C.int
		name := C.GoString(C.gogru_sim_kernel_name(C.int(i), &arity, &coop))
		sigs[i] = device.KernelSig{Name: name, Arity: int(arity), Cooperative: coop != 0}
	}
	return sigs
}

// GEMM is cuBLAS's column-major gemm on the host, rounding float32 operands as
// the device's math says, or records it in a capture.
func (d *Device) GEMM(f64, transA, transB bool, m, n, k int, alpha float64, a device.Ptr, lda int, b device.Ptr, ldb int, beta float64, c device.Ptr, ldc int) error {
	if d.Capturing() {
		return d.record(func() error { return d.GEMM(f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) })
	}
	st := C.gogru_sim_gemm(cbool(f64), C.int(d.math), cbool(transA), cbool(transB), C.int(m), C.int(n), C.int(k),
		C.double(alpha), C.uintptr_t(a), C.int(lda), C.uintptr_t(b), C.int(ldb), C.double(beta), C.uintptr_t(c), C.int(ldc))
	if st != 0 {
		call := "cublasSgemm"
		if f64 {
			call = "cublasDgemm"
		}
		return &device.Error{Call: call, Status: int(st), Detail: fmt.Sprintf("invalid value (m=%d n=%d k=%d lda=%d ldb=%d ldc=%d)", m, n, k, lda, ldb, ldc)}
	}
	return nil
}

// StaticShared is the simulator's static shared memory of every kernel: 1 KiB,
// what cuobjdump -res-usage shows for each sm_90 kernel of the committed fatbin,
// so that plans on the simulator leave the room a GPU needs.
const StaticShared = 1 << 10

// AvailableMemory is the simulator's limit less the live bytes, or, without a
// limit, the host's available memory.
func (d *Device) AvailableMemory() (int64, error) {
	if d.limit > 0 {
		return int64(d.limit - d.Used()), nil
	}
	return sysmem.Available()
}

func cbool(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

// Sync has nothing to wait for: work runs when it is queued. A capture refuses it.
func (d *Device) Sync() error { return d.Refuse(device.CallSync, device.WhatSync) }

// fork, setStream and join do nothing on the simulator: its work runs in the order
// it is queued, stream 1's after stream 0's, which is one order the GPU's two streams
// may take. A capture records nothing for them.
func (d *Device) Fork() error { return nil }

func (d *Device) SetStream(int) {}

func (d *Device) Join() error { return nil }

// Close frees what is left.
func (d *Device) Close() error {
	for _, p := range d.TakeAll() {
		C.gogru_sim_free(C.uintptr_t(p))
	}
	d.closed = true
	return nil
}
