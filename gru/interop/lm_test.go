package interop_test

import (
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/interop"
	"github.com/gogru/gogru/gru/lm"
)

// lmCase is one language model shape the export tests cover.
type lmCase struct {
	name    string
	variant gru.Variant
	layers  int
	embed   int
	bidir   bool
}

// lmCases are both cells, one and two layers, one-hot and embedding input, and a
// bidirectional stack (which the library allows and gru train refuses).
func lmCases() []lmCase {
	var cs []lmCase
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		for _, l := range []int{1, 2} {
			for _, e := range []int{0, 5} {
				name := v.String() + map[int]string{1: "/1-layer", 2: "/2-layer"}[l] + map[bool]string{true: "/embedding", false: "/one-hot"}[e > 0]
				cs = append(cs, lmCase{name, v, l, e, false})
			}
		}
	}
	return append(cs, lmCase{"reset-after/2-layer/embedding/bidirectional", gru.ResetAfter, 2, 5, true})
}

// newLM builds a float32 lm.Model on the CPU with seeded random parameters and
// returns it with its parameters read back to the host.
func newLM(t *testing.T, c lmCase, seed uint64) (*lm.Model, *interop.LM) {
	t.Helper()
	const V, H = 11, 6
	mc := lm.Config{Vocab: V, Embed: c.embed, Init: gru.InitPyTorch,
		GRU: gru.Config{HiddenSize: H, Layers: c.layers, Variant: c.variant, Bidirectional: c.bidir}}
	mc.GRU.InputSize = mc.InputWidth()
	be := cpu.New32()
	t.Cleanup(func() { be.Close() })
	m, err := lm.New(be, mc, gru.NewRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	out := &interop.LM{Config: mc, Tensors: map[string][]float64{}}
	names := m.ParamNames()
	for i, p := range m.Params() {
		v := make([]float64, gru.Len(p.Shape()))
		if err := be.Read(v, p); err != nil {
			t.Fatal(err)
		}
		out.Tensors[names[i]] = v
	}
	for i := range V {
		out.Vocab = append(out.Vocab, string(rune('a'+i)))
	}
	return m, out
}

// hostLogits is the language model's forward pass on the host in float64, from the
// equations alone: input rows, grutest.Reference for the stack, then Y·W_out + b.
// tokens are time-major [T, B]; h0 is [cells, B, H] or nil.
func hostLogits(m *interop.LM, tokens []int, h0 []float64, T, B int) (logits, hn []float64) {
	mc := m.Config
	D := mc.InputWidth()
	x := make([]float64, T*B*D)
	for i, id := range tokens {
		if mc.Embed > 0 {
			copy(x[i*D:(i+1)*D], m.Tensors["embedding"][id*D:(id+1)*D])
		} else {
			x[i*D+id] = 1
		}
	}
	p, _ := gru.NewParams(mc.GRU)
	for i, name := range gru.TensorNames(mc.GRU) {
		copy(p.Flat()[i], m.Tensors["gru."+name])
	}
	y, hn := grutest.Reference(mc.GRU, p, x, h0, nil, T, B)
	O, V := mc.GRU.OutputSize(), mc.Vocab
	w, b := m.Tensors["out.weight"], m.Tensors["out.bias"]
	logits = make([]float64, T*B*V)
	for r := range T * B {
		for v := range V {
			s := b[v]
			for k := range O {
				s += y[r*O+k] * w[k*V+v]
			}
			logits[r*V+v] = s
		}
	}
	return logits, hn
}

// randomTokens returns T×B seeded token ids below V, time-major.
func randomTokens(seed uint64, T, B, V int) []int {
	rng := gru.NewRand(seed)
	ids := make([]int, T*B)
	for i := range ids {
		ids[i] = rng.IntN(V)
	}
	return ids
}

// TestHostLogitsAreTheModels ties hostLogits, the oracle of the export tests, to
// lm.Model's own forward pass, sequence by sequence.
func TestHostLogitsAreTheModels(t *testing.T) {
	for _, c := range lmCases() {
		if c.bidir {
			continue // a reverse direction fed one token at a time sees no future: Next is not the sequence's forward pass
		}
		t.Run(c.name, func(t *testing.T) {
			model, m := newLM(t, c, 3)
			T, B, V := 4, 2, m.Config.Vocab
			tokens := randomTokens(4, T, B, V)
			want, _ := hostLogits(m, tokens, nil, T, B)
			for b := range B {
				model.ResetState()
				for s := range T {
					got, err := model.Next(int32(tokens[s*B+b]))
					if err != nil {
						t.Fatal(err)
					}
					r := s*B + b
					if e := grutest.RelErr(got, want[r*V:(r+1)*V]); e > 1e-5 {
						t.Fatalf("sequence %d step %d: model and host logits differ by %.3g", b, s, e)
					}
				}
			}
		})
	}
}
