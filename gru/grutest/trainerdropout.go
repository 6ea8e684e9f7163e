package grutest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// dropoutRun is a short seeded training run of a 3-layer language model.
type dropoutRun struct {
	dtype          gru.DType
	embed          int
	layers, input  float64 // Trainer.SetDropout's probabilities; both 0: SetDropout is not called
	set            bool    // call SetDropout even when both are 0
	graphs         bool    // Trainer.Graphs
	steps, resumed int     // steps in all; when resumed > 0, a fresh model continues from there
}

// The shape of a dropoutRun's batches, its vocabulary and its dropout seed.
const dropT, dropB, dropV, dropSeed = 4, 3, 7, 0x5eed

// config is the model r trains.
func (r dropoutRun) config() lm.Config {
	in := dropV
	if r.embed > 0 {
		in = r.embed
	}
	return lm.Config{Vocab: dropV, Embed: r.embed, GRU: gru.Config{InputSize: in, HiddenSize: 6, Layers: 3, Variant: gru.ResetAfter}}
}

// batches are r's seeded inputs and targets, one batch per step and one more for
// the evaluation at the end.
func (r dropoutRun) batches() [][2][]int32 {
	rng := gru.NewRand(11)
	batches := make([][2][]int32, r.steps+1)
	for i := range batches {
		for j := range 2 {
			batches[i][j] = make([]int32, dropT*dropB)
			for k := range batches[i][j] {
				batches[i][j][k] = int32(rng.IntN(dropV))
			}
		}
	}
	return batches
}

// run trains r on backends from open and returns the losses, the parameters after
// the run, and the evaluation loss (Trainer.Loss) of a fixed batch at the end.
func (r dropoutRun) run(t *testing.T, open func(gru.DType) (gru.Backend, error)) (losses, params []float64, eval float64) {
	t.Helper()
	mc, batches := r.config(), r.batches()
	var saved []float64 // parameters at the resume point
	phase := func(first, last int) {
		be, err := open(r.dtype)
		if err != nil {
			t.Fatal(err)
		}
		defer be.Close()
		m, err := lm.New(be, mc, gru.NewRand(3))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if saved != nil {
			if err := writeAll(be, m.Params(), saved); err != nil {
				t.Fatal(err)
			}
		}
		opt := &optim.SGD{LR: 0.5}
		opt.Restore(first)
		tr, err := lm.NewTrainer(m, opt, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		tr.Graphs = r.graphs
		if r.layers > 0 || r.input > 0 || r.set {
			if err := tr.SetDropout(r.layers, r.input, dropSeed); err != nil {
				t.Fatal(err)
			}
		}
		for i := first; i < last; i++ {
			m.ResetState()
			l, err := tr.Step(batches[i][0], batches[i][1], dropT, dropB)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
		}
		if saved, err = readAll(be, m.Params()); err != nil {
			t.Fatal(err)
		}
		if last == r.steps {
			m.ResetState()
			if eval, err = tr.Loss(batches[r.steps][0], batches[r.steps][1], dropT, dropB); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r.resumed > 0 {
		phase(0, r.resumed)
		phase(r.resumed, r.steps)
	} else {
		phase(0, r.steps)
	}
	return losses, saved, eval
}

func readAll(be gru.Backend, ts []gru.Tensor) ([]float64, error) {
	var all []float64
	for _, tn := range ts {
		v := make([]float64, gru.Len(tn.Shape()))
		if err := be.Read(v, tn); err != nil {
			return nil, err
		}
		all = append(all, v...)
	}
	return all, nil
}

func writeAll(be gru.Backend, ts []gru.Tensor, all []float64) error {
	for _, tn := range ts {
		n := gru.Len(tn.Shape())
		if err := be.Write(tn, all[:n]); err != nil {
			return err
		}
		all = all[n:]
	}
	return nil
}

// bitsEqual reports whether a and b are equal bit for bit.
func bitsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TrainerDropout checks Trainer.SetDropout on backends from open: probabilities 0
// train bit for bit as without dropout; dropout between layers and on the input
// changes the training losses but never the evaluation loss of the same
// parameters; a run resumed from its parameters and step count is bit for bit the
// run in one go; steps run one by one and recorded and replayed (where the
// backend records) agree bit for bit; and probabilities outside [0, 1) are refused.
func TrainerDropout(t *testing.T, open func(gru.DType) (gru.Backend, error)) {
	for _, dt := range []gru.DType{gru.Float64, gru.Float32} {
		for _, embed := range []int{0, 4} {
			t.Run(fmt.Sprintf("%v/embed=%d", dt, embed), func(t *testing.T) {
				base := dropoutRun{dtype: dt, embed: embed, steps: 6}
				plain, plainParams, _ := base.run(t, open)
				zero := base
				zero.set = true
				if l, p, _ := zero.run(t, open); !bitsEqual(l, plain) || !bitsEqual(p, plainParams) {
					t.Errorf("SetDropout(0, 0): losses %v, without dropout %v", l, plain)
				}
				drop := base
				drop.layers, drop.input = 0.3, 0.2
				losses, params, eval := drop.run(t, open)
				if bitsEqual(losses[1:], plain[1:]) {
					t.Errorf("dropout changed no loss: %v", losses)
				}
				// The evaluation loss of the dropout run's parameters, computed
				// by a trainer without dropout, is the one the run reported.
				if want := evalOf(t, open, drop, params); math.Float64bits(eval) != math.Float64bits(want) {
					t.Errorf("evaluation with dropout set: %v, without: %v", eval, want)
				}
				resumed := drop
				resumed.resumed = 4
				if l, p, _ := resumed.run(t, open); !bitsEqual(l, losses) || !bitsEqual(p, params) {
					t.Errorf("resumed at step 4: losses %v, in one go %v", l, losses)
				}
				graphs := drop
				graphs.graphs = true
				if l, p, _ := graphs.run(t, open); !bitsEqual(l, losses) || !bitsEqual(p, params) {
					t.Errorf("recorded steps: losses %v, one by one %v", l, losses)
				}
			})
		}
	}
	t.Run("Errors", func(t *testing.T) {
		be, err := open(gru.Float64)
		if err != nil {
			t.Fatal(err)
		}
		defer be.Close()
		m, err := lm.New(be, lm.Config{Vocab: 3, GRU: gru.Config{InputSize: 3, HiddenSize: 2, Layers: 2}}, gru.NewRand(1))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		tr, err := lm.NewTrainer(m, &optim.SGD{LR: 1}, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		for _, p := range [][2]float64{{1, 0}, {-0.1, 0}, {0, 1}, {0, math.NaN()}, {math.Inf(1), 0}} {
			if err := tr.SetDropout(p[0], p[1], 1); err == nil {
				t.Errorf("SetDropout(%v, %v): no error", p[0], p[1])
			} else {
				t.Logf("SetDropout(%v, %v): %v", p[0], p[1], err)
			}
		}
	})
}

// evalOf is the evaluation loss, by a trainer without dropout, of r's final
// batch under params.
func evalOf(t *testing.T, open func(gru.DType) (gru.Backend, error), r dropoutRun, params []float64) float64 {
	t.Helper()
	be, err := open(r.dtype)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	m, err := lm.New(be, r.config(), gru.NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := writeAll(be, m.Params(), params); err != nil {
		t.Fatal(err)
	}
	tr, err := lm.NewTrainer(m, &optim.SGD{LR: 0.5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	last := r.batches()[r.steps]
	m.ResetState()
	l, err := tr.Loss(last[0], last[1], dropT, dropB)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
