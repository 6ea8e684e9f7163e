package cuda

import "github.com/gogru/gogru/cuda/internal/device"

// Error is a failed CUDA, cuBLAS or simulator call; it names the call (Call, e.g.
// "cuMemAlloc" or "launch gru_fwd_after_f32"), the status code returned (Status)
// and the driver's or library's description, when it has one (Detail). errors.As
// finds it in every error of a device call.
type Error = device.Error

// AllocError is a device allocation that failed, most often because the device is
// out of memory. It names what was being allocated (What) and the bytes requested
// (Bytes), and wraps the driver's error (Err: an *Error, cuMemAlloc on a GPU,
// simAlloc on the simulator), so errors.As finds either. The call that returns it
// has freed whatever it allocated before the failure.
type AllocError = device.AllocError
