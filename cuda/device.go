package cuda

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/internal/sysmem"
)

// Device describes a GPU as the driver reports it.
type Device struct {
	Index        int
	Name         string
	Major, Minor int   // compute capability
	MemoryBytes  int64 // total global memory
	Driver       int   // driver API version, e.g. 12040
}

// ptr is a device address.
type ptr uintptr

// add offsets p by n elements of size bytes each.
func (p ptr) add(n, size int) ptr { return p + ptr(n*size) }

// dim3 is a grid or block size.
type dim3 struct{ x, y, z int }

// device is what the orchestration needs from a GPU: memory, kernel launches,
// column-major GEMM, synchronisation, and the recording of work as a graph. The
// real device and the simulator implement it; nothing else differs between them.
//
// Between beginRecord and endRecord the device work (launch, gemm, dtod,
// memsetZero) is recorded into a graph instead of run, as CUDA's stream capture
// does; host traffic and anything that waits for or changes memory (htod, dtoh,
// sync, alloc, free, a graph's launch) fails with an *Error of status 900
// (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED) that names the call, and the capture is
// invalidated: endRecord then fails too. A recorded step therefore reads no host
// memory, and a test on the simulator catches any step that would.
type device interface {
	name() string
	alloc(bytes int) (ptr, error)
	free(p ptr) error
	htod(dst ptr, src []byte) error
	dtoh(dst []byte, src ptr) error
	dtod(dst, src ptr, bytes int) error
	memsetZero(dst ptr, bytes int) error
	// launch runs kernel k over lg; args holds one 8-byte slot per parameter, and
	// a launch with more or fewer fails. A cooperative kernel (kernelSigs) is
	// launched cooperatively: all its blocks resident at once, or an error.
	launch(k kernel, lg launchGeom, args []uint64) error
	// coopLimits reports what cooperative launches may use on the device; its zero
	// value means they are not supported.
	coopLimits() (coopLimits, error)
	// residentBlocks reports how many blocks of kernel k, each of threads threads
	// with shared bytes of dynamic shared memory, the whole device holds at once:
	// the most a cooperative launch of it may have.
	residentBlocks(k kernel, threads, shared int) (int, error)
	// staticShared reports the bytes of static shared memory (__shared__ arrays)
	// each block of kernel k has besides its dynamic shared memory: a GPU's
	// CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES. Dynamic and static together must fit
	// the device's limit.
	staticShared(k kernel) (int, error)
	// allowShared lets kernel k's blocks have shared bytes of dynamic shared
	// memory, opting in (cuFuncSetAttribute) where the block's total passes the
	// 48 KiB a block has without (see needsOptIn).
	allowShared(k kernel, shared int) error
	// gemm is cuBLAS's gemm: column-major C = alpha·op(A)·op(B) + beta·C, C m×n.
	gemm(f64, transA, transB bool, m, n, k int, alpha float64, a ptr, lda int, b ptr, ldb int, beta float64, c ptr, ldc int) error
	sync() error
	// fork opens a second stream of work beside the main one: stream 1 (on a GPU a
	// second stream) waits for the work queued so far on stream 0, after which the
	// two streams' work may run at once. Inside a capture it makes a fork in the
	// graph. Every fork is joined before the next fork, a Sync, or the capture's end.
	fork() error
	// setStream chooses the stream that the following dtod, memsetZero, launch and gemm
	// are queued on: 0 the main one, 1 the one fork opened. It is no driver call.
	setStream(stream int)
	// join ends a fork: stream 0 waits for the work queued on stream 1 (in a capture,
	// the graph's join) and is current afterwards.
	join() error
	// beginRecord starts recording device work; see the interface's comment.
	beginRecord() error
	// endRecord stops recording and returns what was recorded, ready to launch.
	endRecord() (recorded, error)
	// live reports the number of allocations not yet freed.
	live() int
	// frees counts the frees so far: a graph recorded before the count changed may
	// hold an address that no longer names its buffer.
	frees() uint64
	// availableMemory reports the bytes the device can still allocate.
	availableMemory() (int64, error)
	close() error
}

// recorded is device work recorded between beginRecord and endRecord: on a GPU an
// instantiated CUDA graph, on the simulator the list of calls.
type recorded interface {
	// launch runs the recorded work again, queued on the device's stream.
	launch() error
	// destroy releases it.
	destroy() error
}

// coopLimits is what a device offers cooperative launches (see planPersistent).
type coopLimits struct {
	multiprocessors int // blocks that run at once, one on each multiprocessor
	sharedPerBlock  int // the most shared memory a block may have, dynamic and static together, in bytes (with opt-in)
	threadsPerBlock int // the most threads a block of the persistent kernels may have
	warp            int // threads are chosen in multiples of this
}

// Kernel arguments are packed into 8-byte slots, the value in the low bytes, the
// way cuLaunchKernel reads them through its void** array. A null pointer is 0.

func argInt(v int) uint64     { return uint64(uint32(int32(v))) }
func argPtr(p ptr) uint64     { return uint64(p) }
func argF64(v float64) uint64 { return math.Float64bits(v) }
func argF32(v float32) uint64 { return uint64(math.Float32bits(v)) }

// Error is a failed CUDA, cuBLAS or simulator call; it names the call.
type Error struct {
	Call   string // e.g. "cuMemAlloc", "cublasSgemm", "launch gru_fwd_after_f32"
	Status int    // the status code returned
	Detail string // the driver's or library's description, when it has one
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("cuda: %s failed: %s (status %d)", e.Call, e.Detail, e.Status)
	}
	return fmt.Sprintf("cuda: %s failed with status %d", e.Call, e.Status)
}

// AllocError is a device allocation that failed, most often because the device is
// out of memory. It names what was being allocated and the bytes requested, and
// wraps the driver's error (an *Error: cuMemAlloc on a GPU, simAlloc on the
// simulator), so errors.As finds either. The call that returns it has freed
// whatever it allocated before the failure.
type AllocError struct {
	What  string // what was being allocated, e.g. "tensor [64 512]" or "workspace gates (cell 0) [T·B, 4H] = [640, 2048]"
	Bytes int    // the size requested
	Err   error  // the driver's error
}

func (e *AllocError) Error() string {
	return fmt.Sprintf("cuda: allocating %s of %s (%d bytes): %v", e.What, sysmem.Format(int64(e.Bytes)), e.Bytes, e.Err)
}

// Unwrap returns the driver's error.
func (e *AllocError) Unwrap() error { return e.Err }
