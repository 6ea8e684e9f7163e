package cuda

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/record"
)

// The backend's recordings are found through record.For: gru/lm's Trainer records
// its steps, and no user of the package sees the plumbing.
var _ = record.Register(func(b any) (record.Recorder, bool) {
	be, ok := b.(*Backend)
	if !ok {
		return nil, false
	}
	return recorder{be}, true
})

// recorder is a backend as a record.Recorder.
type recorder struct{ be *Backend }

// Record is Backend.record.
func (r recorder) Record(body func() error) (record.Recording, error) {
	rec, err := r.be.record(body)
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// recording is device work captured by record: a CUDA graph on a GPU, the list of
// calls on the simulator.
type recording struct {
	be     *Backend
	g      recorded
	frees  uint64 // the device's free count when it was made
	closed bool
}

// record runs body with the device capturing its work instead of running it (see
// record.Recorder) and returns the capture, ready to replay. On a GPU it is a CUDA
// graph: one cuGraphLaunch replays every launch, GEMM and copy of the body. When
// body fails, or made a call that a capture refuses (host traffic, Sync, an
// allocation or a free, each an *Error naming the call), Record returns that error
// and no recording.
func (be *Backend) record(body func() error) (*recording, error) {
	if be.closed {
		return nil, gru.ErrClosed
	}
	if err := be.dev.beginRecord(); err != nil {
		return nil, err
	}
	be.recording = true
	bodyErr := body()
	be.recording = false
	g, endErr := be.dev.endRecord()
	if bodyErr != nil || endErr != nil {
		if g != nil {
			g.destroy()
		}
		if bodyErr != nil {
			return nil, bodyErr // the refused call's own error, which endErr only repeats
		}
		return nil, endErr // a refusal that body did not pass on
	}
	r := &recording{be: be, g: g, frees: be.dev.frees()}
	be.recordings[r] = struct{}{}
	return r, nil
}

// Replay launches the recorded work on the device's stream; it returns
// record.ErrStale, launching nothing, when device memory was freed since the
// recording was made.
func (r *recording) Replay() error {
	if r.closed || r.be.closed {
		return gru.ErrClosed
	}
	if r.be.dev.frees() != r.frees {
		return record.ErrStale
	}
	return r.g.launch()
}

// Close destroys the graph. Calling it twice is safe.
func (r *recording) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	delete(r.be.recordings, r)
	return r.g.destroy()
}

// The CUDA statuses of stream capture that both devices report.
const (
	statusCaptureUnsupported = 900 // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
	statusCaptureInvalidated = 901 // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
	statusIllegalState       = 401 // CUDA_ERROR_ILLEGAL_STATE
)

// recordGuard is the bookkeeping both devices keep of a capture in progress: it
// refuses the calls a capture may not contain and remembers the first refusal,
// which invalidates the capture, as CUDA's stream capture does. A device embeds it,
// calls start and finish around a capture, and refuse at the top of each call
// that must not run inside one.
type recordGuard struct {
	capturing bool
	invalid   error // the first refused call of the capture in progress
}

// refuse returns nil outside a capture. Inside one it returns, and keeps as the
// reason the capture is invalid, an *Error naming call (the driver call as CUDA
// names it) and what it does.
func (g *recordGuard) refuse(call, what string) error {
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
func (g *recordGuard) start(call string) error {
	if g.capturing {
		return &Error{Call: call, Status: statusIllegalState, Detail: "a capture is already in progress"}
	}
	g.capturing, g.invalid = true, nil
	return nil
}

// finish ends the capture and returns nil, or the *Error that says why it is
// invalid: the first refused call.
func (g *recordGuard) finish(call string) error {
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
func (g *recordGuard) abandon() { g.capturing, g.invalid = false, nil }
