package lm_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// trainerRun is one training run of TestTrainerMatchesLoop.
type trainerRun struct {
	f64        bool
	embed      int
	layers     int
	variant    gru.Variant
	adam       bool
	clip       float64
	sequential bool // the state carries across batches; else each batch resets it
	steps      int
	// golden is the SHA-256 of the parameters (float64 bits, little-endian, in the
	// order of Model.Params) after the run, and losses the losses it reported, both
	// from the loop gru train ran before Trainer existed (model.ZeroGrads,
	// model.Step, be.ClipGradNorm when clipping, opt.Step), at commit 22de3c3.
	golden string
	losses []float64
}

var trainerRuns = []trainerRun{
	{false, 0, 1, gru.ResetBefore, false, 1, true, 6, "6965ca202b3bde23dca8f865216b4f722abba4f44655a6566d6ddb302f73e18a",
		[]float64{1.8771564143920714, 1.8681866290041205, 1.7579548759817463, 1.7434657909307891, 1.7162893428940669, 1.780432136449826}},
	{true, 3, 2, gru.ResetAfter, true, 0.5, false, 6, "dadc969c62573945d38806eeb43a3ef0568ba89a10e75a0203a1fa97315d4eb4",
		[]float64{1.89137868714256, 1.8359945890471716, 1.7998773267698036, 1.929584241761359, 1.8656166272116026, 1.976376329876022}},
	{false, 3, 1, gru.ResetAfter, true, 0, true, 5, "edfbbc8d323a8db13649377414eeaa6fd158604e647497f378e0196133f645a3",
		[]float64{1.8797109071543494, 1.7681370937101002, 1.838292340137787, 1.9016202154696937, 1.8207531086033661}},
}

func (r trainerRun) String() string {
	return fmt.Sprintf("f64=%v/embed=%d/L=%d/%v/adam=%v/clip=%v/sequential=%v", r.f64, r.embed, r.layers, r.variant, r.adam, r.clip, r.sequential)
}

// train runs r on a fresh CPU backend, a whole step at a time through step, and
// returns the hash of the parameters and the losses.
func (r trainerRun) train(t *testing.T, step func(be gru.Backend, m *lm.Model, opt optim.Optimizer, inputs, targets []int32, T, B int) (float64, error)) (string, []float64) {
	t.Helper()
	var be gru.Backend = cpu.New32()
	if r.f64 {
		be = cpu.New64()
	}
	defer be.Close()
	const V, T, B = 6, 5, 3
	in := V
	if r.embed > 0 {
		in = r.embed
	}
	mc := lm.Config{Vocab: V, Embed: r.embed, GRU: gru.Config{InputSize: in, HiddenSize: 8, Layers: r.layers, Variant: r.variant}}
	m, err := lm.New(be, mc, gru.NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var opt optim.Optimizer = &optim.SGD{LR: 1}
	if r.adam {
		if opt, err = optim.NewAdam(be, m.Params(), 0.01); err != nil {
			t.Fatal(err)
		}
	}
	rng := gru.NewRand(4)
	m.ResetState()
	var losses []float64
	for range r.steps {
		inputs, targets := make([]int32, T*B), make([]int32, T*B)
		for i := range inputs {
			inputs[i], targets[i] = int32(rng.IntN(V)), int32(rng.IntN(V))
		}
		if !r.sequential {
			m.ResetState()
		}
		loss, err := step(be, m, opt, inputs, targets, T, B)
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, loss)
	}
	h := sha256.New()
	for _, p := range m.Params() {
		v := make([]float64, gru.Len(p.Shape()))
		if err := be.Read(v, p); err != nil {
			t.Fatal(err)
		}
		for _, x := range v {
			binary.Write(h, binary.LittleEndian, math.Float64bits(x))
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil)), losses
}

