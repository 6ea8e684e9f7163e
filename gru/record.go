package gru

// Recorder is implemented by backends that can record a sequence of operations once
// and replay it: the CUDA backend captures it as a CUDA graph, which replays with one
// launch instead of the hundreds of host calls a training step makes. The CPU
// backend does not implement it; callers fall back to running the operations.
//
// Record runs body with the backend recording: its operations are recorded, not
// run. body may call only operations that read and write backend memory (the Ops,
// Stack.Forward and Backward with unchanged lengths, ZeroGrads, Copy, Fill); a host
// copy (Write, WriteIDs, Read), Sync, or an allocation or free (a stack or buffer
// sized for the first time) fails, naming the call, and so does Record. Run the
// body once without recording first, so that every lazily sized buffer exists.
//
// A Recording holds the device addresses and the host arguments (shapes, learning
// rates, lengths) of the operations as body made them; host state that body changed
// (a stack's saved pass, say) is left as body left it. Replay runs the recorded
// operations again on the current contents of the backend's memory: new ids
// written by WriteIDs, new parameters, the step count in an IDs.
type Recorder interface {
	Record(body func() error) (Recording, error)
}

// Recording is a sequence of backend operations recorded by a Recorder.
type Recording interface {
	// Replay runs the recorded operations again, in order, queued like any other.
	// It returns ErrStaleRecording, and runs nothing, when backend memory has been
	// freed since the recording was made: its addresses may no longer be the
	// tensors it was made with.
	Replay() error
	// Close releases the recording. Calling it twice is safe.
	Close() error
}
