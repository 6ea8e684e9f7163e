package grutest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

// testOps checks the model operations against direct host computations on seeded
// random data, one subtest per operation. Each subtest also checks that a shape
// mismatch is refused with a *gru.ShapeError.
func testOps(t *testing.T, be gru.Backend) {
	for _, op := range []struct {
		name string
		test func(*opTest)
	}{
		{"MatMul", testMatMul},
		{"SoftmaxCrossEntropy", testSoftmaxCrossEntropy},
		{"Gather", testGather},
		{"ScatterAdd", testScatterAdd},
		{"OneHot", testOneHot},
		{"IDs", testIDs},
		{"AddRow", testAddRow},
		{"SumRows", testSumRows},
		{"Copy", testCopy},
		{"WriteRead", testWriteRead},
		{"SGDMomentum", testSGDMomentum},
		{"AdamW", testAdamW},
		{"ClipGradNorm", testClipGradNorm},
	} {
		t.Run(op.name, func(t *testing.T) {
			op.test(&opTest{T: t, be: be, rng: gru.NewRand(7), tol: TolerancesFor(be.DType()).Grad})
		})
	}
}

// opTest is what one operation's subtest works with: its own seeded random source,
// so that a subtest run alone sees the data it sees in the whole suite.
type opTest struct {
	*testing.T
	be  gru.Backend
	rng *rand.Rand
	tol float64 // the largest relative error allowed
}

// put uploads v as a tensor of the given shape.
func (o *opTest) put(v []float64, shape ...int) gru.Tensor {
	o.Helper()
	tn, err := upload(o.be, shape, v)
	if err != nil {
		o.Fatal(err)
	}
	return tn
}

// get downloads a tensor.
func (o *opTest) get(tn gru.Tensor) []float64 {
	o.Helper()
	v, err := download(o.be, tn)
	if err != nil {
		o.Fatal(err)
	}
	return v
}

// ids uploads v as ids bounded by limit.
func (o *opTest) ids(limit int, v ...int32) gru.IDs {
	o.Helper()
	ids, err := o.be.NewIDs(len(v), limit)
	o.must(err)
	o.must(o.be.WriteIDs(ids, v))
	return ids
}

// scalar is a one-element tensor poisoned with NaN, for an operation to write.
func (o *opTest) scalar() gru.Tensor { return o.put([]float64{math.NaN()}, 1) }

// randn is n seeded normal values of standard deviation scale.
func (o *opTest) randn(n int, scale float64) []float64 { return randn(o.rng, n, scale) }

// near checks got against want within the tolerance.
func (o *opTest) near(name string, got, want []float64) {
	o.Helper()
	if e := RelErr(got, want); !(e <= o.tol) {
		o.Errorf("%s: relative error %.3g", name, e)
	}
}

// must stops the subtest on an error.
func (o *opTest) must(err error) {
	o.Helper()
	if err != nil {
		o.Fatal(err)
	}
}

// wantShapeError checks that a call with a mismatched shape failed with a
// *gru.ShapeError for arg.
func (o *opTest) wantShapeError(call string, err error, arg string) {
	o.Helper()
	var se *gru.ShapeError
	if !errors.As(err, &se) || se.Arg != arg {
		o.Errorf("%s: error %v, want a *gru.ShapeError for %q", call, err, arg)
	}
}

