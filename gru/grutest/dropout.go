package grutest

import (
	"math"
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// testDropout checks Ops.Dropout against its formula computed on the host (the
// masks bit for bit), its keep rate and scale statistically, its argument checks,
// and the dropout a stack applies between layers: the same as running the layers
// as one-layer stacks with Ops.Dropout between them, the same as the float64
// oracle's, nothing at p = 0, and (float64) gradients that match finite
// differences under a fixed mask.
func testDropout(t *testing.T, be gru.Backend) {
	o := &opTest{T: t, be: be, rng: gru.NewRand(8), tol: TolerancesFor(be.DType()).Grad}
	t.Run("Mask", func(t *testing.T) { o.T = t; testDropoutMask(o) })
	t.Run("Statistics", func(t *testing.T) { o.T = t; testDropoutStatistics(o) })
	t.Run("Errors", func(t *testing.T) { o.T = t; testDropoutErrors(o) })
	t.Run("Stack", func(t *testing.T) { testDropoutStack(t, be) })
	t.Run("GradCheck", func(t *testing.T) {
		if be.DType() != gru.Float64 {
			t.Skipf("finite differences need float64; %s is checked against the float64 oracle by the Stack subtest", be.Name())
		}
		rng := gru.NewRand(9)
		for _, c := range dropoutCases() {
			p := NewProblem(rng, c.config(3, 4), 4, 3, c.Ragged, c.WithH0, true)
			p.Dropout = Dropout{P: 0.4, Seed: 77, Step: 5}
			checkGradients(t, be, c.String()+" dropout 0.4", p)
		}
	})
}

// dropoutCases are the configurations with more than one layer, where a stack drops.
func dropoutCases() []Case {
	var cs []Case
	for _, c := range Cases() {
		if c.Layers > 1 {
			cs = append(cs, c)
		}
	}
	return cs
}

// wantDropout is Ops.Dropout of src computed on the host in the backend's type.
func wantDropout(dt gru.DType, src []float64, p float64, seed uint64, stream, step uint32) []float64 {
	key, theta := backendkit.DropoutKey(seed), backendkit.DropoutThreshold(p)
	want := make([]float64, len(src))
	for i, v := range src {
		if backendkit.DropoutDraw(key, stream, step, i) < theta {
			continue
		}
		if dt == gru.Float32 {
			want[i] = float64(float32(v) * float32(1/(1-p)))
		} else {
			want[i] = v * (1 / (1 - p))
		}
	}
	return want
}

// testDropoutMask checks the masks bit for bit against the host's Philox, for
// lengths around the 4-element blocks, streams and steps up to 2³¹−1, in place,
// and p = 0 as a copy.
func testDropoutMask(o *opTest) {
	for _, tc := range []struct {
		n      int
		p      float64
		seed   uint64
		stream int
		step   int32
	}{
		{1, 0.5, 0, 0, 0}, {7, 0.1, 1, 1, 1}, {1000, 0.3, 0xDEADBEEFCAFEF00D, 2, 12345},
		{4097, 0.9, 42, math.MaxUint32, math.MaxInt32 - 1}, {33, 1 - 1e-12, 3, 0, 7},
	} {
		src := o.randn(tc.n, 1)
		x, y := o.put(src, tc.n), o.put(make([]float64, tc.n), tc.n)
		step := o.ids(math.MaxInt32, tc.step)
		o.must(o.be.Fill(y, math.NaN()))
		o.must(o.be.Dropout(y, x, tc.p, tc.seed, tc.stream, step))
		want := wantDropout(o.be.DType(), o.get(x), tc.p, tc.seed, uint32(tc.stream), uint32(tc.step))
		got := o.get(y)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				o.Fatalf("%+v: element %d: got %v, want %v", tc, i, got[i], want[i])
			}
		}
		o.must(o.be.Dropout(x, x, tc.p, tc.seed, tc.stream, step)) // in place
		if got := o.get(x); RelErr(got, want) != 0 {
			o.Errorf("%+v: in place differs from out of place", tc)
		}
		o.must(o.be.Fill(y, math.NaN()))
		o.must(o.be.Dropout(y, x, 0, tc.seed, tc.stream, nil))
		if got, in := o.get(y), o.get(x); RelErr(got, in) != 0 {
			o.Errorf("%+v: p = 0 is not a copy", tc)
		}
		o.be.Free(x)
		o.be.Free(y)
		o.be.FreeIDs(step)
	}
}

