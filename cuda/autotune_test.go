package cuda

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// fakeClock is a clock for KernelAuto that advances, between two readings, by
// gemm for each pass the GEMM path ran and persistent for each the persistent
// kernel ran (read from RecurrentRuns), so that the faster path is the test's
// choice.
func fakeClock(be *Backend, gemm, persistent time.Duration) func() time.Duration {
	var now time.Duration
	var seen RecurrentRuns
	return func() time.Duration {
		r := be.RecurrentRuns()
		now += time.Duration(r.GEMM-seen.GEMM)*gemm + time.Duration(r.Persistent-seen.Persistent)*persistent
		seen = r
		return now
	}
}

// KernelAuto, with an injected clock: the first passes of a shape alternate
// between the paths (the GEMM path's warm-up and trials, then the persistent
// kernel's), then every pass runs the faster one, the choice logged once; a
// Trainer records no step until the choice is made, and then records. A shape the
// persistent kernel does not hold runs the GEMM path without timing.
func TestSimulatedKernelAuto(t *testing.T) {
	for _, c := range []struct {
		name             string
		gemm, persistent time.Duration
		want             string
	}{
		{"persistent faster", 3 * time.Millisecond, time.Millisecond, "persistent"},
		{"gemm faster", time.Millisecond, 2 * time.Millisecond, "gemm"},
	} {
		t.Run(c.name, func(t *testing.T) {
			be, dev := newCountingBackend(t, newSimDevice(), gru.Float32)
			log := &logRecords{}
			be.SetLogger(slog.New(log))
			be.clock = fakeClock(be, c.gemm, c.persistent)
			if err := be.SetRecurrentKernel(KernelAuto); err != nil {
				t.Fatal(err)
			}
			m, tr := newGraphTrainer(t, be, faultCase, true, 1)
			tr.Logger = be.logger
			tuning := 2 * (autoWarmup + autoTrials) // training steps until the choice
			rng := gru.NewRand(3)
			for i := range tuning + 4 {
				if i < tuning && !be.Tuning() && i > 0 {
					t.Fatalf("step %d: Tuning false before the choice", i)
				}
				in, tg := batch(rng, 3, 2)
				if _, err := tr.Step(in, tg, 3, 2); err != nil {
					t.Fatal(err)
				}
				if i == tuning-1 && dev.calls["beginRecord"] != 0 {
					t.Fatalf("a step was recorded while the paths were being timed")
				}
			}
			if be.Tuning() {
				t.Fatal("still tuning after the choice")
			}
			if len(log.recs) != 1 || !strings.Contains(log.text(0), "auto") || !strings.HasPrefix(strings.SplitN(log.text(0), ": ", 3)[2], c.want) {
				for i := range log.recs {
					t.Log(log.text(i))
				}
				t.Fatalf("%d messages, want one that chooses %s", len(log.recs), c.want)
			}
			// 2 directions, forward and backward: 4 passes a step. The tuning steps ran
			// half on each path; the passes after it (replays count none) on the choice.
			r := be.RecurrentRuns()
			per := 4 * (autoWarmup + autoTrials)
			chosen, other := r.Persistent, r.GEMM
			if c.want == "gemm" {
				chosen, other = other, chosen
			}
			if other != per || chosen <= per {
				t.Errorf("RecurrentRuns %+v: want %d passes on the path not chosen and more on the chosen", r, per)
			}
			if dev.calls["graphLaunch"] == 0 {
				t.Error("no step was replayed after the choice")
			}
			m.ResetState()
		})
	}
	t.Run("does not fit", func(t *testing.T) {
		be := newTestBackend(t, newSimDevice(), gru.Float64)
		log := &logRecords{}
		be.SetLogger(slog.New(log))
		be.clock = func() time.Duration { t.Fatal("the clock was read for a shape with one path"); return 0 }
		if err := be.SetRecurrentKernel(KernelAuto); err != nil {
			t.Fatal(err)
		}
		cfg := gru.Config{InputSize: 3, HiddenSize: 200, Layers: 1, Variant: gru.ResetAfter}
		prob := grutest.NewProblem(gru.NewRand(5), cfg, 2, 2, false, false, true)
		if _, err := grutest.Solve(be, prob); err != nil {
			t.Fatal(err)
		}
		if r := be.RecurrentRuns(); r.Persistent != 0 || r.GEMM != 2 || be.Tuning() {
			t.Errorf("RecurrentRuns %+v, Tuning %v: want the GEMM path, decided", r, be.Tuning())
		}
		if len(log.recs) != 1 || !strings.Contains(log.text(0), "does not run this shape") {
			t.Errorf("%d messages, want one that says gemm was chosen without timing", len(log.recs))
		}
	})
}
