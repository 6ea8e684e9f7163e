package device

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/record"
	"github.com/gogru/gogru/internal/sysmem"
)

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

// stickyStatuses are the CUDA driver statuses after which the context is unusable
// until the process ends: CUDA's documentation calls them sticky, or they say the
// device itself failed.
var stickyStatuses = map[int]string{
	4:   "CUDA_ERROR_DEINITIALIZED",
	214: "CUDA_ERROR_ECC_UNCORRECTABLE",
	700: "CUDA_ERROR_ILLEGAL_ADDRESS",
	702: "CUDA_ERROR_LAUNCH_TIMEOUT",
	709: "CUDA_ERROR_CONTEXT_IS_DESTROYED",
	710: "CUDA_ERROR_ASSERT",
	714: "CUDA_ERROR_HARDWARE_STACK_ERROR",
	715: "CUDA_ERROR_ILLEGAL_INSTRUCTION",
	716: "CUDA_ERROR_MISALIGNED_ADDRESS",
	717: "CUDA_ERROR_INVALID_ADDRESS_SPACE",
	718: "CUDA_ERROR_INVALID_PC",
	719: "CUDA_ERROR_LAUNCH_FAILED",
	999: "CUDA_ERROR_UNKNOWN",
}

// isBlasCall reports whether call names a cuBLAS function, whose statuses are
// cuBLAS's own numbering, not the driver's.
func isBlasCall(call string) bool { return len(call) >= 6 && call[:6] == "cublas" }

// sticky reports whether e says the context is lost.
func (e *Error) sticky() bool {
	if isBlasCall(e.Call) {
		return false
	}
	_, ok := stickyStatuses[e.Status]
	return ok
}

// Is makes errors.Is(err, gru.ErrDeviceLost) true for a sticky driver error, and
// errors.Is(err, record.ErrUnsupported) true for a refusal of stream
// capture (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED).
func (e *Error) Is(target error) bool {
	switch target {
	case gru.ErrDeviceLost:
		return e.sticky()
	case record.ErrUnsupported:
		return !isBlasCall(e.Call) && e.Status == StatusCaptureUnsupported
	}
	return false
}
