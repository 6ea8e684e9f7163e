package cuda

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
	"github.com/gogru/gogru/internal/record"
)

// Recorded training steps (CUDA graphs) on the simulator: the host calls of a
// replayed step, bit-identical results against running the operations one by one,
// and the refusal of host traffic inside a recording. real_record_test.go runs the
// first two on a GPU.

// stepBudget is the most host calls a recorded training step or evaluation may make
// after warm-up, whatever its T: today the ids in (2), Adam's step number and the
// scheduled learning rate (2), the graph launch (1) and the loss out (1).
const stepBudget = 10

// graphCase is a model of the graph tests.
type graphCase struct {
	variant gru.Variant
	bidir   bool
	embed   int
	adam    bool
	// sched gives SGD momentum and weight decay and a step schedule with warm-up,
	// Adam decoupled weight decay and a cosine schedule with warm-up, so that the
	// learning rate changes from step to step.
	sched bool
}

func (c graphCase) String() string {
	opt := "sgd"
	if c.adam {
		opt = "adam"
	}
	if c.sched {
		opt += "+schedule"
	}
	return fmt.Sprintf("%v/bi=%v/embed=%d/%s", c.variant, c.bidir, c.embed, opt)
}

const graphVocab = 7

// newGraphTrainer builds the case's model of the given layers (seeded, so that two
// builds are equal), its optimiser and a Trainer clipping to 1, with Graphs as given.
func newGraphTrainer(t *testing.T, be gru.Backend, c graphCase, graphs bool, layers int) (*lm.Model, *lm.Trainer) {
	t.Helper()
	in := graphVocab
	if c.embed > 0 {
		in = c.embed
	}
	mc := lm.Config{Vocab: graphVocab, Embed: c.embed,
		GRU: gru.Config{InputSize: in, HiddenSize: 6, Layers: layers, Bidirectional: c.bidir, Variant: c.variant}}
	m, err := lm.New(be, mc, gru.NewRand(5))
	if err != nil {
		t.Fatal(err)
	}
	var opt optim.Optimizer = &optim.SGD{LR: 0.5}
	switch {
	case c.adam && c.sched:
		a, err := optim.NewAdamW(be, m.Params(), 0.02, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		a.Schedule = optim.Schedule{Kind: optim.Cosine, Warmup: 3, Total: 30}
		opt = a
	case c.adam:
		if opt, err = optim.NewAdam(be, m.Params(), 0.02); err != nil {
			t.Fatal(err)
		}
	case c.sched:
		s, err := optim.NewSGD(be, m.Params(), 0.5, 0.9, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		s.Schedule = optim.Schedule{Kind: optim.StepDecay, Warmup: 2, StepSize: 2, Gamma: 0.8}
		opt = s
	}
	tr, err := lm.NewTrainer(m, opt, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr.Graphs = graphs
	t.Cleanup(func() {
		tr.Close()
		m.Close()
	})
	return m, tr
}

// batch returns seeded T×B inputs and targets.
func batch(rng *rand.Rand, steps, b int) (inputs, targets []int32) {
	inputs, targets = make([]int32, steps*b), make([]int32, steps*b)
	for i := range inputs {
		inputs[i], targets[i] = int32(rng.IntN(graphVocab)), int32(rng.IntN(graphVocab))
	}
	return inputs, targets
}

// checkHostCallBudget measures the host calls of recorded training steps and
// evaluations after warm-up, on backends made by open, and holds them to
// stepBudget; it also checks that a replayed step launches no kernel and no GEMM
// from the host. T is 3 for both cells, uni- and bidirectional, and 40 for each
// cell once, with each direction once: the simulator's reductions make long steps
// slow, and the count of a replay does not depend on the cell.
func checkHostCallBudget(t *testing.T, open func(t *testing.T) (*Backend, *countingDevice)) {
	type budgetCase struct {
		steps int
		graphCase
	}
	var cases []budgetCase
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		for _, bidir := range []bool{false, true} {
			cases = append(cases, budgetCase{3, graphCase{variant: v, bidir: bidir, embed: 3, adam: true, sched: bidir}})
		}
	}
	cases = append(cases, budgetCase{40, graphCase{variant: gru.ResetBefore, embed: 3, adam: true}},
		budgetCase{40, graphCase{variant: gru.ResetAfter, bidir: true, adam: true}})
	for _, c := range cases {
		t.Run(fmt.Sprintf("T=%d/%v", c.steps, c.graphCase), func(t *testing.T) {
			be, dev := open(t)
			m, tr := newGraphTrainer(t, be, c.graphCase, true, 1)
			rng := gru.NewRand(9)
			const B = 1
			measure := func(what string, warmup, runs int, step func() error) {
				t.Helper()
				for range warmup {
					if err := step(); err != nil {
						t.Fatal(err)
					}
				}
				for range runs {
					dev.reset()
					if err := step(); err != nil {
						t.Fatal(err)
					}
					n := dev.total()
					t.Logf("%s: %d host calls (%v)", what, n, dev)
					if n > stepBudget {
						t.Errorf("%s: %d host calls, more than %d (%v)", what, n, stepBudget, dev)
					}
					if dev.calls["graphLaunch"] != 1 || dev.calls["launch"] != 0 || dev.calls["gemm"] != 0 {
						t.Errorf("%s did not replay one recording: %v", what, dev)
					}
				}
			}
			m.ResetState()
			// Warm-up: the first step (no carried state) and the second (carried)
			// run eagerly, the third is recorded and replayed; an evaluation's
			// first runs eagerly and its second is recorded.
			measure("training step", 3, 2, func() error {
				in, tg := batch(rng, c.steps, B)
				_, err := tr.Step(in, tg, c.steps, B)
				return err
			})
			measure("evaluation", 2, 2, func() error {
				in, tg := batch(rng, c.steps, B)
				_, err := tr.Loss(in, tg, c.steps, B)
				return err
			})
			tr.Graphs = false
			dev.reset()
			in, tg := batch(rng, c.steps, B)
			if _, err := tr.Step(in, tg, c.steps, B); err != nil {
				t.Fatal(err)
			}
			t.Logf("the same training step without recording: %d host calls", dev.total())
		})
	}
}

func TestSimulatedGraphBudget(t *testing.T) {
	checkHostCallBudget(t, func(t *testing.T) (*Backend, *countingDevice) {
		return newCountingBackend(t, newSimDevice(), gru.Float32)
	})
}

// checkReplayMatchesEager trains the same models on two backends made by open, one
// Trainer recording and replaying its steps and one running them eagerly, through
// state carried across batches, a reset, evaluations, a change of shape and back,
// and requires equal losses, gradient norms and parameters, bit for bit; and that
// the recording one replayed.
func checkReplayMatchesEager(t *testing.T, open func(t *testing.T, dtype gru.DType) (*Backend, *countingDevice)) {
	cases := []struct {
		dtype gru.DType
		graphCase
		layers int
	}{
		{gru.Float32, graphCase{variant: gru.ResetBefore, embed: 0, adam: false}, 1},
		{gru.Float32, graphCase{variant: gru.ResetAfter, bidir: true, embed: 3, adam: true}, 2},
		{gru.Float64, graphCase{variant: gru.ResetAfter, bidir: true, embed: 3, adam: true}, 1},
		{gru.Float32, graphCase{variant: gru.ResetBefore, embed: 3, sched: true}, 1},
		{gru.Float32, graphCase{variant: gru.ResetAfter, adam: true, sched: true}, 1},
	}
	type call struct {
		steps, batch int
		reset, eval  bool
		clip         float64 // when not 0, Clip changes to it before the call
	}
	// Carried state (eager, eager, recorded, replayed), resets (the second replayed,
	// and carried on from), evaluations, a new shape, the first shape again, and a
	// new Clip, which a recording holds.
	plan := []call{{3, 2, true, false, 0}, {3, 2, false, false, 0}, {3, 2, false, false, 0}, {3, 2, false, false, 0},
		{3, 2, true, false, 0}, {3, 2, true, false, 0}, {3, 2, false, false, 0},
		{3, 2, false, true, 0}, {3, 2, false, true, 0}, {3, 2, false, true, 0},
		{2, 1, true, false, 0}, {2, 1, false, false, 0}, {2, 1, false, false, 0}, {2, 1, false, false, 0},
		{3, 2, false, false, 0}, {3, 2, false, false, 0}, {3, 2, false, false, 0},
		{3, 2, false, false, 0.05}, {3, 2, false, false, 0}, {3, 2, false, false, 0}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v/%v/L=%d", c.dtype, c.graphCase, c.layers), func(t *testing.T) {
			beG, devG := open(t, c.dtype)
			beE, _ := open(t, c.dtype)
			mG, trG := newGraphTrainer(t, beG, c.graphCase, true, c.layers)
			mE, trE := newGraphTrainer(t, beE, c.graphCase, false, c.layers)
			rng := gru.NewRand(21)
			for i, p := range plan {
				in, tg := batch(rng, p.steps, p.batch)
				var losses [2]float64
				for j, run := range []struct {
					m  *lm.Model
					tr *lm.Trainer
				}{{mG, trG}, {mE, trE}} {
					if p.reset {
						run.m.ResetState()
					}
					if p.clip != 0 {
						run.tr.Clip = p.clip
					}
					var err error
					if p.eval {
						losses[j], err = run.tr.Loss(in, tg, p.steps, p.batch)
					} else {
						losses[j], err = run.tr.Step(in, tg, p.steps, p.batch)
					}
					if err != nil {
						t.Fatalf("call %d: %v", i, err)
					}
				}
				if losses[0] != losses[1] {
					t.Fatalf("call %d (%+v): loss %v replayed, %v eager", i, p, losses[0], losses[1])
				}
			}
			nG, err1 := trG.GradNorm()
			nE, err2 := trE.GradNorm()
			if err := errors.Join(err1, err2); err != nil || nG != nE {
				t.Errorf("gradient norm %v replayed, %v eager (%v)", nG, nE, err)
			}
			for k, p := range mG.Params() {
				got, want := readAll(t, beG, p), readAll(t, beE, mE.Params()[k])
				if !slices.Equal(got, want) {
					t.Errorf("%s differs after replayed steps", mG.ParamNames()[k])
				}
			}
			if devG.calls["graphLaunch"] == 0 {
				t.Error("the recording trainer never replayed a recording")
			}
		})
	}
}

