package optim_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/optim"
	"github.com/gogru/gogru/internal/record"
)

// TestScheduleFactors checks the factors at the edges of warm-up, decay and the
// end of a cosine by hand, and that bad schedules are refused.
func TestScheduleFactors(t *testing.T) {
	for _, c := range []struct {
		s    optim.Schedule
		t    int
		want float64
	}{
		{optim.Schedule{}, 0, 1},
		{optim.Schedule{}, 1000, 1},
		{optim.Schedule{Warmup: 4}, 0, 0.25},
		{optim.Schedule{Warmup: 4}, 3, 1},
		{optim.Schedule{Warmup: 4}, 9, 1},
		{optim.Schedule{Kind: optim.StepDecay, StepSize: 3, Gamma: 0.5}, 2, 1},
		{optim.Schedule{Kind: optim.StepDecay, StepSize: 3, Gamma: 0.5}, 3, 0.5},
		{optim.Schedule{Kind: optim.StepDecay, StepSize: 3, Gamma: 0.5, Warmup: 2}, 8, 0.25},
		{optim.Schedule{Kind: optim.Cosine, Total: 10}, 0, 1},
		{optim.Schedule{Kind: optim.Cosine, Total: 10}, 5, 0.5},
		{optim.Schedule{Kind: optim.Cosine, Total: 10, Warmup: 2}, 6, 0.5},
		{optim.Schedule{Kind: optim.Cosine, Total: 10}, 10, 0},
		{optim.Schedule{Kind: optim.Cosine, Total: 10}, 50, 0},
	} {
		if got := c.s.Factor(c.t); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%+v at step %d: factor %v, want %v", c.s, c.t, got, c.want)
		}
	}
	for _, s := range []optim.Schedule{
		{Warmup: -1},
		{Kind: optim.StepDecay, Gamma: 0.5},
		{Kind: optim.StepDecay, StepSize: 2},
		{Kind: optim.Cosine, Total: 3, Warmup: 3},
		{Kind: 7},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v: Validate accepted it", s)
		}
		if f := s.Factor(0); !math.IsNaN(f) {
			t.Errorf("%+v: factor %v, want NaN", s, f)
		}
	}
	for _, k := range []optim.ScheduleKind{optim.Constant, optim.StepDecay, optim.Cosine} {
		if got, err := optim.ParseScheduleKind(k.String()); err != nil || got != k {
			t.Errorf("ParseScheduleKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := optim.ParseScheduleKind("linear"); err == nil {
		t.Error("ParseScheduleKind accepted linear")
	}
}

// TestOptimizerMisuse checks the errors of an Apply before Prepare, momentum
// without NewSGD's buffers, a bad schedule, and mismatched lists, none of which
// may change a parameter.
func TestOptimizerMisuse(t *testing.T) {
	be := cpu.New64()
	p, _ := be.NewTensor(3)
	g, _ := be.NewTensor(3)
	if err := be.Write(g, []float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	params, grads := []gru.Tensor{p}, []gru.Tensor{g}
	adam, err := optim.NewAdam(be, params, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, want string
		run        func() error
	}{
		{"SGD Apply before Prepare", "before Prepare", func() error { return split(t, &optim.SGD{LR: 1}).Apply(be, params, grads) }},
		{"Adam Apply before Prepare", "before Prepare", func() error { return split(t, adam).Apply(be, params, grads) }},
		{"momentum without NewSGD", "NewSGD", func() error { return (&optim.SGD{LR: 1, Momentum: 0.9}).Step(be, params, grads) }},
		{"momentum of 1", "momentum", func() error { return (&optim.SGD{LR: 1, Momentum: 1}).Step(be, params, grads) }},
		{"bad schedule", "cosine", func() error {
			return (&optim.SGD{LR: 1, Schedule: optim.Schedule{Kind: optim.Cosine}}).Step(be, params, grads)
		}},
		{"Adam with two gradients", "built for 1", func() error { return adam.Step(be, params, append(grads, g)) }},
		{"Adam not from NewAdam", "NewAdam", func() error { return (&optim.Adam{LR: 1}).Step(be, nil, nil) }},
	} {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	v := make([]float64, 3)
	if err := be.Read(v, p); err != nil || v[0] != 0 || v[1] != 0 || v[2] != 0 {
		t.Errorf("parameters %v (%v) after refused updates, want zeros", v, err)
	}
}

// TestRestoreContinuesSchedule runs an AdamW with a cosine schedule and warm-up,
// and an SGD with momentum and a step schedule, for ten steps straight, and for
// four, then restored from their State into new optimisers for six more, and
// requires the same parameters bit for bit: the step count carries the
// schedule's position, and the tensors the moments.
func TestRestoreContinuesSchedule(t *testing.T) {
	be := cpu.New32()
	sched := map[bool]optim.Schedule{
		true:  {Kind: optim.Cosine, Warmup: 3, Total: 10},
		false: {Kind: optim.StepDecay, Warmup: 2, StepSize: 3, Gamma: 0.5},
	}
	build := func(adam bool, params []gru.Tensor) optim.Stateful {
		if adam {
			o, err := optim.NewAdamW(be, params, 0.05, 0.01)
			if err != nil {
				t.Fatal(err)
			}
			o.Schedule = sched[adam]
			return o
		}
		o, err := optim.NewSGD(be, params, 0.2, 0.9, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		o.Schedule = sched[adam]
		return o
	}
	rng := gru.NewRand(3)
	grads := make([][]float64, 10)
	for i := range grads {
		grads[i] = make([]float64, 6)
		for j := range grads[i] {
			grads[i][j] = rng.NormFloat64()
		}
	}
	start := []float64{1, -2, 3, 0.5, -0.25, 2}
	run := func(o optim.Optimizer, p gru.Tensor, from, to int) {
		g, _ := be.NewTensor(6)
		for s := from; s < to; s++ {
			if err := be.Write(g, grads[s]); err != nil {
				t.Fatal(err)
			}
			if err := o.Step(be, []gru.Tensor{p}, []gru.Tensor{g}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, adam := range []bool{true, false} {
		pa, _ := be.NewTensor(6)
		pb, _ := be.NewTensor(6)
		be.Write(pa, start)
		be.Write(pb, start)
		run(build(adam, []gru.Tensor{pa}), pa, 0, 10)
		first := build(adam, []gru.Tensor{pb})
		run(first, pb, 0, 4)
		second := build(adam, []gru.Tensor{pb})
		st1, steps := first.State()
		st2, _ := second.State()
		for name, tn := range st1 {
			v := make([]float64, 6)
			be.Read(v, tn)
			if err := be.Write(st2[name], v); err != nil {
				t.Fatal(err)
			}
		}
		second.Restore(steps)
		run(second, pb, 4, 10)
		a, b := make([]float64, 6), make([]float64, 6)
		be.Read(a, pa)
		be.Read(b, pb)
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("adam=%v: parameter %d is %v straight, %v restored", adam, i, a[i], b[i])
			}
		}
	}
}

// split returns opt's step in its two halves, as gru/lm's Trainer takes it.
func split(t *testing.T, opt optim.Optimizer) record.Update {
	t.Helper()
	u, ok := record.UpdateFor(opt)
	if !ok {
		t.Fatalf("%T: no record.Update", opt)
	}
	return u
}
