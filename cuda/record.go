package cuda

import "github.com/gogru/gogru/gru"

var _ gru.Recorder = (*Backend)(nil)

// recording is device work captured by Record: a CUDA graph on a GPU, the list of
// calls on the simulator.
type recording struct {
	be     *Backend
	g      graph
	frees  uint64 // the device's free count when it was made
	closed bool
}

// Record runs body with the device capturing its work instead of running it (see
// gru.Recorder) and returns the capture, ready to replay. On a GPU it is a CUDA
// graph: one cuGraphLaunch replays every launch, GEMM and copy of the body. When
// body fails, or made a call that a capture refuses (host traffic, Sync, an
// allocation or a free, each an *Error naming the call), Record returns that error
// and no recording.
func (be *Backend) Record(body func() error) (gru.Recording, error) {
	if be.closed {
		return nil, gru.ErrClosed
	}
	if err := be.dev.beginCapture(); err != nil {
		return nil, err
	}
	be.recording = true
	bodyErr := body()
	be.recording = false
	g, endErr := be.dev.endCapture()
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
// gru.ErrStaleRecording, launching nothing, when device memory was freed since the
// recording was made.
func (r *recording) Replay() error {
	if r.closed || r.be.closed {
		return gru.ErrClosed
	}
	if r.be.dev.frees() != r.frees {
		return gru.ErrStaleRecording
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