// testDropoutStatistics checks, over 2¹⁷ ones, that the kept fraction is 1 − p
// within 6 standard deviations, that every kept value is 1/(1−p) and every other
// 0, so that the mean is 1 within the same bound; that another step, stream or
// seed draws a mask that agrees with it only as independent masks would; and
// that each of the four words of a block keeps at the same rate.
func testDropoutStatistics(o *opTest) {
	const n = 1 << 17
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	x := o.put(ones, n)
	defer o.be.Free(x)
	masks := map[string][]bool{}
	for _, p := range []float64{0.1, 0.5, 0.8} {
		scale := 1 / (1 - p)
		if o.be.DType() == gru.Float32 {
			scale = float64(float32(scale))
		}
		bound := 6 * math.Sqrt(p*(1-p)/n)
		for _, v := range []struct {
			name   string
			seed   uint64
			stream int
			step   int32
		}{{"base", 5, 1, 3}, {"step", 5, 1, 4}, {"stream", 5, 2, 3}, {"seed", 6, 1, 3}} {
			y := o.put(make([]float64, n), n)
			step := o.ids(math.MaxInt32, v.step)
			o.must(o.be.Dropout(y, x, p, v.seed, v.stream, step))
			got := o.get(y)
			o.be.Free(y)
			o.be.FreeIDs(step)
			kept, mean := 0, 0.0
			var words [4]int
			mask := make([]bool, n)
			for i, g := range got {
				switch g {
				case 0:
				case scale:
					kept++
					words[i&3]++
					mask[i] = true
				default:
					o.Fatalf("p=%v %s: element %d is %v, want 0 or %v", p, v.name, i, g, scale)
				}
				mean += g
			}
			if f := float64(kept) / n; math.Abs(f-(1-p)) > bound {
				o.Errorf("p=%v %s: kept %.5f, want %.5f ± %.5f", p, v.name, f, 1-p, bound)
			}
			if m := mean / n; math.Abs(m-1) > bound*scale {
				o.Errorf("p=%v %s: mean %.5f, want 1 ± %.5f", p, v.name, m, bound*scale)
			}
			for w, k := range words {
				if f := float64(k) / (n / 4); math.Abs(f-(1-p)) > 2*bound {
					o.Errorf("p=%v %s: word %d kept %.5f, want %.5f ± %.5f", p, v.name, w, f, 1-p, 2*bound)
				}
			}
			masks[v.name] = mask
		}
		// Two independent masks agree on a fraction p² + (1−p)².
		agree := p*p + (1-p)*(1-p)
		abound := 6 * math.Sqrt(agree*(1-agree)/n)
		for _, other := range []string{"step", "stream", "seed"} {
			same := 0
			for i, k := range masks["base"] {
				if k == masks[other][i] {
					same++
				}
			}
			if f := float64(same) / n; math.Abs(f-agree) > abound {
				o.Errorf("p=%v: the masks of another %s agree on %.5f, want %.5f ± %.5f (independent)", p, other, f, agree, abound)
			}
		}
	}
}