// testMatMul checks every transpose combination of C = 0.5·op(A)·op(B) + 2·C, an
// empty inner dimension, and mismatched sizes.
func testMatMul(o *opTest) {
	const m, n, k = 5, 7, 3
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			av, bv, cv := o.randn(m*k, 1), o.randn(k*n, 1), o.randn(m*n, 1)
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
			c := o.put(cv, m, n)
			o.must(o.be.MatMul(ta, tb, 0.5, o.put(av, ash...), o.put(bv, bsh...), 2, c))
			o.near("MatMul", o.get(c), want)
		}
	}
	// An empty inner dimension leaves C = beta·C.
	cv := o.randn(6, 1)
	c0 := o.put(cv, 2, 3)
	e1, err := o.be.NewTensor(2, 0)
	o.must(err)
	e2, err := o.be.NewTensor(0, 3)
	o.must(err)
	if err := o.be.MatMul(false, false, 1, e1, e2, 2, c0); err != nil {
		o.Fatalf("MatMul with k=0: %v", err)
	}
	o.near("MatMul k=0", o.get(c0), []float64{2 * cv[0], 2 * cv[1], 2 * cv[2], 2 * cv[3], 2 * cv[4], 2 * cv[5]})
	a23, b23 := o.put(o.randn(6, 1), 2, 3), o.put(o.randn(6, 1), 2, 3)
	o.wantShapeError("MatMul with mismatched inner sizes",
		o.be.MatMul(false, false, 1, a23, b23, 0, o.put(make([]float64, 4), 2, 2)), "MatMul: b")
	o.wantShapeError("MatMul into a wrong-sized c",
		o.be.MatMul(false, true, 1, a23, b23, 0, o.put(make([]float64, 6), 2, 3)), "MatMul: c")
}

// testSoftmaxCrossEntropy checks the mean loss and its gradient, and refuses
// targets whose limit passes the vocabulary, a target count that is not the row
// count, a gradient of the wrong size and a loss that is not one value.
func testSoftmaxCrossEntropy(o *opTest) {
	const rows, vocab = 4, 6
	lv := o.randn(rows*vocab, 3)
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
	logits := o.put(lv, rows, vocab)
	dl := o.put(make([]float64, rows*vocab), rows, vocab)
	loss := o.scalar()
	tg := o.ids(vocab, targets...)
	o.must(o.be.SoftmaxCrossEntropy(logits, tg, dl, loss))
	o.near("SoftmaxCrossEntropy loss", o.get(loss), []float64{wantLoss / rows})
	o.near("SoftmaxCrossEntropy grad", o.get(dl), wantGrad)
	noGrad := o.scalar()
	o.must(o.be.SoftmaxCrossEntropy(logits, tg, nil, noGrad))
	o.near("SoftmaxCrossEntropy loss without gradient", o.get(noGrad), []float64{wantLoss / rows})
	if err := o.be.SoftmaxCrossEntropy(logits, o.ids(vocab+1, targets...), nil, loss); err == nil {
		o.Error("SoftmaxCrossEntropy with targets that may pass the vocabulary: no error")
	}
	o.wantShapeError("SoftmaxCrossEntropy with a target short",
		o.be.SoftmaxCrossEntropy(logits, o.ids(vocab, targets[:3]...), nil, loss), "SoftmaxCrossEntropy: ids")
	o.wantShapeError("SoftmaxCrossEntropy with a short dlogits",
		o.be.SoftmaxCrossEntropy(logits, tg, o.put(make([]float64, rows), rows), loss), "SoftmaxCrossEntropy: dlogits")
	o.wantShapeError("SoftmaxCrossEntropy into a loss of two values",
		o.be.SoftmaxCrossEntropy(logits, tg, nil, o.put(make([]float64, 2), 2)), "SoftmaxCrossEntropy: loss")
}

// testGather checks dst[i,:] = table[ids[i],:] with a repeated id.
func testGather(o *opTest) {
	table := o.randn(6*3, 1)
	g := o.put(make([]float64, 9), 3, 3)
	o.must(o.be.Gather(g, o.put(table, 6, 3), o.ids(6, 4, 0, 4)))
	o.near("Gather", o.get(g), append(append(append([]float64{}, table[12:15]...), table[0:3]...), table[12:15]...))
	o.wantShapeError("Gather from a table of other width",
		o.be.Gather(g, o.put(table, 9, 2), o.ids(6, 4, 0, 4)), "Gather: table")
	if err := o.be.Gather(g, o.put(table[:15], 5, 3), o.ids(6, 4, 0, 4)); err == nil {
		o.Error("Gather with ids that may pass the table: no error")
	}
}