// readAll reads a tensor to the host.
func readAll(t *testing.T, be gru.Backend, x gru.Tensor) []float64 {
	t.Helper()
	v := make([]float64, gru.Len(x.Shape()))
	if err := be.Read(v, x); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSimulatedGraphReplay(t *testing.T) {
	checkReplayMatchesEager(t, func(t *testing.T, dtype gru.DType) (*Backend, *countingDevice) {
		return newCountingBackend(t, newSimDevice(), dtype)
	})
}

// A recording refuses host traffic, waits, allocations, frees and replays with an
// *Error that names the call and says a step is being recorded; a refusal that the
// body does not pass on still fails the recording; the backend works afterwards
// and lost nothing.
func TestRecordRefusesHostTraffic(t *testing.T) {
	be, err := New(Simulated())
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	x, _ := be.NewTensor(4)
	y, _ := be.NewTensor(4)
	ids, _ := be.NewIDs(2, 3)
	rec, err := be.record(func() error { return be.Fill(x, 1) })
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	live := be.dev.Live()
	for _, c := range []struct {
		name, call string
		body       func() error
	}{
		{"Write", device.CallHtoD, func() error { return be.Write(x, make([]float64, 4)) }},
		{"WriteIDs", device.CallHtoD, func() error { return be.WriteIDs(ids, []int32{0, 2}) }},
		{"Read", device.CallDtoH, func() error { return be.Read(make([]float64, 4), x) }},
		{"Sync", device.CallSync, be.Sync},
		{"NewTensor", device.CallAlloc, func() error { _, err := be.NewTensor(3); return err }},
		{"Free", device.CallFree, func() error { return be.Free(y) }},
		{"Replay", device.CallGraphLaunch, rec.Replay},
	} {
		r, err := be.record(func() error {
			if err := be.Fill(x, 2); err != nil {
				return err
			}
			return c.body()
		})
		var de *Error
		if r != nil || !errors.As(err, &de) || de.Call != c.call || de.Status != device.StatusCaptureUnsupported ||
			!strings.Contains(err.Error(), "while a step is being recorded") {
			t.Errorf("%s inside Record: recording %v, error %v; want an *Error of %s, status %d", c.name, r, err, c.call, device.StatusCaptureUnsupported)
		}
		_, err = be.record(func() error {
			c.body() // the refusal is dropped here, and caught at the end of the capture
			return nil
		})
		if !errors.As(err, &de) || de.Status != device.StatusCaptureInvalidated || !strings.Contains(err.Error(), c.call) {
			t.Errorf("%s refused and ignored inside Record: error %v; want status %d naming %s", c.name, err, device.StatusCaptureInvalidated, c.call)
		}
	}
	if n := be.dev.Live(); n != live {
		t.Errorf("%d live allocations after the refused calls, %d before", n, live)
	}
	// The recorded Fill(x, 1) ran when replayed, not when recorded; the refused
	// recordings' Fill(x, 2) never ran.
	if err := be.Fill(x, 3); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, be, x); got[0] != 3 {
		t.Fatalf("x = %v after Fill(3): a refused recording ran", got)
	}
	if err := rec.Replay(); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, be, x); !slices.Equal(got, []float64{1, 1, 1, 1}) {
		t.Fatalf("x = %v after the replay of Fill(x, 1)", got)
	}
	// A free makes every recording stale: its addresses may now name other data.
	if err := be.Free(y); err != nil {
		t.Fatal(err)
	}
	if err := rec.Replay(); !errors.Is(err, record.ErrStale) {
		t.Errorf("replay after a free: %v, want record.ErrStale", err)
	}
}

