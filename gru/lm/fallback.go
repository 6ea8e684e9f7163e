package lm

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/record"
)

// A recorded step is a speed path: when recording or replaying fails, the
// Trainer runs the step eagerly, warns once, and the losses stay bit for bit those
// of eager steps. Only a lost device (gru.ErrDeviceLost) stops the run.

// DeviceLostError is returned by a Trainer whose backend lost its device (an
// error matching gru.ErrDeviceLost: on a GPU a sticky CUDA error, such as an
// illegal address or a failed launch). The parameters and optimiser state on the
// device are gone with the step in progress; no file was written by the failed
// step, so the last checkpoint is intact. Restart the process and resume from it.
type DeviceLostError struct {
	Err error // the backend's error, naming the call and the status
}

func (e *DeviceLostError) Error() string {
	return fmt.Sprintf("gru/lm: the device was lost, training stopped: %v; the model and optimiser state on the device are gone, "+
		"but the last checkpoint written is intact (the failed step wrote none): restart the process and resume from it", e.Err)
}

// Unwrap returns the backend's error.
func (e *DeviceLostError) Unwrap() error { return e.Err }

// deviceLost wraps err in a *DeviceLostError when it says the device is lost.
func deviceLost(err error) error {
	var lost *DeviceLostError
	if err == nil || !errors.Is(err, gru.ErrDeviceLost) || errors.As(err, &lost) {
		return err
	}
	return &DeviceLostError{Err: err}
}

// recordFailed runs the step of key eagerly after recording it failed with err,
// with the state carried as it was before (carry). A failure that loses the
// device, or one the eager step repeats, is returned. Otherwise the key is not
// recorded again (no step at all is when the backend says recording is
// unsupported), and the failure is warned of once.
func (t *Trainer) recordFailed(key stepKey, carry bool, err error, body func() error) error {
	if errors.Is(err, gru.ErrDeviceLost) {
		return err
	}
	t.m.setCarry(carry)
	if eagerErr := body(); eagerErr != nil {
		return eagerErr
	}
	then := "this shape's steps run eagerly from now on"
	if errors.Is(err, record.ErrUnsupported) {
		t.unrecordable = true
		then = "every step runs eagerly from now on: the device cannot record them"
	}
	t.norecord[key] = true
	t.warnOnce("recording a step failed; it ran eagerly, and "+then, err)
	return nil
}

// replayFailed runs the step of key eagerly after replaying its recording r
// failed with err, with the state carried as before (carry), and drops r; the key
// is not recorded again. A failure that loses the device, or one the eager step
// repeats, is returned; otherwise it is warned of once.
func (t *Trainer) replayFailed(key stepKey, r record.Recording, carry bool, err error, body func() error) error {
	if errors.Is(err, gru.ErrDeviceLost) {
		return err
	}
	delete(t.recs, key)
	t.norecord[key] = true
	closeErr := r.Close()
	t.m.setCarry(carry)
	if eagerErr := body(); eagerErr != nil {
		return errors.Join(eagerErr, closeErr)
	}
	t.warnOnce("replaying a recorded step failed; it ran eagerly, the recording is dropped and this shape's steps run eagerly from now on",
		errors.Join(err, closeErr))
	return nil
}

// warnOnce logs msg with err the first time the pair is seen.
func (t *Trainer) warnOnce(msg string, err error) {
	key := msg + "\x00" + err.Error()
	if t.warned[key] {
		return
	}
	t.warned[key] = true
	l := t.Logger
	if l == nil {
		l = slog.Default()
	}
	l.Warn("gru/lm: "+msg, "err", err)
}

// tuner is a backend that times its paths on a shape's first steps (cuda's
// KernelAuto): while Tuning reports true its steps run eagerly, so that no
// recording holds a path the backend then leaves.
type tuner interface{ Tuning() bool }

// tuning reports whether be is a tuner still timing.
func tuning(be gru.Backend) bool {
	tu, ok := be.(tuner)
	return ok && tu.Tuning()
}
