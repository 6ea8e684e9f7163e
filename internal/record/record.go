// Package record is how a training loop records a step's backend work once and
// replays it where the backend can: the CUDA backend captures it as a CUDA graph,
// which replays with one launch instead of the hundreds of host calls a training
// step makes. It is internal: a user of gru, optim and lm sees cells, optimisers
// and models, and gru/lm's Trainer finds a backend's Recorder with For, as io.Copy
// finds an io.WriterTo.
package record

import (
	"errors"
	"sync"
)

// Recorder records a sequence of a backend's operations once, to replay it. The
// CPU backend has none; callers fall back to running the operations.
//
// Record runs body with the backend recording: its operations are recorded, not
// run. body may call only operations that read and write backend memory (the Ops,
// Stack.Forward and Backward with unchanged lengths, ZeroGrads, Copy, Fill); a host
// copy (Write, WriteIDs, Read), Sync, or an allocation or free (a stack or buffer
// sized for the first time) fails, naming the call, and so does Record. Run the
// body once without recording first, so that every lazily sized buffer exists.
//
// A Recording holds the device addresses and the host arguments (shapes, betas,
// lengths) of the operations as body made them; host state that body changed (a
// stack's saved pass, say) is left as body left it. Replay runs the recorded
// operations again on the current contents of the backend's memory: new ids
// written by WriteIDs, new parameters, the learning rate and step numbers written
// since.
type Recorder interface {
	Record(body func() error) (Recording, error)
}

// Recording is a sequence of backend operations recorded by a Recorder.
type Recording interface {
	// Replay runs the recorded operations again, in order, queued like any other.
	// It returns ErrStale, and runs nothing, when backend memory has been
	// freed since the recording was made: its addresses may no longer be the
	// tensors it was made with.
	Replay() error
	// Close releases the recording. Calling it twice is safe.
	Close() error
}

// ErrStale is returned by Recording.Replay when backend memory has been freed
// since the recording was made, so that the addresses it holds may name other
// data now: record the step again.
var ErrStale = errors.New("gru: the recording is stale: backend memory was freed since it was made; record again")

// ErrUnsupported is matched (errors.Is) by a backend error that says the device
// cannot record this work at all (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED): run it
// eagerly and stop recording.
var ErrUnsupported = errors.New("gru: the backend cannot record this work")

var (
	mu      sync.Mutex
	finders []func(be any) (Recorder, bool)
)

// Register adds find, which returns the Recorder of the backends of one package
// (nil, false for any other), to those For asks. A backend package calls it once,
// from a package-level variable's initialiser; it returns true for that.
func Register(find func(be any) (Recorder, bool)) bool {
	mu.Lock()
	defer mu.Unlock()
	finders = append(finders, find)
	return true
}

// For returns be's Recorder, or false when be cannot record.
func For(be any) (Recorder, bool) {
	mu.Lock()
	defer mu.Unlock()
	for _, find := range finders {
		if r, ok := find(be); ok {
			return r, true
		}
	}
	return nil, false
}

// DeviceOnly is implemented by work a training step calls out to (a gradient
// reducer, as cuda.NCCL) that can say it is device work alone: queued on the
// backend like its own operations, touching no host memory and never waiting for
// the device. A recording may hold such work; anything else runs between two
// recordings, on the host.
type DeviceOnly interface {
	// DeviceOnly reports whether the work is device work alone.
	DeviceOnly() bool
}

// IsDeviceOnly reports whether w implements DeviceOnly and reports true.
func IsDeviceOnly(w any) bool {
	d, ok := w.(DeviceOnly)
	return ok && d.DeviceOnly()
}