// Recording a stack's first Forward at a shape fails with the allocation of its
// workspace named: the first step of a shape must run eagerly.
func TestRecordNamesLazyAllocation(t *testing.T) {
	be, err := New(Simulated())
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	cfg := gru.Config{InputSize: 3, HiddenSize: 4, Layers: 1}
	p, _ := gru.InitParams(cfg, gru.InitPyTorch, gru.NewRand(1))
	st, err := be.NewStack(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := be.NewTensor(2, 2, 3)
	y, _ := be.NewTensor(2, 2, 4)
	live := be.dev.Live()
	_, err = be.record(func() error { return st.Forward(x, nil, nil, y, nil) })
	var ae *AllocError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "workspace") || !strings.Contains(err.Error(), device.CallAlloc) {
		t.Fatalf("recording a first Forward: %v; want an *AllocError naming the workspace and %s", err, device.CallAlloc)
	}
	if n := be.dev.Live(); n != live {
		t.Errorf("%d live allocations after the refused workspace, %d before", n, live)
	}
	if err := st.Forward(x, nil, nil, y, nil); err != nil {
		t.Fatal(err)
	}
	rec, err := be.record(func() error { return st.Forward(x, nil, nil, y, nil) })
	if err != nil {
		t.Fatalf("recording a Forward after an eager one: %v", err)
	}
	defer rec.Close()
	if err := rec.Replay(); err != nil {
		t.Fatal(err)
	}
}

