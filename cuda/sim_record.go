package cuda

import "slices"

// simRecorder is the simulator's side of a capture: the guard of the calls it
// refuses, and the calls it records instead of running.
type simRecorder struct {
	recordGuard
	pending []func() error
}

// simRecording is the simulator's graph: the calls recorded during a capture, each with
// its arguments copied, run again in order by launch.
type simRecording struct {
	d     *simDevice
	calls []func() error
}

// beginRecord starts recording calls instead of running them.
func (d *simDevice) beginRecord() error {
	if err := d.start("cuStreamBeginCapture"); err != nil {
		return err
	}
	d.pending = nil
	return nil
}

// endRecord returns the calls recorded since beginRecord, or the *Error of the
// first call the capture refused.
func (d *simDevice) endRecord() (recorded, error) {
	calls := d.pending
	d.pending = nil
	if err := d.finish("cuStreamEndCapture"); err != nil {
		return nil, err
	}
	return &simRecording{d: d, calls: calls}, nil
}

// record appends call to the capture in progress.
func (d *simDevice) record(call func() error) error {
	d.pending = append(d.pending, call)
	return nil
}

// recordLaunch records a launch with a copy of its argument slots, after the
// checks cuLaunchKernel makes when it is captured: a known kernel, one argument
// per parameter.
func (d *simDevice) recordLaunch(k kernel, lg launchGeom, args []uint64) error {
	if err := launchError(k, len(args)); err != nil {
		return err
	}
	args = slices.Clone(args)
	return d.record(func() error { return d.launch(k, lg, args) })
}

// launch runs the recorded calls in order and stops at the first error.
func (g *simRecording) launch() error {
	if err := g.d.refuse(callGraphLaunch, whatGraphLaunch); err != nil {
		return err
	}
	for _, call := range g.calls {
		if err := call(); err != nil {
			return err
		}
	}
	return nil
}

// destroy drops the recorded calls.
func (g *simRecording) destroy() error {
	g.calls = nil
	return nil
}
