package device

import "fmt"

// Recorded is device work recorded between BeginRecord and EndRecord: on a GPU an
// instantiated CUDA graph, on the simulator the list of calls.
type Recorded interface {
	// Launch runs the recorded work again, queued on the device's stream.
	Launch() error
	// Destroy releases it.
	Destroy() error
}

// The CUDA statuses of stream capture that both devices report.
const (
	StatusCaptureUnsupported = 900 // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
	StatusCaptureInvalidated = 901 // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
	StatusIllegalState       = 401 // CUDA_ERROR_ILLEGAL_STATE
)

// RecordGuard is the bookkeeping both devices keep of a capture in progress: it
// refuses the calls a capture may not contain and remembers the first refusal,
// which invalidates the capture, as CUDA's stream capture does. A device embeds it,
// calls Start and Finish around a capture, and Refuse at the top of each call
// that must not run inside one.
type RecordGuard struct {
	capturing bool
	invalid   error // the first refused call of the capture in progress
}

// Refuse returns nil outside a capture. Inside one it returns, and keeps as the
// reason the capture is invalid, an *Error naming call (the driver call as CUDA
// names it) and what it does.
func (g *RecordGuard) Refuse(call, what string) error {
	if !g.capturing {
		return nil
	}
	err := &Error{Call: call, Status: StatusCaptureUnsupported,
		Detail: fmt.Sprintf("CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: %s while a step is being recorded; a recorded step may do device work only", what)}
	if g.invalid == nil {
		g.invalid = err
	}
	return err
}

// Start begins a capture; a capture already in progress is an *Error.
func (g *RecordGuard) Start(call string) error {
	if g.capturing {
		return &Error{Call: call, Status: StatusIllegalState, Detail: "a capture is already in progress"}
	}
	g.capturing, g.invalid = true, nil
	return nil
}

// Finish ends the capture and returns nil, or the *Error that says why it is
// invalid: the first refused call.
func (g *RecordGuard) Finish(call string) error {
	if !g.capturing {
		return &Error{Call: call, Status: StatusIllegalState, Detail: "no capture is in progress"}
	}
	g.capturing = false
	if g.invalid != nil {
		err := &Error{Call: call, Status: StatusCaptureInvalidated,
			Detail: fmt.Sprintf("CUDA_ERROR_STREAM_CAPTURE_INVALIDATED by an earlier call: %v", g.invalid)}
		g.invalid = nil
		return err
	}
	return nil
}

// The calls a capture refuses, named as CUDA names them on both devices, and what
// each does, for the *Error of the refusal.
const (
	CallAlloc       = "cuMemAlloc"
	WhatAlloc       = "an allocation (a buffer sized for the first time?)"
	CallFree        = "cuMemFree"
	WhatFree        = "a free (a buffer resized?)"
	CallHtoD        = "cuMemcpyHtoDAsync"
	WhatHtoD        = "a host-to-device copy (Write, WriteIDs)"
	CallDtoH        = "cuMemcpyDtoHAsync"
	WhatDtoH        = "a device-to-host copy (Read)"
	CallSync        = "cuStreamSynchronize"
	WhatSync        = "a wait for the device (Sync)"
	CallGraphLaunch = "cuGraphLaunch"
	WhatGraphLaunch = "a recording's replay"
)

// Capturing reports whether a capture is in progress: the calls a device records
// instead of running are recorded then.
func (g *RecordGuard) Capturing() bool { return g.capturing }

// Abandon forgets a capture that could not start.
func (g *RecordGuard) Abandon() { g.capturing, g.invalid = false, nil }
