package cuda

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/lm"
)

// Fault injection: a device wrapper fails one kind of driver call of the speed
// paths (recording, replay, the persistent kernel's planning and launch, the
// second stream's fork and join), and a short lm.Trainer run shows what a user
// would see: the eager run's losses bit for bit and one warning, or, for a sticky
// status, a *DeviceLostError with the checkpoint untouched.

// The kinds of call faultyDevice fails.
const (
	faultBegin       = "capture begin"
	faultEnd         = "capture end"
	faultInstantiate = "instantiate"
	faultRefused     = "call refused inside a capture"
	faultGraphLaunch = "graph launch"
	faultOccupancy   = "occupancy query"
	faultAttribute   = "function attribute"
	faultCoopLaunch  = "cooperative launch"
	faultFork        = "fork"
	faultJoin        = "join"
	faultReadBack    = "read back"
)

// faultyDevice fails every call of one kind with status, as the driver would,
// naming the call as the driver does; the other calls go through. A fault inside
// a capture spoils it, as the driver's invalidation does: EndRecord then fails.
//
// refuse, when set, makes the failure instead: a call the device itself refuses
// inside a capture (see checkCaptureRefusal). With inCapture, only calls inside a
// capture fail.
type faultyDevice struct {
	device.Device
	kind      string
	status    int
	inCapture bool
	refuse    func() error
	fired     int // the calls failed so far
	capturing bool
	spoiled   error // the fault that spoiled the capture in progress
}

// fail returns the *Error of call when kind is the kind that fails, else nil.
func (f *faultyDevice) fail(kind, call string) error {
	if kind != f.kind || (f.inCapture && !f.capturing) {
		return nil
	}
	f.fired++
	var err error = &Error{Call: call, Status: f.status, Detail: "injected by the test"}
	if f.refuse != nil {
		err = f.refuse()
	}
	if f.capturing && f.spoiled == nil {
		f.spoiled = err
	}
	return err
}

func (f *faultyDevice) BeginRecord() error {
	if err := f.fail(faultBegin, "cuStreamBeginCapture"); err != nil {
		return err
	}
	err := f.Device.BeginRecord()
	f.capturing = err == nil
	return err
}

func (f *faultyDevice) EndRecord() (device.Recorded, error) {
	f.capturing = false
	spoiled := f.spoiled
	f.spoiled = nil
	g, err := f.Device.EndRecord()
	if err != nil {
		return nil, err
	}
	if spoiled != nil {
		err = &Error{Call: "cuStreamEndCapture", Status: device.StatusCaptureInvalidated, Detail: fmt.Sprintf("invalidated by %v", spoiled)}
	}
	if err == nil {
		err = f.fail(faultEnd, "cuStreamEndCapture")
	}
	if err == nil {
		err = f.fail(faultInstantiate, "cuGraphInstantiateWithFlags")
	}
	if err != nil {
		return nil, errors.Join(err, g.Destroy())
	}
	return &faultyRecording{Recorded: g, f: f}, nil
}

// faultyRecording fails its launch when graph launches fail.
type faultyRecording struct {
	device.Recorded
	f *faultyDevice
}

func (g *faultyRecording) Launch() error {
	if err := g.f.fail(faultGraphLaunch, "cuGraphLaunch"); err != nil {
		return err
	}
	return g.Recorded.Launch()
}

func (f *faultyDevice) Launch(k device.Kernel, lg device.LaunchGeom, args []uint64) error {
	if k >= 0 && k < device.NumKernels && device.KernelSigs[k].Cooperative {
		if err := f.fail(faultCoopLaunch, "cuLaunchCooperativeKernel "+k.String()); err != nil {
			return err
		}
	} else if f.capturing {
		if err := f.fail(faultRefused, "cuLaunchKernel "+k.String()); err != nil {
			return err
		}
	}
	return f.Device.Launch(k, lg, args)
}

func (f *faultyDevice) ResidentBlocks(k device.Kernel, threads, shared int) (int, error) {
	if err := f.fail(faultOccupancy, "cuOccupancyMaxActiveBlocksPerMultiprocessor "+k.String()); err != nil {
		return 0, err
	}
	return f.Device.ResidentBlocks(k, threads, shared)
}

func (f *faultyDevice) StaticShared(k device.Kernel) (int, error) {
	if err := f.fail(faultAttribute, "cuFuncGetAttribute "+k.String()); err != nil {
		return 0, err
	}
	return f.Device.StaticShared(k)
}

func (f *faultyDevice) AllowShared(k device.Kernel, shared int) error {
	if err := f.fail(faultAttribute, "cuFuncSetAttribute "+k.String()); err != nil {
		return err
	}
	return f.Device.AllowShared(k, shared)
}

func (f *faultyDevice) Fork() error {
	if err := f.fail(faultFork, "cuStreamWaitEvent (fork)"); err != nil {
		return err
	}
	return f.Device.Fork()
}

func (f *faultyDevice) Join() error {
	if err := f.fail(faultJoin, "cuStreamWaitEvent (join)"); err != nil {
		f.Device.SetStream(0) // as the real device's join: stream 0 is current afterwards
		return err
	}
	return f.Device.Join()
}

