package lm_test

import (
	"math"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
)

// The estimate counts a model's parameters exactly, and stays positive and
// finite, without looping over layers, for every size up to the largest int.
func TestEstimateMemoryHasNoOverflow(t *testing.T) {
	be := cpu.New32()
	defer be.Close()
	mc := lm.Config{Vocab: 28, Embed: 5, Init: gru.InitPyTorch, GRU: gru.Config{InputSize: 5, HiddenSize: 6, Layers: 3}}
	m, err := lm.New(be, mc, gru.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	n := 0
	for _, p := range m.Params() {
		n += gru.Len(p.Shape())
	}
	if got := mc.EstimateMemory(4, 0, 0, 0).Params; got != float64(n) {
		t.Errorf("EstimateMemory counts %v parameters, the model has %d", got, n)
	}
	for _, c := range []struct{ vocab, embed, hidden, layers, steps, batch int }{
		{28, 0, math.MaxInt, 1, 35, 32},
		{28, 0, 256, math.MaxInt, 35, 32},
		{28, math.MaxInt, 256, 1, 35, 32},
		{28, 0, 256, 1, math.MaxInt, math.MaxInt},
		{math.MaxInt, 0, math.MaxInt, math.MaxInt, math.MaxInt, math.MaxInt},
	} {
		mc := lm.Config{Vocab: c.vocab, Embed: c.embed, GRU: gru.Config{HiddenSize: c.hidden, Layers: c.layers}}
		mc.GRU.InputSize = mc.InputWidth()
		est := mc.EstimateMemory(8, 2, c.steps, c.batch)
		if !(est.Backend > 1e18) || math.IsInf(est.Backend, 0) || !(est.Params > 0 && est.Host > 0) || math.IsInf(est.Params, 0) {
			t.Errorf("%+v: estimate %+v is not a large, positive, finite figure", c, est)
		}
		if err := lm.CheckMemory(be, est, "it"); err == nil {
			t.Errorf("%+v: CheckMemory accepted %+v", c, est)
		}
	}
}
