package lm_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// The library's entry points answer nil or malformed arguments with an error
// that says what is wrong, and never panic.
func TestNilAndMalformedArgumentsAreErrors(t *testing.T) {
	be := cpu.New32()
	defer be.Close()
	mc := lm.Config{Vocab: 5, GRU: gru.Config{InputSize: 5, HiddenSize: 3, Layers: 1}}
	m, err := lm.New(be, mc, gru.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := checkpoint.Save(path, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := lm.NewTrainer(m, &optim.SGD{LR: 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"lm.New nil backend", func() error { _, err := lm.New(nil, mc, gru.NewRand(1)); return err }, "nil backend"},
		{"lm.New nil source", func() error { _, err := lm.New(be, mc, nil); return err }, "nil random source"},
		{"lm.New bad config", func() error { _, err := lm.New(be, lm.Config{Vocab: 5}, gru.NewRand(1)); return err }, "InputSize"},
		{"lm.NewTrainer nil model", func() error { _, err := lm.NewTrainer(nil, &optim.SGD{LR: 1}, 1); return err }, "nil model"},
		{"lm.NewTrainer nil optimizer", func() error { _, err := lm.NewTrainer(m, nil, 1); return err }, "nil model or optimizer"},
		{"Trainer.Step short targets", func() error { _, err := tr.Step([]int32{1, 2}, []int32{1}, 2, 1); return err }, "target ids"},
		{"Trainer.Step ids out of range", func() error { _, err := tr.Step([]int32{1, 9}, []int32{1, 2}, 2, 1); return err }, "outside"},
		{"Trainer.Step negative steps", func() error { _, err := tr.Step(nil, nil, -1, 1); return err }, "T=-1"},
		{"Model.Next negative id", func() error { _, err := m.Next(-1); return err }, "outside"},
		{"optim.NewAdam nil backend", func() error { _, err := optim.NewAdam(nil, m.Params(), 0.1); return err }, "nil backend"},
		{"optim.NewAdam nil parameter", func() error { _, err := optim.NewAdam(be, []gru.Tensor{nil}, 0.1); return err }, "parameter 0 is nil"},
		{"checkpoint.Save nil model", func() error { return checkpoint.Save(path+".x", nil, nil, nil) }, "nil model"},
		{"Checkpoint.Restore nil model", func() error { return ck.Restore(nil, nil) }, "nil model"},
		{"checkpoint.Load empty path", func() error { _, err := checkpoint.Load(""); return err }, "no such file"},
		{"NewStack nil params", func() error { _, err := be.NewStack(mc.GRU, nil); return err }, "nil"},
		{"NewStack short params", func() error { _, err := be.NewStack(mc.GRU, &gru.Params{Config: mc.GRU}); return err }, "params.Cells"},
		{"gru.InitParams nil source", func() error { _, err := gru.InitParams(mc.GRU, gru.InitPyTorch, nil); return err }, "nil random source"},
		{"corpus.Epoch nil source", func() error { _, err := corpus.Epoch(make([]int32, 100), 2, 3, corpus.Random, nil); return err }, "nil random source"},
		{"Vocab.Decode bad id", func() error { _, err := corpus.BuildVocab("ab").Decode([]int32{99}); return err }, "outside"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	var p *gru.Params
	if p.Clone() != nil || p.Flat() != nil {
		t.Error("nil Params: Clone or Flat returned something")
	}
}
