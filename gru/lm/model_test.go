package lm_test

import (
	"math"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// TestModelGradients checks the model's gradients (embedding, GRU, output layer,
// cross-entropy) against central finite differences of its loss, in float64.
func TestModelGradients(t *testing.T) {
	for _, embed := range []int{0, 3} {
		be := cpu.New64()
		defer be.Close()
		const V, T, B = 5, 4, 2
		in := V
		if embed > 0 {
			in = embed
		}
		mc := lm.Config{Vocab: V, Embed: embed, GRU: gru.Config{InputSize: in, HiddenSize: 3, Layers: 2, Variant: gru.ResetAfter}}
		rng := gru.NewRand(11)
		m, err := lm.New(be, mc, rng)
		if err != nil {
			t.Fatal(err)
		}
		inputs, targets := make([]int32, T*B), make([]int32, T*B)
		for i := range inputs {
			inputs[i], targets[i] = int32(rng.IntN(V)), int32(rng.IntN(V))
		}
		if err := m.ZeroGrads(); err != nil {
			t.Fatal(err)
		}
		m.ResetState()
		if _, err := m.Step(inputs, targets, T, B); err != nil {
			t.Fatal(err)
		}
		names := m.ParamNames()
		for k, p := range m.Params() {
			pv := make([]float64, gru.Len(p.Shape()))
			gv := make([]float64, len(pv))
			be.Read(pv, p)
			be.Read(gv, m.Grads()[k])
			for i := range pv {
				loss := func(v float64) float64 {
					orig := pv[i]
					pv[i] = v
					be.Write(p, pv)
					pv[i] = orig
					m.ResetState()
					l, err := m.Loss(inputs, targets, T, B)
					if err != nil {
						t.Fatal(err)
					}
					return l
				}
				const eps = 1e-5
				num := (loss(pv[i]+eps) - loss(pv[i]-eps)) / (2 * eps)
				be.Write(p, pv)
				if math.Abs(num-gv[i]) > 1e-8*math.Max(1, math.Abs(num)) {
					t.Errorf("embed=%d: d loss/d %s[%d]: analytic %.10g, numeric %.10g", embed, names[k], i, gv[i], num)
				}
			}
		}
		m.Close()
	}
}

// TestModelLearns trains on a periodic sequence and checks the loss falls well below
// the uniform guess, with SGD and with Adam.
func TestModelLearns(t *testing.T) {
	for _, opt := range []string{"sgd", "adam"} {
		be := cpu.New32()
		const V, T, B = 6, 12, 4
		mc := lm.Config{Vocab: V, GRU: gru.Config{InputSize: V, HiddenSize: 16, Layers: 1}}
		m, err := lm.New(be, mc, gru.NewRand(3))
		if err != nil {
			t.Fatal(err)
		}
		var o optim.Optimizer = &optim.SGD{LR: 1}
		if opt == "adam" {
			if o, err = optim.NewAdam(be, m.Params(), 0.02); err != nil {
				t.Fatal(err)
			}
		}
		seq := func(i int) int32 { return int32((i*i + i/3) % V) }
		inputs, targets := make([]int32, T*B), make([]int32, T*B)
		var first, last float64
		for it := range 150 {
			for s := range T {
				for b := range B {
					k := it*T + b*1000 + s
					inputs[s*B+b], targets[s*B+b] = seq(k), seq(k+1)
				}
			}
			m.ZeroGrads()
			m.ResetState()
			loss, err := m.Step(inputs, targets, T, B)
			if err != nil {
				t.Fatal(err)
			}
			if err := be.ClipGradNorm(m.Grads(), 1, nil); err != nil {
				t.Fatal(err)
			}
			if err := o.Step(be, m.Params(), m.Grads()); err != nil {
				t.Fatal(err)
			}
			if it == 0 {
				first = loss
			}
			last = loss
		}
		t.Logf("%s: %.3f -> %.3f", opt, first, last)
		if !(last < 0.5*first) || !(last < 0.5*math.Log(V)) {
			t.Errorf("%s: loss went from %.3f to %.3f (uniform guess %.3f)", opt, first, last, math.Log(V))
		}
		m.Close()
		be.Close()
	}
}
