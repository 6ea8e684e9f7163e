package grutest

import (
	"math"
	"testing"

	"github.com/gogru/gogru/gru"
)

// testOps checks the model operations against direct host computations on seeded
// random data.
func testOps(t *testing.T, be gru.Backend) {
	tol := TolerancesFor(be.DType()).Grad
	rng := gru.NewRand(7)
	put := func(v []float64, shape ...int) gru.Tensor {
		tn, err := upload(be, shape, v)
		if err != nil {
			t.Fatal(err)
		}
		return tn
	}
	get := func(tn gru.Tensor) []float64 {
		v, err := download(be, tn)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	near := func(name string, got, want []float64) {
		t.Helper()
		if e := RelErr(got, want); !(e <= tol) {
			t.Errorf("%s: relative error %.3g", name, e)
		}
	}

	// MatMul with every transpose combination: C = 0.5·op(A)·op(B) + 2·C.
	const m, n, k = 5, 7, 3
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			av, bv, cv := randn(rng, m*k, 1), randn(rng, k*n, 1), randn(rng, m*n, 1)
			ash, bsh := []int{m, k}, []int{k, n}
			aAt := func(i, j int) float64 { return av[i*k+j] }
			bAt := func(i, j int) float64 { return bv[i*n+j] }
			if ta {
				ash = []int{k, m}
				aAt = func(i, j int) float64 { return av[j*m+i] }
			}
			if tb {
				bsh = []int{n, k}
				bAt = func(i, j int) float64 { return bv[j*k+i] }
			}
			want := make([]float64, m*n)
			for i := range m {
				for j := range n {
					var s float64
					for p := range k {
						s += aAt(i, p) * bAt(p, j)
					}
					want[i*n+j] = 0.5*s + 2*cv[i*n+j]
				}
			}
			c := put(cv, m, n)
			if err := be.MatMul(ta, tb, 0.5, put(av, ash...), put(bv, bsh...), 2, c); err != nil {
				t.Fatal(err)
			}
			near("MatMul", get(c), want)
		}
	}
	// An empty inner dimension leaves C = beta·C.
	cv := randn(rng, 6, 1)
	c0 := put(cv, 2, 3)
	e1, _ := be.NewTensor(2, 0)
	e2, _ := be.NewTensor(0, 3)
	if err := be.MatMul(false, false, 1, e1, e2, 2, c0); err != nil {
		t.Fatalf("MatMul with k=0: %v", err)
	}
	near("MatMul k=0", get(c0), []float64{2 * cv[0], 2 * cv[1], 2 * cv[2], 2 * cv[3], 2 * cv[4], 2 * cv[5]})
	if err := be.MatMul(false, false, 1, put(randn(rng, 6, 1), 2, 3), put(randn(rng, 6, 1), 2, 3), 0, put(make([]float64, 4), 2, 2)); err == nil {
		t.Error("MatMul with mismatched inner sizes: no error")
	}

	// Softmax cross-entropy and its gradient.
	const rows, vocab = 4, 6
	lv := randn(rng, rows*vocab, 3)
	targets := []int32{0, 5, 2, 2}
	var wantLoss float64
	wantGrad := make([]float64, rows*vocab)
	for i := range rows {
		var z float64
		for j := range vocab {
			z += math.Exp(lv[i*vocab+j])
		}
		wantLoss -= math.Log(math.Exp(lv[i*vocab+int(targets[i])]) / z)
		for j := range vocab {
			wantGrad[i*vocab+j] = math.Exp(lv[i*vocab+j]) / z / rows
		}
		wantGrad[i*vocab+int(targets[i])] -= 1.0 / rows
	}
	dl := put(make([]float64, rows*vocab), rows, vocab)
	loss, err := be.SoftmaxCrossEntropy(put(lv, rows, vocab), targets, dl)
	if err != nil {
		t.Fatal(err)
	}
	near("SoftmaxCrossEntropy loss", []float64{loss}, []float64{wantLoss / rows})
	near("SoftmaxCrossEntropy grad", get(dl), wantGrad)
	if _, err := be.SoftmaxCrossEntropy(put(lv, rows, vocab), []int32{0, 1, 2, vocab}, nil); err == nil {
		t.Error("SoftmaxCrossEntropy with a target out of range: no error")
	}

	// Gather, ScatterAdd, OneHot, AddRow, SumRows.
	table := randn(rng, vocab*3, 1)
	ids := []int32{4, 0, 4}
	g := put(make([]float64, 9), 3, 3)
	if err := be.Gather(g, put(table, vocab, 3), ids); err != nil {
		t.Fatal(err)
	}
	near("Gather", get(g), append(append(append([]float64{}, table[12:15]...), table[0:3]...), table[12:15]...))
	src := randn(rng, 9, 1)
	tt := put(table, vocab, 3)
	if err := be.ScatterAdd(tt, put(src, 3, 3), ids); err != nil {
		t.Fatal(err)
	}
	want := append([]float64(nil), table...)
	for i, id := range ids {
		for j := range 3 {
			want[int(id)*3+j] += src[i*3+j]
		}
	}
	near("ScatterAdd", get(tt), want)
	oh := put(randn(rng, 3*vocab, 1), 3, vocab)
	if err := be.OneHot(oh, ids); err != nil {
		t.Fatal(err)
	}
	wantOH := make([]float64, 3*vocab)
	for i, id := range ids {
		wantOH[i*vocab+int(id)] = 1
	}
	near("OneHot", get(oh), wantOH)
	mv, vv := randn(rng, 6, 1), randn(rng, 3, 1)
	mt := put(mv, 2, 3)
	if err := be.AddRow(mt, put(vv, 3)); err != nil {
		t.Fatal(err)
	}
	near("AddRow", get(mt), []float64{mv[0] + vv[0], mv[1] + vv[1], mv[2] + vv[2], mv[3] + vv[0], mv[4] + vv[1], mv[5] + vv[2]})
	sv := randn(rng, 3, 1)
	st := put(sv, 3)
	if err := be.SumRows(st, put(mv, 2, 3), 0.5); err != nil {
		t.Fatal(err)
	}
	near("SumRows", get(st), []float64{0.5*sv[0] + mv[0] + mv[3], 0.5*sv[1] + mv[1] + mv[4], 0.5*sv[2] + mv[2] + mv[5]})

	// SGD, Adam (two steps), ClipGradNorm.
	pv, gv := randn(rng, 5, 1), randn(rng, 5, 1)
	pt := put(pv, 5)
	if err := be.SGD(pt, put(gv, 5), 0.1); err != nil {
		t.Fatal(err)
	}
	wantP := make([]float64, 5)
	for i := range pv {
		wantP[i] = pv[i] - 0.1*gv[i]
	}
	near("SGD", get(pt), wantP)
	pa, ma, va := put(pv, 5), put(make([]float64, 5), 5), put(make([]float64, 5), 5)
	wp, wm, wv := append([]float64(nil), pv...), make([]float64, 5), make([]float64, 5)
	for step := 1; step <= 2; step++ {
		if err := be.Adam(pa, put(gv, 5), ma, va, 0.01, 0.9, 0.999, 1e-8, step); err != nil {
			t.Fatal(err)
		}
		for i := range wp {
			wm[i] = 0.9*wm[i] + 0.1*gv[i]
			wv[i] = 0.999*wv[i] + 0.001*gv[i]*gv[i]
			mh := wm[i] / (1 - math.Pow(0.9, float64(step)))
			vh := wv[i] / (1 - math.Pow(0.999, float64(step)))
			wp[i] -= 0.01 * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	near("Adam", get(pa), wp)
	g1, g2 := randn(rng, 4, 1), randn(rng, 3, 1)
	var ss float64
	for _, v := range append(append([]float64{}, g1...), g2...) {
		ss += v * v
	}
	t1, t2 := put(g1, 4), put(g2, 3)
	norm, err := be.ClipGradNorm([]gru.Tensor{t1, t2}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	near("ClipGradNorm norm", []float64{norm}, []float64{math.Sqrt(ss)})
	s := 0.5 / math.Sqrt(ss)
	scaled := func(v []float64) []float64 {
		w := make([]float64, len(v))
		for i := range v {
			w[i] = v[i] * s
		}
		return w
	}
	near("ClipGradNorm g1", get(t1), scaled(g1))
	near("ClipGradNorm g2", get(t2), scaled(g2))
}
