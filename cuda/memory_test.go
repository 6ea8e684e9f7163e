package cuda

import (
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// TestCloseFreesEverything runs a model's training steps and a stack's forward and
// backward on the simulator, then checks that Close leaves no device allocation.
func TestCloseFreesEverything(t *testing.T) {
	be, err := New(Simulated())
	if err != nil {
		t.Fatal(err)
	}
	dev := be.dev
	mc := lm.Config{Vocab: 6, Embed: 3, GRU: gru.Config{InputSize: 3, HiddenSize: 5, Layers: 2}}
	m, err := lm.New(be, mc, gru.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewAdam(be, m.Params(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int32{1, 2, 3, 4, 5, 0, 1, 2}
	for range 2 {
		m.ZeroGrads()
		if _, err := m.Step(ids[:6], ids[2:], 3, 2); err != nil {
			t.Fatal(err)
		}
		if err := be.ClipGradNorm(m.Grads(), 1, nil); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(be, m.Params(), m.Grads()); err != nil {
			t.Fatal(err)
		}
	}
	p := grutest.NewProblem(gru.NewRand(2), gru.Config{InputSize: 4, HiddenSize: 3, Layers: 1, Bidirectional: true, Layout: gru.BatchFirst}, 3, 2, true, true, true)
	if _, err := grutest.Solve(be, p); err != nil {
		t.Fatal(err)
	}
	cfg := gru.Config{InputSize: 2, HiddenSize: 3, Layers: 1}
	params, _ := gru.InitParams(cfg, gru.InitPyTorch, gru.NewRand(3))
	if _, err := be.NewStack(cfg, params); err != nil { // left open: Close must free it
		t.Fatal(err)
	}
	if dev.Live() == 0 {
		t.Fatal("no live allocations before Close: the test measures nothing")
	}
	m.Close() // frees the model's tensors; the optimiser's moments are left to Close
	// Close returns an error when any allocation is left before it releases the device.
	if err := be.Close(); err != nil {
		t.Fatal(err)
	}
	if n := dev.Live(); n != 0 {
		t.Errorf("%d device allocations left after Close", n)
	}
}
