package gru

import (
	"math"
	"testing"
)

func TestInitParamsSeededAndShaped(t *testing.T) {
	cfg := Config{InputSize: 5, HiddenSize: 8, Layers: 2, Bidirectional: true}
	for _, init := range []Init{InitPyTorch, InitD2L, InitXavierOrthogonal} {
		a, err := InitParams(cfg, init, NewRand(9))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := InitParams(cfg, init, NewRand(9))
		c, _ := InitParams(cfg, init, NewRand(10))
		if err := a.Check(cfg); err != nil {
			t.Fatalf("%v: %v", init, err)
		}
		same, differ := true, false
		for i, s := range a.Flat() {
			for j := range s {
				same = same && s[j] == b.Flat()[i][j]
				differ = differ || s[j] != c.Flat()[i][j]
			}
		}
		if !same || !differ {
			t.Errorf("%v: same seed same values %v, other seed differs %v", init, same, differ)
		}
	}
}

func TestInitDistributions(t *testing.T) {
	const H = 64
	cfg := Config{InputSize: 32, HiddenSize: H, Layers: 1}
	pt, _ := InitParams(cfg, InitPyTorch, NewRand(1))
	k := 1 / math.Sqrt(H)
	for _, s := range pt.Flat() {
		for _, v := range s {
			if math.Abs(v) > k {
				t.Fatalf("pytorch init %v outside ±%v", v, k)
			}
		}
	}
	d2l, _ := InitParams(cfg, InitD2L, NewRand(1))
	var sum, sq float64
	for _, v := range d2l.Cells[0].Wh {
		sum += v
		sq += v * v
	}
	n := float64(len(d2l.Cells[0].Wh))
	if sd := math.Sqrt(sq/n - (sum/n)*(sum/n)); math.Abs(sd-0.01) > 0.001 {
		t.Errorf("d2l init: standard deviation %v, want 0.01", sd)
	}
	for _, v := range d2l.Cells[0].Bx {
		if v != 0 {
			t.Fatal("d2l init: nonzero bias")
		}
	}
	xo, _ := InitParams(cfg, InitXavierOrthogonal, NewRand(1))
	wh := xo.Cells[0].Wh
	for g := range 3 {
		for i := range H {
			for j := range H {
				var dot float64
				for r := range H {
					dot += wh[r*3*H+g*H+i] * wh[r*3*H+g*H+j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(dot-want) > 1e-12 {
					t.Fatalf("gate %d of W_h is not orthogonal: column %d·%d = %v", g, i, j, dot)
				}
			}
		}
	}
}

func TestConfigValidateAndShapeError(t *testing.T) {
	if err := (Config{InputSize: 1, HiddenSize: 1, Layers: 1}).Validate(); err != nil {
		t.Fatal(err)
	}
	err := &ShapeError{Arg: "x", Want: []int{-1, -1, 3}, Got: []int{2, 2}}
	if err.Error() != "gru: x: want shape [* * 3], got [2 2]" {
		t.Fatalf("ShapeError message: %v", err)
	}
}
