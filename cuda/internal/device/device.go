package device

// Info describes a GPU as the driver reports it (package cuda's Device).
type Info struct {
	Index        int
	Name         string
	Major, Minor int   // compute capability
	MemoryBytes  int64 // total global memory
	Driver       int   // driver API version, e.g. 12040
}

// Ptr is a device address.
type Ptr uintptr

// Add offsets p by n elements of size bytes each.
func (p Ptr) Add(n, size int) Ptr { return p + Ptr(n*size) }

// Dim3 is a grid or block size.
type Dim3 struct{ X, Y, Z int }

// Device is what the orchestration needs from a GPU: memory, kernel launches,
// column-major GEMM, synchronisation, and the recording of work as a graph. The
// real device and the simulator implement it; nothing else differs between them.
//
// Between BeginRecord and EndRecord the device work (Launch, GEMM, DtoD,
// MemsetZero) is recorded into a graph instead of run, as CUDA's stream capture
// does; host traffic and anything that waits for or changes memory (HtoD, DtoH,
// Sync, Alloc, Free, a Recorded's Launch) fails with an *Error of status 900
// (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED) that names the call, and the capture is
// invalidated: EndRecord then fails too. A recorded step therefore reads no host
// memory, and a test on the simulator catches any step that would.
type Device interface {
	Name() string
	Alloc(bytes int) (Ptr, error)
	Free(p Ptr) error
	HtoD(dst Ptr, src []byte) error
	DtoH(dst []byte, src Ptr) error
	DtoD(dst, src Ptr, bytes int) error
	MemsetZero(dst Ptr, bytes int) error
	// Launch runs kernel k over lg; args holds one 8-byte slot per parameter, and
	// a launch with more or fewer fails. A cooperative kernel (KernelSigs) is
	// launched cooperatively: all its blocks resident at once, or an error.
	Launch(k Kernel, lg LaunchGeom, args []uint64) error
	// CoopLimits reports what cooperative launches may use on the device; its zero
	// value means they are not supported.
	CoopLimits() (CoopLimits, error)
	// ResidentBlocks reports how many blocks of kernel k, each of threads threads
	// with shared bytes of dynamic shared memory, the whole device holds at once:
	// the most a cooperative launch of it may have.
	ResidentBlocks(k Kernel, threads, shared int) (int, error)
	// StaticShared reports the bytes of static shared memory (__shared__ arrays)
	// each block of kernel k has besides its dynamic shared memory: a GPU's
	// CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES. Dynamic and static together must fit
	// the device's limit.
	StaticShared(k Kernel) (int, error)
	// AllowShared lets kernel k's blocks have shared bytes of dynamic shared
	// memory, opting in (cuFuncSetAttribute) where the block's total passes the
	// 48 KiB a block has without (see NeedsOptIn).
	AllowShared(k Kernel, shared int) error
	// GEMM is cuBLAS's gemm: column-major C = alpha·op(A)·op(B) + beta·C, C m×n.
	GEMM(f64, transA, transB bool, m, n, k int, alpha float64, a Ptr, lda int, b Ptr, ldb int, beta float64, c Ptr, ldc int) error
	Sync() error
	// Fork opens a second stream of work beside the main one: stream 1 (on a GPU a
	// second stream) waits for the work queued so far on stream 0, after which the
	// two streams' work may run at once. Inside a capture it makes a fork in the
	// graph. Every fork is joined before the next fork, a Sync, or the capture's end.
	Fork() error
	// SetStream chooses the stream that the following DtoD, MemsetZero, Launch and GEMM
	// are queued on: 0 the main one, 1 the one fork opened. It is no driver call.
	SetStream(stream int)
	// Join ends a fork: stream 0 waits for the work queued on stream 1 (in a capture,
	// the graph's join) and is current afterwards.
	Join() error
	// BeginRecord starts recording device work; see the interface's comment.
	BeginRecord() error
	// EndRecord stops recording and returns what was recorded, ready to launch.
	EndRecord() (Recorded, error)
	// Live reports the number of allocations not yet freed.
	Live() int
	// Frees counts the frees so far: a graph recorded before the count changed may
	// hold an address that no longer names its buffer.
	Frees() uint64
	// AvailableMemory reports the bytes the device can still allocate.
	AvailableMemory() (int64, error)
	Close() error
}

// CoopLimits is what a device offers cooperative launches (package cuda's planPersistent reads it).
type CoopLimits struct {
	Multiprocessors int // blocks that run at once, one on each multiprocessor
	SharedPerBlock  int // the most shared memory a block may have, dynamic and static together, in bytes (with opt-in)
	ThreadsPerBlock int // the most threads a block of the persistent kernels may have
	Warp            int // threads are chosen in multiples of this
}
