package cuda

import (
	"github.com/gogru/gogru/cuda/internal/device"
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
	g      device.Recorded
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
	if err := be.dev.BeginRecord(); err != nil {
		return nil, err
	}
	be.recording = true
	bodyErr := body()
	be.recording = false
	g, endErr := be.dev.EndRecord()
	if bodyErr != nil || endErr != nil {
		if g != nil {
			g.Destroy()
		}
		if bodyErr != nil {
			return nil, bodyErr // the refused call's own error, which endErr only repeats
		}
		return nil, endErr // a refusal that body did not pass on
	}
	r := &recording{be: be, g: g, frees: be.dev.Frees()}
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
	if r.be.dev.Frees() != r.frees {
		return record.ErrStale
	}
	return r.g.Launch()
}

// Close destroys the graph. Calling it twice is safe.
func (r *recording) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	delete(r.be.recordings, r)
	return r.g.Destroy()
}