// testScatterAdd checks table[ids[i],:] += src[i,:] with a repeated id.
func testScatterAdd(o *opTest) {
	table, src := o.randn(6*3, 1), o.randn(9, 1)
	ids := []int32{4, 0, 4}
	tt := o.put(table, 6, 3)
	o.must(o.be.ScatterAdd(tt, o.put(src, 3, 3), o.ids(6, ids...)))
	want := append([]float64(nil), table...)
	for i, id := range ids {
		for j := range 3 {
			want[int(id)*3+j] += src[i*3+j]
		}
	}
	o.near("ScatterAdd", o.get(tt), want)
	o.wantShapeError("ScatterAdd with one id too few", o.be.ScatterAdd(tt, o.put(src, 3, 3), o.ids(6, ids[:2]...)), "ScatterAdd: ids")
}

// testOneHot checks that every row is overwritten with its id's one-hot row.
func testOneHot(o *opTest) {
	const vocab = 6
	ids := []int32{4, 0, 4}
	oh := o.put(o.randn(3*vocab, 1), 3, vocab)
	o.must(o.be.OneHot(oh, o.ids(vocab, ids...)))
	want := make([]float64, 3*vocab)
	for i, id := range ids {
		want[i*vocab+int(id)] = 1
	}
	o.near("OneHot", o.get(oh), want)
	o.wantShapeError("OneHot with one id too many", o.be.OneHot(oh, o.ids(vocab, append(ids, 1)...)), "OneHot: ids")
}

// testIDs checks that WriteIDs refuses a value outside the limit, naming its
// index, and a source of the wrong length, changing nothing; that NewIDs refuses
// bad sizes; and that freed ids are refused by the operations.
func testIDs(o *opTest) {
	const vocab = 4
	ids := o.ids(vocab, 3, 1)
	oneHot := func() []float64 {
		oh := o.put(make([]float64, 2*vocab), 2, vocab)
		o.must(o.be.OneHot(oh, ids))
		return o.get(oh)
	}
	want := oneHot()
	err := o.be.WriteIDs(ids, []int32{2, vocab})
	if err == nil || !strings.Contains(err.Error(), "src[1] = 4") {
		o.Errorf("WriteIDs of an id past the limit: error %v, want one naming src[1] = 4", err)
	}
	if err := o.be.WriteIDs(ids, []int32{-1, 0}); err == nil {
		o.Error("WriteIDs of a negative id: no error")
	}
	o.wantShapeError("WriteIDs of three values into two", o.be.WriteIDs(ids, []int32{0, 1, 2}), "WriteIDs: src")
	o.near("ids after refused writes", oneHot(), want)
	for _, bad := range [][2]int{{-1, 3}, {2, 0}} {
		if _, err := o.be.NewIDs(bad[0], bad[1]); err == nil {
			o.Errorf("NewIDs(%d, %d): no error", bad[0], bad[1])
		}
	}
	o.must(o.be.FreeIDs(ids))
	o.must(o.be.FreeIDs(ids))
	if err := o.be.OneHot(o.put(make([]float64, 2*vocab), 2, vocab), ids); err == nil {
		o.Error("OneHot with freed ids: no error")
	}
}

// testAddRow checks that v is added to every row.
func testAddRow(o *opTest) {
	mv, vv := o.randn(6, 1), o.randn(3, 1)
	mt := o.put(mv, 2, 3)
	o.must(o.be.AddRow(mt, o.put(vv, 3)))
	o.near("AddRow", o.get(mt), []float64{mv[0] + vv[0], mv[1] + vv[1], mv[2] + vv[2], mv[3] + vv[0], mv[4] + vv[1], mv[5] + vv[2]})
	o.wantShapeError("AddRow of a short v", o.be.AddRow(mt, o.put(vv[:2], 2)), "AddRow: v")
}