// testDropoutErrors checks that probabilities outside [0, 1), a missing or
// mis-sized step and a mismatched length are refused, by the op and by
// Stack.SetDropout.
func testDropoutErrors(o *opTest) {
	x, y, short := o.put(o.randn(8, 1), 8), o.put(make([]float64, 8), 8), o.put(make([]float64, 7), 7)
	step, two := o.ids(math.MaxInt32, 1), o.ids(math.MaxInt32, 1, 2)
	for _, p := range []float64{-0.1, 1, 1.5, math.NaN(), math.Inf(1)} {
		if err := o.be.Dropout(y, x, p, 1, 0, step); err == nil {
			o.Errorf("Dropout with p = %v: no error", p)
		}
	}
	if err := o.be.Dropout(y, x, 0.5, 1, 0, nil); err == nil {
		o.Error("Dropout without a step: no error")
	}
	if err := o.be.Dropout(y, x, 0.5, 1, 0, two); err == nil {
		o.Error("Dropout with two step ids: no error")
	}
	if err := o.be.Dropout(y, x, 0.5, 1, -1, step); err == nil {
		o.Error("Dropout with stream -1: no error")
	}
	o.wantShapeError("Dropout into a shorter tensor", o.be.Dropout(short, x, 0.5, 1, 0, step), "Dropout: src")

	cfg := gru.Config{InputSize: 2, HiddenSize: 3, Layers: 2}
	params, err := gru.NewParams(cfg)
	o.must(err)
	st, err := o.be.NewStack(cfg, params)
	o.must(err)
	defer st.Close()
	for _, p := range []float64{-0.5, 1, math.NaN()} {
		if err := st.SetDropout(gru.Dropout{P: p, Step: step}); err == nil {
			o.Errorf("SetDropout with P = %v: no error", p)
		}
	}
	if err := st.SetDropout(gru.Dropout{P: 0.5}); err == nil {
		o.Error("SetDropout without a step: no error")
	}
	o.must(st.SetDropout(gru.Dropout{}))
}

// testDropoutStack checks a stack's dropout between layers against the same
// layers run as one-layer stacks with Ops.Dropout (streams 1, 2, …) between
// them, forward and backward, and against the float64 oracle; and that P = 0
// gives, bit for bit, the stack without dropout.
func testDropoutStack(t *testing.T, be gru.Backend) {
	tol := TolerancesFor(be.DType())
	rng := gru.NewRand(10)
	for _, c := range dropoutCases() {
		for _, layers := range []int{c.Layers, 3} {
			cfg := c.config(5, 6)
			cfg.Layers = layers
			p := NewProblem(rng, cfg, 5, 3, c.Ragged, c.WithH0, true)
			plain, err := Solve(be, p)
			if err != nil {
				t.Fatalf("%v: %v", c, err)
			}
			p.Dropout = Dropout{P: 0, Seed: 9, Step: 2}
			if zero, err := Solve(be, p); err != nil || !sameResult(zero, plain) {
				t.Errorf("%v L=%d: P = 0 differs from no dropout (err %v)", c, layers, err)
			}
			p.Dropout.P = 0.35
			got, err := Solve(be, p)
			if err != nil {
				t.Fatalf("%v L=%d: %v", c, layers, err)
			}
			what := c.String() + " dropout"
			if sameResult(got, plain) {
				t.Errorf("%s L=%d: dropout changed nothing", what, layers)
			}
			compare(t, what+" vs oracle", got, oracleSolve(t, p), tol.Forward, tol.Grad)
			if cfg.Layout == gru.TimeMajor {
				compare(t, what+" vs layer by layer", got, layerByLayer(t, be, p), tol.Forward, tol.Grad)
			}
		}
	}
}

// sameResult reports whether two results are equal bit for bit.
func sameResult(a, b *Result) bool {
	eq := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	if !eq(a.Y, b.Y) || !eq(a.HN, b.HN) || !eq(a.DX, b.DX) || !eq(a.DH0, b.DH0) {
		return false
	}
	ga, gb := a.Grads.Flat(), b.Grads.Flat()
	for i := range ga {
		if !eq(ga[i], gb[i]) {
			return false
		}
	}
	return true
}