// persistentCounting opens a counting simulator whose stacks run the persistent
// recurrent kernel.
func persistentCounting(t *testing.T, dtype gru.DType) (*Backend, *countingDevice) {
	be, dev := newCountingBackend(t, newSimDevice(), dtype)
	if err := be.SetRecurrentKernel(KernelPersistent); err != nil {
		t.Fatal(err)
	}
	return be, dev
}

// The persistent recurrent kernel records and replays as the GEMM path does: the
// same host-call budget, and replays equal to eager steps bit for bit; and the
// persistent kernel really ran.
func TestSimulatedGraphPersistent(t *testing.T) {
	var runs []*Backend
	t.Run("budget", func(t *testing.T) {
		checkHostCallBudget(t, func(t *testing.T) (*Backend, *countingDevice) {
			be, dev := persistentCounting(t, gru.Float32)
			runs = append(runs, be)
			return be, dev
		})
	})
	t.Run("replay", func(t *testing.T) {
		checkReplayMatchesEager(t, func(t *testing.T, dtype gru.DType) (*Backend, *countingDevice) {
			be, dev := persistentCounting(t, dtype)
			runs = append(runs, be)
			return be, dev
		})
	})
	persistent := 0
	for _, be := range runs {
		persistent += be.RecurrentRuns().Persistent
	}
	if persistent == 0 {
		t.Error("no pass ran the persistent kernel")
	}
}

// ownSGD is an optimiser of a user's own: optim.Optimizer's one method, with no
// split of its step for recording.
type ownSGD struct{ sgd *optim.SGD }

func (o ownSGD) Step(be gru.Backend, params, grads []gru.Tensor) error {
	return o.sgd.Step(be, params, grads)
}

// A Trainer with an optimiser of the user's own runs its training steps eagerly
// on a backend that records (no capture begins), and its losses are bit for bit
// those of the package's SGD with the steps recorded and replayed.
func TestTrainerOwnOptimizerRunsEagerly(t *testing.T) {
	c := graphCase{variant: gru.ResetAfter}
	ref, _ := newCountingBackend(t, newSimDevice(), gru.Float32)
	_, recorded := newGraphTrainer(t, ref, c, true, 1)
	be, dev := newCountingBackend(t, newSimDevice(), gru.Float32)
	m, _ := newGraphTrainer(t, be, c, true, 1) // the same seeded model
	tr, err := lm.NewTrainer(m, ownSGD{&optim.SGD{LR: 0.5}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rng := gru.NewRand(3)
	for step := range 5 {
		in, tg := batch(rng, 4, 2)
		want, err := recorded.Step(in, tg, 4, 2)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tr.Step(in, tg, 4, 2)
		if err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("step %d: loss %v with the user's optimiser, want %v as SGD's recorded step", step, got, want)
		}
	}
	if n := dev.calls["beginRecord"]; n != 0 {
		t.Errorf("%d recordings begun with the user's optimiser, want 0", n)
	}
}
