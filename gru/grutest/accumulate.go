package grutest

import (
	"testing"

	"github.com/gogru/gogru/gru"
)

// testAccumulate checks that parameter gradients add up across Backward calls and
// that ZeroGrads clears them.
func testAccumulate(t *testing.T, be gru.Backend) {
	tol := TolerancesFor(be.DType())
	rng := gru.NewRand(5)
	c := Case{Variant: gru.ResetBefore, Layers: 2, Bidirectional: true, Ragged: true, WithH0: true}
	p := NewProblem(rng, c.config(3, 5), 4, 3, true, true, true)
	once, err := Solve(be, p)
	if err != nil {
		t.Fatal(err)
	}
	st, err := be.NewStack(p.Cfg, p.Params)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	x, _ := upload(be, p.Cfg.SeqShape(p.T, p.B, p.Cfg.InputSize), p.X)
	h0, _ := upload(be, p.Cfg.StateShape(p.B), p.H0)
	dy, _ := upload(be, p.Cfg.SeqShape(p.T, p.B, p.Cfg.OutputSize()), p.DY)
	dhN, _ := upload(be, p.Cfg.StateShape(p.B), p.DHN)
	y, _ := be.NewTensor(p.Cfg.SeqShape(p.T, p.B, p.Cfg.OutputSize())...)
	for range 2 {
		if err := st.Forward(x, h0, p.Lengths, y, nil); err != nil {
			t.Fatal(err)
		}
		if err := st.Backward(dy, dhN, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	twice, err := st.ReadGrads()
	if err != nil {
		t.Fatal(err)
	}
	double := once.Grads.Clone()
	for _, s := range double.Flat() {
		for i := range s {
			s[i] *= 2
		}
	}
	names := gru.TensorNames(p.Cfg)
	for i, g := range twice.Flat() {
		if e := RelErr(g, double.Flat()[i]); !(e <= tol.Grad) {
			t.Errorf("%s after two Backward calls: relative error %.3g from twice one call's", names[i], e)
		}
	}
	if err := st.ZeroGrads(); err != nil {
		t.Fatal(err)
	}
	zeroed, _ := st.ReadGrads()
	for i, g := range zeroed.Flat() {
		for j, v := range g {
			if v != 0 {
				t.Fatalf("%s[%d] = %v after ZeroGrads", names[i], j, v)
			}
		}
	}
}
