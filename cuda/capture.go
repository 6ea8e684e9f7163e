package cuda

import "fmt"

// The CUDA statuses of stream capture that both devices report.
const (
	statusCaptureUnsupported = 900 // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
	statusCaptureInvalidated = 901 // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
	statusIllegalState       = 401 // CUDA_ERROR_ILLEGAL_STATE
)

// captureGuard is the bookkeeping both devices keep of a capture in progress: it
// refuses the calls a capture may not contain and remembers the first refusal,
// which invalidates the capture, as CUDA's stream capture does. A device embeds it,
// calls start and finish around a capture, and refuse at the top of each call
// that must not run inside one.
type captureGuard struct {
	capturing bool
	invalid   error // the first refused call of the capture in progress
}

// refuse returns nil outside a capture. Inside one it returns, and keeps as the
// reason the capture is invalid, an *Error naming call (the driver call as CUDA
// names it) and what it does.
func (g *captureGuard) refuse(call, what string) error {
	if !g.capturing {
		return nil
	}
	err := &Error{Call: call, Status: statusCaptureUnsupported,
		Detail: fmt.Sprintf("CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: %s while a step is being recorded; a recorded step may do device work only", what)}
	if g.invalid == nil {
		g.invalid = err
	}
	return err
}

// start begins a capture; a capture already in progress is an *Error.
func (g *captureGuard) start(call string) error {
	if g.capturing {
		return &Error{Call: call, Status: statusIllegalState, Detail: "a capture is already in progress"}
	}
	g.capturing, g.invalid = true, nil
	return nil
}

// finish ends the capture and returns nil, or the *Error that says why it is
// invalid: the first refused call.
func (g *captureGuard) finish(call string) error {
	if !g.capturing {
		return &Error{Call: call, Status: statusIllegalState, Detail: "no capture is in progress"}
	}
	g.capturing = false
	if g.invalid != nil {
		err := &Error{Call: call, Status: statusCaptureInvalidated,
			Detail: fmt.Sprintf("CUDA_ERROR_STREAM_CAPTURE_INVALIDATED by an earlier call: %v", g.invalid)}
		g.invalid = nil
		return err
	}
	return nil
}

// The calls a capture refuses, named as CUDA names them on both devices, and what
// each does, for the *Error of the refusal.
const (
	callAlloc       = "cuMemAlloc"
	whatAlloc       = "an allocation (a buffer sized for the first time?)"
	callFree        = "cuMemFree"
	whatFree        = "a free (a buffer resized?)"
	callHtoD        = "cuMemcpyHtoDAsync"
	whatHtoD        = "a host-to-device copy (Write, WriteIDs)"
	callDtoH        = "cuMemcpyDtoHAsync"
	whatDtoH        = "a device-to-host copy (Read)"
	callSync        = "cuStreamSynchronize"
	whatSync        = "a wait for the device (Sync)"
	callGraphLaunch = "cuGraphLaunch"
	whatGraphLaunch = "a recording's replay"
)

// abandon forgets a capture that could not start.
func (g *captureGuard) abandon() { g.capturing, g.invalid = false, nil }