// testSumRows checks dst = beta·dst + the column sums.
func testSumRows(o *opTest) {
	mv, sv := o.randn(6, 1), o.randn(3, 1)
	st := o.put(sv, 3)
	o.must(o.be.SumRows(st, o.put(mv, 2, 3), 0.5))
	o.near("SumRows", o.get(st), []float64{0.5*sv[0] + mv[0] + mv[3], 0.5*sv[1] + mv[1] + mv[4], 0.5*sv[2] + mv[2] + mv[5]})
	o.wantShapeError("SumRows into a long dst", o.be.SumRows(o.put(mv, 6), o.put(mv, 2, 3), 0), "SumRows: dst")
}

// testCopy checks a copy between tensors of equal length.
func testCopy(o *opTest) {
	v := o.randn(6, 1)
	dst := o.put(make([]float64, 6), 2, 3)
	o.must(o.be.Copy(dst, o.put(v, 6)))
	o.near("Copy", o.get(dst), v)
	o.wantShapeError("Copy from a short src", o.be.Copy(dst, o.put(v[:5], 5)), "Copy: src")
}

// testWriteRead checks that host slices of the wrong length are refused.
func testWriteRead(o *opTest) {
	tn := o.put(o.randn(6, 1), 2, 3)
	o.wantShapeError("Write of 5 values into 6", o.be.Write(tn, make([]float64, 5)), "Write: src")
	o.wantShapeError("Read of 6 values into 7", o.be.Read(make([]float64, 7), tn), "Read: dst")
}

// testSGDMomentum checks two steps of SGD, plain and with momentum and weight
// decay, with the learning rate changed on the backend between them, and refuses a
// short buf and a learning rate of two values.
func testSGDMomentum(o *opTest) {
	for _, c := range []struct{ momentum, decay float64 }{{0, 0}, {0, 0.1}, {0.9, 0}, {0.9, 0.01}} {
		pv, gv := o.randn(5, 1), o.randn(5, 1)
		pt, gt, lr := o.put(pv, 5), o.put(gv, 5), o.put([]float64{0.1}, 1)
		var buf gru.Tensor
		if c.momentum != 0 {
			buf = o.put(make([]float64, 5), 5)
		}
		want, wb := append([]float64(nil), pv...), make([]float64, 5)
		for _, rate := range []float64{0.1, 0.05} {
			o.must(o.be.Write(lr, []float64{rate}))
			o.must(o.be.SGDMomentum(pt, gt, buf, lr, c.momentum, c.decay))
			for i := range want {
				d := gv[i] + c.decay*want[i]
				wb[i] = c.momentum*wb[i] + d
				want[i] -= rate * wb[i]
			}
		}
		name := fmt.Sprintf("SGDMomentum μ=%v λ=%v", c.momentum, c.decay)
		o.near(name, o.get(pt), want)
		if buf != nil {
			o.near(name+" buf", o.get(buf), wb)
		}
	}
	pt, lr := o.put(o.randn(5, 1), 5), o.put([]float64{0.1}, 1)
	o.wantShapeError("SGDMomentum with a short grad", o.be.SGDMomentum(pt, o.put(make([]float64, 4), 4), nil, lr, 0, 0), "SGDMomentum: second tensor")
	o.wantShapeError("SGDMomentum with a short buf", o.be.SGDMomentum(pt, pt, o.put(make([]float64, 4), 4), lr, 0.9, 0), "SGDMomentum: buf")
	o.wantShapeError("SGDMomentum with two learning rates", o.be.SGDMomentum(pt, pt, nil, o.put([]float64{1, 2}, 2), 0, 0), "SGDMomentum: lr")
}