// A Trainer's steps on the CPU leave the parameters bit for bit where the loop
// gru train ran before leaves them today, with the losses of that loop rounded to
// the backend's precision (the loss now comes back through a tensor). In float64
// on gonum's BLAS both also match a golden hash and losses taken from that loop's
// code at 22de3c3; other BLAS libraries and the vectorised float32 activations
// round differently, so there the golden values do not apply.
func TestTrainerMatchesLoop(t *testing.T) {
	for _, r := range trainerRuns {
		t.Run(r.String(), func(t *testing.T) {
			var trainer *lm.Trainer
			got, losses := r.train(t, func(be gru.Backend, m *lm.Model, opt optim.Optimizer, in, tg []int32, T, B int) (float64, error) {
				if trainer == nil {
					var err error
					if trainer, err = lm.NewTrainer(m, opt, r.clip); err != nil {
						return 0, err
					}
				}
				return trainer.Step(in, tg, T, B)
			})
			loop, loopLosses := r.train(t, func(be gru.Backend, m *lm.Model, opt optim.Optimizer, in, tg []int32, T, B int) (float64, error) {
				if err := m.ZeroGrads(); err != nil {
					return 0, err
				}
				loss, err := m.Step(in, tg, T, B)
				if err != nil {
					return 0, err
				}
				if r.clip > 0 {
					if err := be.ClipGradNorm(m.Grads(), r.clip, nil); err != nil {
						return 0, err
					}
				}
				return loss, opt.Step(be, m.Params(), m.Grads())
			})
			if got != loop {
				t.Errorf("parameters after the Trainer's steps hash to %s, after the old loop's calls to %s", got, loop)
			}
			for i, l := range losses {
				want := loopLosses[i]
				if !r.f64 {
					want = float64(float32(want))
				}
				if l != want {
					t.Errorf("step %d: loss %v, the old loop's %v", i, l, want)
				}
			}
			if !r.f64 || !strings.HasPrefix(cpu.BLAS(), "gonum") {
				return
			}
			if loop != r.golden {
				t.Errorf("parameters after the old loop's calls hash to %s today, %s at 22de3c3", loop, r.golden)
			}
			for i, l := range loopLosses {
				if l != r.losses[i] {
					t.Errorf("step %d: the old loop's loss is %v today, %v at 22de3c3", i, l, r.losses[i])
				}
			}
		})
	}
}

// Trainer.Loss is Model.Loss, GradNorm the norm ClipGradNorm measures, and the
// Trainer's errors name the bad input.
func TestTrainerLossAndErrors(t *testing.T) {
	be := cpu.New64()
	defer be.Close()
	mc := lm.Config{Vocab: 5, GRU: gru.Config{InputSize: 5, HiddenSize: 4, Layers: 1}}
	m, err := lm.New(be, mc, gru.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tr, err := lm.NewTrainer(m, &optim.SGD{LR: 0.1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	in, tg := []int32{0, 1, 2, 3, 4, 0}, []int32{1, 2, 3, 4, 0, 1}
	m.ResetState()
	got, err := tr.Loss(in, tg, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	m.ResetState()
	want, err := m.Loss(in, tg, 3, 2)
	if err != nil || got != want {
		t.Errorf("Trainer.Loss %v, Model.Loss %v (%v)", got, want, err)
	}
	m.ResetState()
	if _, err := tr.Step(in, tg, 3, 2); err != nil {
		t.Fatal(err)
	}
	norm, err := tr.GradNorm()
	if err != nil || !(norm > 0) {
		t.Errorf("GradNorm after a step: %v, %v", norm, err)
	}
	if _, err := tr.Step(in, []int32{1, 2, 3, 4, 5, 1}, 3, 2); err == nil {
		t.Error("a target past the vocabulary: no error")
	} else {
		t.Logf("target past the vocabulary: %v", err)
	}
	if _, err := tr.Step(in[:5], tg, 3, 2); err == nil {
		t.Error("5 inputs for T=3 × B=2: no error")
	}
}

// TestDataParallel checks that training split over replicas on the CPU, with the
// gradients averaged through the host, ends where one process ends.
func TestDataParallel(t *testing.T) {
	grutest.DataParallel(t, func(d gru.DType) (gru.Backend, error) { return cpu.New(d) })
}

// TestTrainerDropout checks Trainer.SetDropout on the CPU (grutest.TrainerDropout).
func TestTrainerDropout(t *testing.T) {
	grutest.TrainerDropout(t, func(d gru.DType) (gru.Backend, error) { return cpu.New(d) })
}
