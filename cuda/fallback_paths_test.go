package cuda

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/cuda/internal/sim"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// The speed paths checked on the simulator here run on a GPU in
// real_fallback_test.go, through the same helpers: make gpu-check runs both, the
// simulator's in its dry run.

// replayPath is a speed path whose recorded steps must replay bit for bit.
type replayPath struct {
	name   string
	math   device.GEMMMath
	kernel RecurrentKernel
}

var replayPaths = []replayPath{
	{"persistent", device.MathFP32, KernelPersistent},
	{"TF32", device.MathTF32, KernelGEMM},
	{"BF16", device.MathBF16, KernelGEMM},
	{"two streams", device.MathFP32, KernelGEMM}, // checkReplayMatchesEager's bidirectional cases
}

// checkReplayPaths runs checkReplayMatchesEager on each replayPath, on devices
// newDev opens with GEMM math m, and checks that the path really ran: the
// persistent kernel's passes, the second stream's forks.
func checkReplayPaths(t *testing.T, newDev func(t *testing.T, m device.GEMMMath) device.Device) {
	for _, p := range replayPaths {
		t.Run(p.name, func(t *testing.T) {
			var opened []*Backend
			var devs []*countingDevice
			checkReplayMatchesEager(t, func(t *testing.T, dtype gru.DType) (*Backend, *countingDevice) {
				if p.math != device.MathFP32 && dtype != gru.Float32 {
					t.Skipf("%s GEMMs apply to float32 only", p.name)
				}
				be, dev := newCountingBackend(t, newDev(t, p.math), dtype)
				be.math = p.math
				if err := be.SetRecurrentKernel(p.kernel); err != nil {
					t.Fatal(err)
				}
				opened, devs = append(opened, be), append(devs, dev)
				return be, dev
			})
			persistent, forks := 0, 0
			for i, be := range opened {
				persistent += be.RecurrentRuns().Persistent
				forks += devs[i].calls["fork"]
			}
			switch {
			case p.kernel == KernelPersistent && persistent == 0:
				t.Error("no pass ran the persistent kernel")
			case p.name == "two streams" && forks == 0:
				t.Error("no pass forked a second stream")
			}
		})
	}
}

func TestSimulatedReplayPaths(t *testing.T) {
	checkReplayPaths(t, func(_ *testing.T, m device.GEMMMath) device.Device {
		d := sim.New(m)
		return d
	})
}

// checkPersistentAgainstGEMM runs T×B×D problems of H units through the
// persistent kernel and the GEMM path on backends open makes, both variants, uni-
// and bidirectional, and requires the same outputs and gradients within a tenth of
// the forward tolerance, every pass on the persistent kernel. It skips where the
// device cannot hold the plan.
func checkPersistentAgainstGEMM(t *testing.T, open func(t *testing.T, k RecurrentKernel) *Backend, T, B, D, H int) {
	gemm, pers := open(t, KernelGEMM), open(t, KernelPersistent)
	tol := grutest.TolerancesFor(gru.Float32)
	rng := gru.NewRand(8)
	passes := 0
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		for _, bidir := range []bool{false, true} {
			cfg := gru.Config{InputSize: D, HiddenSize: H, Layers: 1, Bidirectional: bidir, Variant: v}
			prob := grutest.NewProblem(rng, cfg, T, B, true, true, true)
			want, err := grutest.Solve(gemm, prob)
			if err != nil {
				t.Fatal(err)
			}
			got, err := grutest.Solve(pers, prob)
			if err != nil {
				t.Fatal(err)
			}
			if passes == 0 && pers.RecurrentRuns().Persistent == 0 {
				t.Skipf("H=%d, B=%d does not fit this device's shared memory: the GEMM path ran", H, B)
			}
			passes += 2 * cfg.Cells()
			checkAgainstGEMM(t, fmt.Sprintf("%v/bi=%v", v, bidir), cfg, got, want, tol.Forward/10)
		}
	}
	if r := pers.RecurrentRuns(); r.Persistent != passes || r.GEMM != 0 {
		t.Errorf("RecurrentRuns %+v, want all %d passes on the persistent kernel", r, passes)
	}
}

// On the simulator, at a size its 48 KiB blocks hold (on a GPU H ≥ 1024, B ≥ 256).
func TestSimulatedPersistentAgainstGEMM(t *testing.T) {
	checkPersistentAgainstGEMM(t, func(t *testing.T, k RecurrentKernel) *Backend {
		be := newTestBackend(t, newSimDevice(), gru.Float32)
		if err := be.SetRecurrentKernel(k); err != nil {
			t.Fatal(err)
		}
		return be
	}, 4, 9, 5, 29)
}

// checkCaptureRefusal trains with every step recorded on a device that newDev
// opens, where the first launch inside each capture is replaced by refuse(dev):
// a call the device itself refuses inside a capture, which spoils it. The run
// falls back as for any failed recording: the eager run's losses bit for bit, one
// warning naming the refused call and CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, and
// no recording is made again.
func checkCaptureRefusal(t *testing.T, newDev func(t *testing.T) device.Device, refuse func(d device.Device) error) {
	eager := trainWithFaults(t, newTestBackend(t, newDev(t), gru.Float32), false, &logRecords{}, "", func() {})
	if eager.err != nil {
		t.Fatal(eager.err)
	}
	inner := newDev(t)
	f := &faultyDevice{Device: inner, refuse: func() error { return refuse(inner) }}
	log := &logRecords{}
	run := trainWithFaults(t, newTestBackend(t, f, gru.Float32), true, log, "", func() { f.kind = faultRefused })
	if run.err != nil {
		t.Fatalf("the run stopped: %v", run.err)
	}
	if f.fired != 1 {
		t.Errorf("%d refusals, want 1: recording goes on after capture proved unsupported", f.fired)
	}
	if !slices.Equal(run.losses, eager.losses) {
		t.Errorf("losses %v, want the eager run's %v", run.losses, eager.losses)
	}
	if len(log.recs) != 1 || log.recs[0].Level != slog.LevelWarn || !strings.Contains(log.text(0), "status 900") {
		for i := range log.recs {
			t.Log(log.text(i))
		}
		t.Errorf("%d warnings, want one naming status 900", len(log.recs))
	}
}

// On the simulator the refusal is its capture guard's, of a Sync.
func TestSimulatedCaptureRefusal(t *testing.T) {
	checkCaptureRefusal(t, func(*testing.T) device.Device { return newSimDevice() }, func(d device.Device) error { return d.Sync() })
}