// testAdamW checks three bias-corrected steps, with and without decoupled weight
// decay, the step number and the learning rate read from the backend and changed
// between them (the last step number large, its corrections still below 1), and
// refuses moments of the wrong size, a step of two values and a learning rate of
// two values.
func testAdamW(o *opTest) {
	step := o.scalar()
	for _, decay := range []float64{0, 0.1} {
		pv, gv := o.randn(5, 1), o.randn(5, 1)
		pa, ga, ma, va := o.put(pv, 5), o.put(gv, 5), o.put(make([]float64, 5), 5), o.put(make([]float64, 5), 5)
		lr := o.scalar()
		wp, wm, wv := append([]float64(nil), pv...), make([]float64, 5), make([]float64, 5)
		for _, s := range []struct{ t, rate float64 }{{1, 0.01}, {2, 0.02}, {3001, 0.005}} {
			t, rate := s.t, s.rate
			o.must(o.be.Write(step, []float64{t}))
			o.must(o.be.Write(lr, []float64{rate}))
			o.must(o.be.AdamW(pa, ga, ma, va, lr, step, 0.9, 0.999, 1e-8, decay))
			for i := range wp {
				wp[i] *= 1 - rate*decay
				wm[i] = 0.9*wm[i] + 0.1*gv[i]
				wv[i] = 0.999*wv[i] + 0.001*gv[i]*gv[i]
				mh := wm[i] / (1 - math.Pow(0.9, t))
				vh := wv[i] / (1 - math.Pow(0.999, t))
				wp[i] -= rate * mh / (math.Sqrt(vh) + 1e-8)
			}
		}
		o.near(fmt.Sprintf("AdamW λ=%v", decay), o.get(pa), wp)
		o.near(fmt.Sprintf("AdamW λ=%v m", decay), o.get(ma), wm)
		o.near(fmt.Sprintf("AdamW λ=%v v", decay), o.get(va), wv)
	}
	pa, lr := o.put(o.randn(5, 1), 5), o.put([]float64{0.01}, 1)
	m5, m4, v4 := o.put(make([]float64, 5), 5), o.put(make([]float64, 4), 4), o.put(make([]float64, 4), 4)
	o.wantShapeError("AdamW with short moments", o.be.AdamW(pa, pa, m4, v4, lr, step, 0.9, 0.999, 1e-8, 0), "AdamW: m")
	o.wantShapeError("AdamW with a step of two values", o.be.AdamW(pa, pa, m5, m5, lr, o.put([]float64{1, 2}, 2), 0.9, 0.999, 1e-8, 0), "AdamW: step")
	o.wantShapeError("AdamW with two learning rates", o.be.AdamW(pa, pa, m5, m5, o.put([]float64{1, 2}, 2), step, 0.9, 0.999, 1e-8, 0), "AdamW: lr")
}

// testClipGradNorm checks the global norm over two tensors and the scaling to 0.5,
// measuring alone with maxNorm 0, and refuses a norm that is not one value.
func testClipGradNorm(o *opTest) {
	g1, g2 := o.randn(4, 1), o.randn(3, 1)
	var ss float64
	for _, v := range append(append([]float64{}, g1...), g2...) {
		ss += v * v
	}
	t1, t2 := o.put(g1, 4), o.put(g2, 3)
	measured := o.scalar()
	o.must(o.be.ClipGradNorm([]gru.Tensor{t1, t2}, 0, measured))
	o.near("ClipGradNorm norm, measured alone", o.get(measured), []float64{math.Sqrt(ss)})
	o.near("ClipGradNorm g1 after measuring", o.get(t1), g1)
	norm := o.scalar()
	o.must(o.be.ClipGradNorm([]gru.Tensor{t1, t2}, 0.5, norm))
	o.near("ClipGradNorm norm", o.get(norm), []float64{math.Sqrt(ss)})
	s := 0.5 / math.Sqrt(ss)
	scaled := func(v []float64) []float64 {
		w := make([]float64, len(v))
		for i := range v {
			w[i] = v[i] * s
		}
		return w
	}
	o.near("ClipGradNorm g1", o.get(t1), scaled(g1))
	o.near("ClipGradNorm g2", o.get(t2), scaled(g2))
	o.must(o.be.ClipGradNorm([]gru.Tensor{t1, t2}, 0.5, nil))
	o.wantShapeError("ClipGradNorm into a norm of two values",
		o.be.ClipGradNorm([]gru.Tensor{t1, t2}, 0.5, o.put(make([]float64, 2), 2)), "ClipGradNorm: norm")
}
