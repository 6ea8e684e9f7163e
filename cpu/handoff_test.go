package cpu_test

import (
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grubench"
)

// TestSmallForwardCounts logs, per time step of D2L's shape, the pool's hand-offs and
// how the workers met them, and the process's context switches, for the forward and
// the training step. Diagnostic; set GOGRU_COUNT_RUNS to run it.
func TestSmallForwardCounts(t *testing.T) {
	if os.Getenv("GOGRU_COUNT_RUNS") == "" {
		t.Skip("diagnostic: GOGRU_COUNT_RUNS=1 go test ./cpu -run TestSmallForwardCounts -v")
	}
	s := grubench.Shape{B: 32, T: 35, D: 28, H: 256}
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		for _, train := range []bool{false, true} {
			op := "forward"
			if train {
				op = "train"
			}
			t.Run(v.String()+"/"+op, func(t *testing.T) { logSmallCounts(t, s, v, train) })
		}
	}
}

// countedCase returns a float32 case of shape s and cell v whose backend's pool
// counts its hand-offs, and the function that reads the counts; cleanup frees both.
func countedCase(t *testing.T, s grubench.Shape, v gru.Variant) (*grubench.Case, func() cpu.PoolCounts) {
	t.Helper()
	be := cpu.New32()
	t.Cleanup(func() { be.Close() })
	counts := cpu.CountHandoffs(be)
	c, err := grubench.NewCase(be, s, v)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, counts
}

func logSmallCounts(t *testing.T, s grubench.Shape, v gru.Variant, train bool) {
	c, counts := countedCase(t, s, v)
	op := c.Forward
	if train {
		op = c.TrainStep
	}
	for range 3 {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	const runs = 50
	before := counts()
	var r0, r1 syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r0); err != nil {
		t.Fatal(err)
	}
	for range runs {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r1); err != nil {
		t.Fatal(err)
	}
	after := counts()
	steps := float64(runs * s.T)
	per := func(a, b int64) float64 { return float64(a-b) / steps }
	t.Logf("GOMAXPROCS=%d per step: runs %.2f, splits %.2f, hand-offs %.2f, polled %.2f, parked %.2f, caller waited %.2f; context switches per step: voluntary %.2f, involuntary %.2f",
		runtime.GOMAXPROCS(0), per(after.Runs, before.Runs), per(after.Splits, before.Splits), per(after.Handoffs, before.Handoffs),
		per(after.Polled, before.Polled), per(after.Parked, before.Parked), per(after.Waits, before.Waits),
		float64(r1.Nvcsw-r0.Nvcsw)/steps, float64(r1.Nivcsw-r0.Nivcsw)/steps)
}

// D2L's small forward (B=32, T=35, D=28, H=256, float32) hands work to the pool's
// workers twice per forward, whichever cell: once for the input projection and once
// for the recurrent sweep over the batch's rows. Per time step that is 2/35, where
// splitting each step handed off two (ResetAfter) or four (ResetBefore) times.
func TestSmallForwardHandoffs(t *testing.T) {
	if !cpu.HavePackedGemm() {
		t.Skip(sweepSkip)
	}
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the pool has no workers with GOMAXPROCS=1; run with GOMAXPROCS=2 or more")
	}
	s := grubench.Shape{B: 32, T: 35, D: 28, H: 256}
	workers := int64(runtime.GOMAXPROCS(0) - 1)
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		t.Run(v.String(), func(t *testing.T) {
			c, counts := countedCase(t, s, v)
			const runs = 3
			for range runs {
				if err := c.Forward(); err != nil {
					t.Fatal(err)
				}
			}
			got := counts()
			perStep := float64(got.Handoffs) / (runs * float64(s.T))
			t.Logf("%+v over %d forwards: %.3f hand-offs per step", got, runs, perStep)
			if want := runs * 2 * workers; got.Handoffs != want {
				t.Errorf("%d hand-offs in %d forwards (%.2f per step), want %d: two per forward, one chunk per worker each",
					got.Handoffs, runs, perStep, want)
			}
		})
	}
}