func (f *faultyDevice) DtoH(dst []byte, src device.Ptr) error {
	if err := f.fail(faultReadBack, "cuMemcpyDtoHAsync"); err != nil {
		return err
	}
	return f.Device.DtoH(dst, src)
}

// logRecords keeps the records logged to it, for a test to count.
type logRecords struct{ recs []slog.Record }

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.recs = append(l.recs, r.Clone())
	return nil
}

func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }

func (l *logRecords) WithGroup(string) slog.Handler { return l }

// text renders record i: its message and attributes.
func (l *logRecords) text(i int) string {
	r := l.recs[i]
	s := r.Message
	r.Attrs(func(a slog.Attr) bool {
		s += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		return true
	})
	return s
}

// faultRun is one short training run: its losses, or the error that stopped it.
type faultRun struct {
	losses []float64
	err    error
	ckpt   []byte // the checkpoint file as written before the first step
}

// faultCase is the model of the fault runs: bidirectional (the second stream
// forks and joins on the GEMM path), with an embedding and Adam.
var faultCase = graphCase{variant: gru.ResetAfter, bidir: true, embed: 3, adam: true}

// trainWithFaults trains faultCase's model on be (recording steps when graphs)
// for a fixed plan of training steps and evaluations, with the Trainer's and the
// backend's warnings going to log; it stops at the first error. Before the first
// step it writes a checkpoint to ckpt, when ckpt is not empty, and then calls arm.
func trainWithFaults(t *testing.T, be *Backend, graphs bool, log *logRecords, ckpt string, arm func()) faultRun {
	t.Helper()
	m, tr := newGraphTrainer(t, be, faultCase, graphs, 1)
	l := slog.New(log)
	tr.Logger = l
	be.SetLogger(l)
	if ckpt != "" {
		if err := checkpoint.Save(ckpt, m, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	var run faultRun
	if ckpt != "" {
		var err error
		if run.ckpt, err = os.ReadFile(ckpt); err != nil {
			t.Fatal(err)
		}
	}
	arm()
	rng := gru.NewRand(33)
	// Training steps of one shape (eager, eager, recorded, replayed, ...), with
	// the state carried, then evaluations, then training again.
	for i, eval := range []bool{false, false, false, false, false, true, true, true, false, false} {
		in, tg := batch(rng, 3, 2)
		var loss float64
		if eval {
			loss, run.err = tr.Loss(in, tg, 3, 2)
		} else {
			loss, run.err = tr.Step(in, tg, 3, 2)
		}
		if run.err != nil {
			run.err = fmt.Errorf("call %d: %w", i, run.err)
			return run
		}
		run.losses = append(run.losses, loss)
	}
	return run
}

// TestSimulatedFaultFallbacks fails, one kind at a time, each driver call of the
// speed paths, with a status that leaves the context usable and with a sticky
// one. A non-sticky failure costs speed only: the run's losses are the eager
// GEMM run's, bit for bit, and it logs one warning that names the call and the
// status. A sticky one stops the run with a *DeviceLostError that says the last
// checkpoint is intact, logs no fallback, and leaves the checkpoint file as it
// was.
func TestSimulatedFaultFallbacks(t *testing.T) {
	checkFaultFallbacks(t, func(*testing.T) device.Device { return newSimDevice() })
}

// checkFaultFallbacks is TestSimulatedFaultFallbacks on the devices newDev opens.
func checkFaultFallbacks(t *testing.T, newDev func(t *testing.T) device.Device) {
	eager := trainWithFaults(t, newTestBackend(t, newDev(t), gru.Float32), false, &logRecords{}, "", func() {})
	if eager.err != nil {
		t.Fatal(eager.err)
	}
	rows := []struct {
		kind       string
		status     int // a status that leaves the context usable (0: no such row)
		persistent bool
	}{
		{faultBegin, 900, false}, // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: recording stops altogether
		{faultEnd, 901, false},   // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
		{faultInstantiate, 801, false},
		{faultRefused, 900, false},
		{faultGraphLaunch, 801, false}, // CUDA_ERROR_NOT_SUPPORTED
		{faultOccupancy, 801, true},
		{faultAttribute, 1, true},    // CUDA_ERROR_INVALID_VALUE
		{faultCoopLaunch, 720, true}, // CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE
		{faultFork, 801, false},
		{faultJoin, 801, false},
		{faultReadBack, 0, false}, // a readback only ever fails sticky: no fallback there
	}
	for _, row := range rows {
		for _, sticky := range []bool{false, true} {
			status := row.status
			if sticky {
				status = 700 // CUDA_ERROR_ILLEGAL_ADDRESS
				if row.kind == faultCoopLaunch {
					status = 719 // CUDA_ERROR_LAUNCH_FAILED
				}
			}
			if status == 0 {
				continue
			}
			t.Run(fmt.Sprintf("%s/status=%d", row.kind, status), func(t *testing.T) {
				f := &faultyDevice{Device: newDev(t), status: status}
				be := newTestBackend(t, f, gru.Float32)
				if row.persistent {
					if err := be.SetRecurrentKernel(KernelPersistent); err != nil {
						t.Fatal(err)
					}
				}
				log := &logRecords{}
				ckpt := filepath.Join(t.TempDir(), "checkpoint.safetensors")
				run := trainWithFaults(t, be, true, log, ckpt, func() { f.kind = row.kind })
				if f.fired == 0 {
					t.Fatalf("no %s call failed: the run never took that path", row.kind)
				}
				if sticky {
					checkDeviceLost(t, run, log, ckpt, status)
					return
				}
				if run.err != nil {
					t.Fatalf("the run stopped: %v", run.err)
				}
				if !slices.Equal(run.losses, eager.losses) {
					t.Errorf("losses %v, want the eager run's %v", run.losses, eager.losses)
				}
				for i := range log.recs {
					t.Log(log.text(i))
				}
				if len(log.recs) != 1 {
					t.Fatalf("%d warnings, want 1", len(log.recs))
				}
				msg := log.text(0)
				if log.recs[0].Level != slog.LevelWarn || !strings.Contains(msg, fmt.Sprintf("status %d", status)) {
					t.Errorf("warning %q: want a warning naming the status %d", msg, status)
				}
				if row.persistent {
					if r := be.RecurrentRuns(); r.Persistent != 0 || r.GEMM == 0 {
						t.Errorf("RecurrentRuns %+v: want every pass on the GEMM path", r)
					}
				}
			})
		}
	}
}

// A speed path whose driver call fails inside a capture does not fall back there:
// the failure spoils the capture, and every later call would fail for that
// reason alone. The recording fails, the step runs eagerly, and there the path
// runs (the persistent kernel, the two streams), with one warning, from the
// Trainer, and the eager run's losses on that path.
func TestSimulatedFaultInsideCapture(t *testing.T) {
	checkFaultInsideCapture(t, func(*testing.T) device.Device { return newSimDevice() })
}

// checkFaultInsideCapture is TestSimulatedFaultInsideCapture on the devices newDev
// opens.
func checkFaultInsideCapture(t *testing.T, newDev func(t *testing.T) device.Device) {
	for _, row := range []struct {
		kind   string
		kernel RecurrentKernel
	}{{faultCoopLaunch, KernelPersistent}, {faultFork, KernelGEMM}, {faultJoin, KernelGEMM}} {
		t.Run(row.kind, func(t *testing.T) {
			open := func(dev device.Device) *Backend {
				be := newTestBackend(t, dev, gru.Float32)
				if err := be.SetRecurrentKernel(row.kernel); err != nil {
					t.Fatal(err)
				}
				return be
			}
			eager := trainWithFaults(t, open(newDev(t)), false, &logRecords{}, "", func() {})
			f := &faultyDevice{Device: newDev(t), status: 801, inCapture: true}
			be := open(f)
			log := &logRecords{}
			run := trainWithFaults(t, be, true, log, "", func() { f.kind = row.kind })
			if run.err != nil || f.fired == 0 {
				t.Fatalf("error %v, %d faults", run.err, f.fired)
			}
			if !slices.Equal(run.losses, eager.losses) {
				t.Errorf("losses %v, want the eager run's %v", run.losses, eager.losses)
			}
			if len(log.recs) != 1 || !strings.Contains(log.text(0), "recording a step failed") {
				for i := range log.recs {
					t.Log(log.text(i))
				}
				t.Errorf("%d warnings, want the Trainer's one", len(log.recs))
			}
			if row.kernel == KernelPersistent && be.RecurrentRuns().GEMM != 0 {
				t.Errorf("RecurrentRuns %+v: the persistent kernel fell back", be.RecurrentRuns())
			}
			if row.kernel == KernelGEMM && be.oneStream {
				t.Error("the second stream was given up")
			}
		})
	}
}

// checkDeviceLost checks a run stopped by a sticky status: a *DeviceLostError
// that names the status and says the checkpoint is intact, no fallback warned
// of, and the checkpoint written before the run as it was.
func checkDeviceLost(t *testing.T, run faultRun, log *logRecords, ckpt string, status int) {
	t.Helper()
	var lost *lm.DeviceLostError
	if !errors.As(run.err, &lost) || !errors.Is(run.err, gru.ErrDeviceLost) {
		t.Fatalf("error %v: want a *lm.DeviceLostError", run.err)
	}
	if msg := run.err.Error(); !strings.Contains(msg, fmt.Sprintf("status %d", status)) || !strings.Contains(msg, "last checkpoint written is intact") {
		t.Errorf("error %q: want the status and that the last checkpoint is intact", msg)
	}
	if len(log.recs) != 0 {
		t.Errorf("%d warnings (the first %q): a lost device falls back to nothing", len(log.recs), log.text(0))
	}
	if _, err := checkpoint.Load(ckpt); err != nil {
		t.Fatalf("the checkpoint does not load after the device was lost: %v", err)
	}
	after, err := os.ReadFile(ckpt)
	if err != nil || !bytes.Equal(run.ckpt, after) {
		t.Errorf("the checkpoint changed (%v)", err)
	}
}
