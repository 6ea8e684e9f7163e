package chart

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/plot"
)

// d2lHistory is a made-up run shaped like D2L's: perplexity from about 27 down to
// about 1.1 over n epochs, validation (when every > 0) every that many epochs, a
// little above training.
func d2lHistory(n, every int) []Epoch {
	rng := rand.New(rand.NewPCG(1, 2))
	h := make([]Epoch, n)
	for i := range h {
		loss := math.Log(1.08+26*math.Exp(-float64(i)/float64(n)*9)) + 0.01*rng.NormFloat64()
		h[i] = Epoch{Epoch: i + 1, Loss: loss, Perplexity: math.Exp(loss)}
		if every > 0 && (i+1)%every == 0 {
			vl := loss + 0.15 + 0.02*rng.NormFloat64()
			vp := math.Exp(vl)
			h[i].ValidLoss, h[i].ValidPerplexity = &vl, &vp
		}
	}
	return h
}

// hasRed reports whether the picture has a pixel of the non-finite mark's red.
func hasRed(t *testing.T, b []byte) bool {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 > 0xa0 && cg>>8 < 0x30 && cb>>8 < 0x30 {
				return true
			}
		}
	}
	return false
}

func TestCurvesD2L(t *testing.T) {
	h := d2lHistory(500, 1)
	b, err := Curves(h, CurveOptions{Notes: []string{"D2L's recipe: reset-before, hidden 256, batch 32, 35 steps, SGD lr 1"}})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "curves-d2l.png", b)
	checkPNG(t, b, 960, 100_000)
	if hasRed(t, b) {
		t.Error("a non-finite mark on a history without one")
	}
}

func TestCurvesShortWithoutValidation(t *testing.T) {
	b, err := Curves([]Epoch{{1, 2.9, 18.2, nil, nil}, {2, 2.5, 12.2, nil, nil}, {3, 2.3, 9.97, nil, nil}}, CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "curves-short.png", b)
	checkPNG(t, b, 960, 100_000)
}

func TestCurvesOneEpoch(t *testing.T) {
	b, err := Curves([]Epoch{{Epoch: 7, Loss: 1.5, Perplexity: math.Exp(1.5)}}, CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, b, 960, 100_000)
}

func TestCurvesNonFiniteAreMarkedNotFatal(t *testing.T) {
	h := d2lHistory(40, 5)
	h[10].Loss, h[10].Perplexity = math.NaN(), math.NaN()
	h[11].Perplexity = math.Inf(1) // exp overflowed while the loss is finite
	inf := math.Inf(1)
	h[19].ValidPerplexity = &inf
	b, err := Curves(h, CurveOptions{Title: "a run that diverged for a while"})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "curves-nonfinite.png", b)
	checkPNG(t, b, 960, 100_000)
	if !hasRed(t, b) {
		t.Error("no mark for the non-finite values")
	}
	// Nothing finite at all still draws.
	all := []Epoch{{Epoch: 1, Loss: math.NaN(), Perplexity: math.NaN()}, {Epoch: 2, Loss: math.Inf(1), Perplexity: math.Inf(1)}}
	b, err = Curves(all, CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, b, 960, 100_000)
}

func TestCurvesEmpty(t *testing.T) {
	if _, err := Curves(nil, CurveOptions{}); err == nil {
		t.Error("no error for an empty history")
	}
}

func TestCurvesLogAxisOnlyPastADecade(t *testing.T) {
	for _, c := range []struct {
		ys  []float64
		log bool
	}{
		{[]float64{27, 9, 3, 1.1}, true},      // 24×: log
		{[]float64{9.5, 5, 2, 1.05}, false},   // 9×: linear
		{[]float64{40, math.NaN(), 5}, false}, // 8× among the finite values
		{[]float64{-1, 30, 0.5}, false},       // not all positive
	} {
		ok := make([]bool, len(c.ys))
		xs := make([]float64, len(c.ys))
		for i := range ok {
			ok[i], xs[i] = true, float64(i+1)
		}
		p := curvePanel("perplexity", []curve{{xs: xs, ys: c.ys, ok: ok, style: trainLine}}, true)
		if got := p.Y.Scale == (plot.LogScale{}); got != c.log {
			t.Errorf("%v: log axis %v, want %v", c.ys, got, c.log)
		}
	}
}