// layerByLayer runs p (time-major) as one one-layer stack per layer with
// Ops.Dropout on the output of each but the last, stream l+1, and the same mask
// on the gradient in backward.
func layerByLayer(t *testing.T, be gru.Backend, p *Problem) *Result {
	t.Helper()
	cfg, dirs := p.Cfg, p.Cfg.Directions()
	if cfg.Layout != gru.TimeMajor {
		t.Fatalf("layerByLayer: %v, want time-major", cfg.Layout)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var free []gru.Tensor
	defer func() {
		for _, tn := range free {
			be.Free(tn)
		}
	}()
	tensor := func(v []float64, shape ...int) gru.Tensor {
		t.Helper()
		tn, err := be.NewTensor(shape...)
		must(err)
		free = append(free, tn)
		if v != nil {
			must(be.Write(tn, v))
		}
		return tn
	}
	step, err := be.NewIDs(1, math.MaxInt32)
	must(err)
	defer be.FreeIDs(step)
	must(be.WriteIDs(step, []int32{p.Dropout.Step}))
	n := p.B * cfg.HiddenSize * dirs // one layer's states
	rows := func(v []float64, l int) []float64 {
		if v == nil {
			return nil
		}
		return v[l*n : (l+1)*n]
	}
	stacks := make([]gru.Stack, cfg.Layers)
	outs := make([]gru.Tensor, cfg.Layers+1) // outs[0] = x, outs[l+1] = layer l's (dropped) output
	outs[0] = tensor(p.X, p.T, p.B, cfg.InputSize)
	res := &Result{Grads: &gru.Params{Config: cfg}}
	hNs := make([]gru.Tensor, cfg.Layers)
	for l := range cfg.Layers {
		lc := cfg
		lc.InputSize, lc.Layers = cfg.LayerInputSize(l), 1
		lp := &gru.Params{Config: lc, Cells: p.Params.Cells[l*dirs : (l+1)*dirs]}
		st, err := be.NewStack(lc, lp)
		must(err)
		defer st.Close()
		stacks[l] = st
		var h0 gru.Tensor
		if p.H0 != nil {
			h0 = tensor(rows(p.H0, l), lc.StateShape(p.B)...)
		}
		outs[l+1] = tensor(nil, p.T, p.B, cfg.OutputSize())
		hNs[l] = tensor(nil, lc.StateShape(p.B)...)
		must(st.ZeroGrads())
		must(st.Forward(outs[l], h0, p.Lengths, outs[l+1], hNs[l]))
		if l < cfg.Layers-1 {
			must(be.Dropout(outs[l+1], outs[l+1], p.Dropout.P, p.Dropout.Seed, l+1, step))
		}
		hn, err := download(be, hNs[l])
		must(err)
		res.HN = append(res.HN, hn...)
	}
	res.Y, err = download(be, outs[cfg.Layers])
	must(err)
	dY := tensor(p.DY, p.T, p.B, cfg.OutputSize())
	dh0s := make([][]float64, cfg.Layers)
	for l := cfg.Layers - 1; l >= 0; l-- {
		lc := stacks[l].Config()
		var dhN gru.Tensor
		if p.DHN != nil {
			dhN = tensor(rows(p.DHN, l), lc.StateShape(p.B)...)
		}
		dX := tensor(nil, p.T, p.B, lc.InputSize)
		dh0 := tensor(nil, lc.StateShape(p.B)...)
		must(stacks[l].Backward(dY, dhN, dX, dh0))
		if l > 0 {
			must(be.Dropout(dX, dX, p.Dropout.P, p.Dropout.Seed, l, step))
		}
		dh0s[l], err = download(be, dh0)
		must(err)
		g, err := stacks[l].ReadGrads()
		must(err)
		res.Grads.Cells = append(g.Cells, res.Grads.Cells...)
		dY = dX
	}
	for _, d := range dh0s {
		res.DH0 = append(res.DH0, d...)
	}
	res.DX, err = download(be, dY)
	must(err)
	return res
}
