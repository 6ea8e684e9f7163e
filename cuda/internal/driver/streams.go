//go:build cuda

package driver

import (
	"errors"

	"github.com/gogru/gogru/cuda/internal/device"
	"gorgonia.org/cu"
)

// secondStream is the real device's stream 1 (see device.Device.Fork): a second non-blocking
// stream with its own cuBLAS handle (a handle is bound to one stream, and two
// GEMMs at once must not share a workspace) and that handle's workspace, and the
// two events of a fork and a join, created without timing. stream is the stream
// current for DtoD, MemsetZero, Launch and GEMM.
type secondStream struct {
	sideStream     cu.Stream
	sideBlas       *cublasHandle
	sideBlasWork   cu.DevicePtr
	forked, joined cu.Event
	current        int
}

// openSecondStream creates stream 1, its cuBLAS handle (with math, like stream 0's)
// and workspace, and the events. It runs inside Open's Do; what it created
// before a failure is left for closeSecondStream.
func (d *Device) openSecondStream(dev cu.Device, math device.GEMMMath) error {
	var err error
	if d.sideStream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		return driverError("cuStreamCreate (stream 1)", err)
	}
	if d.forked, err = cu.MakeEvent(cu.DisableTiming); err != nil {
		return driverError("cuEventCreate (fork)", err)
	}
	if d.joined, err = cu.MakeEvent(cu.DisableTiming); err != nil {
		return driverError("cuEventCreate (join)", err)
	}
	if d.sideBlas, err = newCublas(rawStream(d.sideStream), math); err != nil {
		return err
	}
	d.sideBlasWork, err = giveBlasWorkspace(dev, d.sideBlas, "cuBLAS workspace (stream 1)")
	return err
}

// closeSecondStream destroys what openSecondStream created, after the caller freed
// nothing stream 1 may still use. It runs inside Close's Do.
func (d *Device) closeSecondStream() error {
	var errs []error
	keep := func(call string, err error) {
		if err != nil {
			errs = append(errs, driverError(call, err))
		}
	}
	if err := d.sideBlas.destroy(); err != nil {
		errs = append(errs, err)
	}
	if d.sideBlasWork != 0 {
		keep("cuMemFree (cuBLAS workspace, stream 1)", cu.MemFree(d.sideBlasWork))
	}
	for _, ev := range []*cu.Event{&d.forked, &d.joined} {
		if *ev != (cu.Event{}) {
			keep("cuEventDestroy", cu.DestroyEvent(ev))
		}
	}
	if d.sideStream != (cu.Stream{}) {
		keep("cuStreamDestroy (stream 1)", d.sideStream.Destroy())
	}
	return errors.Join(errs...)
}

// fork records an event on the main stream and makes stream 1 wait for it.
// In a capture the wait brings stream 1 into the capture.
func (d *Device) Fork() error { return d.order(d.stream, d.sideStream, d.forked, "fork") }

// SetStream makes stream s (0 or 1) current for the work that follows.
func (d *Device) SetStream(s int) { d.current = s }

// join records an event on stream 1 and makes the main stream wait for it;
// stream 0 is current afterwards.
func (d *Device) Join() error {
	d.current = 0
	return d.order(d.sideStream, d.stream, d.joined, "join")
}

// order makes the work queued on stream after wait for the work queued so far on
// stream before, through ev: cuEventRecord on before, cuStreamWaitEvent on after.
// what names the step in an *Error.
func (d *Device) order(before, after cu.Stream, ev cu.Event, what string) error {
	return d.Do(func() error {
		if err := ev.Record(before); err != nil {
			return driverError("cuEventRecord ("+what+")", err)
		}
		if err := after.Wait(ev, 0); err != nil {
			return driverError("cuStreamWaitEvent ("+what+")", err)
		}
		return nil
	})
}

// currentStream is the stream that the following work is queued on.
func (d *Device) currentStream() cu.Stream {
	if d.current == 1 {
		return d.sideStream
	}
	return d.stream
}

// currentBlas is the cuBLAS handle of the current stream.
func (d *Device) currentBlas() *cublasHandle {
	if d.current == 1 {
		return d.sideBlas
	}
	return d.blas
}
