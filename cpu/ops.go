package cpu

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// MatMul computes C = alpha·op(A)·op(B) + beta·C on the tensors' 2-D views.
func (be *Backend[T]) MatMul(transA, transB bool, alpha float64, a, b gru.Tensor, beta float64, c gru.Tensor) error {
	at, err := mustTensor[T]("MatMul: a", a)
	if err != nil {
		return err
	}
	bt, err := mustTensor[T]("MatMul: b", b)
	if err != nil {
		return err
	}
	ct, err := mustTensor[T]("MatMul: c", c)
	if err != nil {
		return err
	}
	m, n, k, lda, ldb, ldc, err := backendkit.MatMulDims(transA, transB, at.shape, bt.shape, ct.shape)
	if err != nil {
		return err
	}
	gemm(transA, transB, m, n, k, T(alpha), at.data, lda, bt.data, ldb, T(beta), ct.data, ldc)
	return nil
}

// AddRow adds v to every row of c.
func (be *Backend[T]) AddRow(c, v gru.Tensor) error {
	ct, vt, err := pair[T]("AddRow", c, v)
	if err != nil {
		return err
	}
	rows, cols, err := backendkit.CheckRowVector("AddRow", "v", vt.shape, ct.shape)
	if err != nil {
		return err
	}
	for r := range rows {
		row := ct.data[r*cols : (r+1)*cols]
		for j := range row {
			row[j] += vt.data[j]
		}
	}
	return nil
}

// SumRows computes dst = beta·dst + column sums of src, in row order.
func (be *Backend[T]) SumRows(dst, src gru.Tensor, beta float64) error {
	dt, st, err := pair[T]("SumRows", dst, src)
	if err != nil {
		return err
	}
	rows, cols, err := backendkit.CheckRowVector("SumRows", "dst", dt.shape, st.shape)
	if err != nil {
		return err
	}
	for j := range dt.data {
		dt.data[j] *= T(beta)
	}
	sumRows(dt.data, st.data, rows, cols)
	return nil
}

// OneHot writes one-hot rows of ids.
func (be *Backend[T]) OneHot(dst gru.Tensor, ids gru.IDs) error {
	dt, err := mustTensor[T]("OneHot: dst", dst)
	if err != nil {
		return err
	}
	rows, cols := dt.rowsCols()
	it, err := checkedIDs("OneHot", ids, rows, cols)
	if err != nil {
		return err
	}
	clear(dt.data)
	for i, id := range it.data {
		dt.data[i*cols+int(id)] = 1
	}
	return nil
}

// Gather copies table rows: dst[i,:] = table[ids[i],:].
func (be *Backend[T]) Gather(dst, table gru.Tensor, ids gru.IDs) error {
	dt, tt, err := pair[T]("Gather", dst, table)
	if err != nil {
		return err
	}
	it, cols, err := checkedRowIDs("Gather", dt.shape, tt.shape, ids)
	if err != nil {
		return err
	}
	for i, id := range it.data {
		copy(dt.data[i*cols:(i+1)*cols], tt.data[int(id)*cols:(int(id)+1)*cols])
	}
	return nil
}

// ScatterAdd accumulates rows into table: table[ids[i],:] += src[i,:], in order.
func (be *Backend[T]) ScatterAdd(table, src gru.Tensor, ids gru.IDs) error {
	tt, st, err := pair[T]("ScatterAdd", table, src)
	if err != nil {
		return err
	}
	it, cols, err := checkedRowIDs("ScatterAdd", st.shape, tt.shape, ids)
	if err != nil {
		return err
	}
	for i, id := range it.data {
		row := tt.data[int(id)*cols : (int(id)+1)*cols]
		for j, v := range st.data[i*cols : (i+1)*cols] {
			row[j] += v
		}
	}
	return nil
}

// checkedIDs resolves ids and checks them against rows and the indexed axis n.
func checkedIDs(op string, ids gru.IDs, rows, n int) (*IDs, error) {
	if err := backendkit.CheckIDs(op, ids, rows, n); err != nil {
		return nil, err
	}
	return mustIDs(op+": ids", ids)
}

// checkedRowIDs is checkedIDs for a row lookup in a table (backendkit.CheckRowIDs);
// it returns the ids and the row width.
func checkedRowIDs(op string, rows, table []int, ids gru.IDs) (*IDs, int, error) {
	_, cols, err := backendkit.CheckRowIDs(op, rows, table, ids)
	if err != nil {
		return nil, 0, err
	}
	it, err := mustIDs(op+": ids", ids)
	return it, cols, err
}

// SoftmaxCrossEntropy writes the mean cross-entropy to loss and its gradient to dlogits.
func (be *Backend[T]) SoftmaxCrossEntropy(logits gru.Tensor, targets gru.IDs, dlogits, loss gru.Tensor) error {
	lt, err := mustTensor[T]("SoftmaxCrossEntropy: logits", logits)
	if err != nil {
		return err
	}
	dt, err := asTensor[T]("SoftmaxCrossEntropy: dlogits", dlogits)
	if err != nil {
		return err
	}
	out, err := mustTensor[T]("SoftmaxCrossEntropy: loss", loss)
	if err != nil {
		return err
	}
	rows, cols := lt.rowsCols()
	tg, err := checkedIDs("SoftmaxCrossEntropy", targets, rows, cols)
	if err != nil {
		return err
	}
	if dt != nil {
		if err := backendkit.CheckSameLen("SoftmaxCrossEntropy", "dlogits", lt.shape, dt.shape); err != nil {
			return err
		}
	}
	if err := backendkit.CheckScalar("SoftmaxCrossEntropy", "loss", out.shape); err != nil {
		return err
	}
	var sum float64
	for i := range rows {
		row := lt.data[i*cols : (i+1)*cols]
		m := float64(row[0])
		for _, v := range row {
			m = max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(s)
		target := tg.data[i]
		sum += lse - float64(row[target])
		if dt != nil {
			drow := dt.data[i*cols : (i+1)*cols]
			for j, v := range row {
				drow[j] = T(math.Exp(float64(v)-lse) / float64(rows))
			}
			drow[target] -= T(1 / float64(rows))
		}
	}
	out.data[0] = T(sum / float64(rows))
	return nil
}

// Copy copies src into dst.
func (be *Backend[T]) Copy(dst, src gru.Tensor) error {
	dt, st, err := pair[T]("Copy", dst, src)
	if err != nil {
		return err
	}
	if err := backendkit.CheckSameLen("Copy", "src", dt.shape, st.shape); err != nil {
		return err
	}
	copy(dt.data, st.data)
	return nil
}

// Fill sets every element to v.
func (be *Backend[T]) Fill(t gru.Tensor, v float64) error {
	tt, err := mustTensor[T]("Fill", t)
	if err != nil {
		return err
	}
	for i := range tt.data {
		tt.data[i] = T(v)
	}
	return nil
}

// SGDMomentum applies one step of SGD with momentum and L2 weight decay, the
// learning rate read from lr.
func (be *Backend[T]) SGDMomentum(param, grad, buf, lr gru.Tensor, momentum, weightDecay float64) error {
	pt, gt, err := sameLen[T]("SGDMomentum", param, grad)
	if err != nil {
		return err
	}
	bt, err := asTensor[T]("SGDMomentum: buf", buf)
	if err != nil {
		return err
	}
	if bt != nil {
		if err := backendkit.CheckSameLen("SGDMomentum", "buf", pt.shape, bt.shape); err != nil {
			return err
		}
	}
	rate, err := scalarOf[T]("SGDMomentum", lr)
	if err != nil {
		return err
	}
	mu, wd := T(momentum), T(weightDecay)
	for i, d := range gt.data {
		if weightDecay != 0 {
			d += wd * pt.data[i]
		}
		if bt != nil {
			d += mu * bt.data[i]
			bt.data[i] = d
		}
		pt.data[i] -= rate * d
	}
	return nil
}

// AdamW applies one step of Adam with decoupled weight decay, the learning rate
// read from lr and the step number from step.
func (be *Backend[T]) AdamW(param, grad, m, v, lr gru.Tensor, beta1, beta2, eps, weightDecay float64, step gru.IDs) error {
	pt, gt, err := sameLen[T]("AdamW", param, grad)
	if err != nil {
		return err
	}
	mt, vt, err := sameLen[T]("AdamW", m, v)
	if err != nil {
		return err
	}
	if err := backendkit.CheckSameLen("AdamW", "m", pt.shape, mt.shape); err != nil {
		return err
	}
	if err := backendkit.CheckAdamStepIDs(step); err != nil {
		return err
	}
	st, err := mustIDs("AdamW: step", step)
	if err != nil {
		return err
	}
	t := int(st.data[0])
	if err := backendkit.CheckAdamStep(t); err != nil {
		return err
	}
	lrT, err := scalarOf[T]("AdamW", lr)
	if err != nil {
		return err
	}
	rate := float64(lrT)
	c1 := 1 - math.Pow(beta1, float64(t))
	c2 := 1 - math.Pow(beta2, float64(t))
	decay := T(1 - rate*weightDecay)
	for i, g := range gt.data {
		p := pt.data[i]
		if weightDecay != 0 {
			p *= decay
		}
		mi := T(beta1)*mt.data[i] + T(1-beta1)*g
		vi := T(beta2)*vt.data[i] + T(1-beta2)*g*g
		mt.data[i], vt.data[i] = mi, vi
		pt.data[i] = p - T(rate*(float64(mi)/c1)/(math.Sqrt(float64(vi)/c2)+eps))
	}
	return nil
}

// scalarOf reads op's learning rate, a one-element tensor of this backend.
func scalarOf[T Float](op string, t gru.Tensor) (T, error) {
	tt, err := mustTensor[T](op+": lr", t)
	if err != nil {
		return 0, err
	}
	if err := backendkit.CheckScalar(op, "lr", tt.shape); err != nil {
		return 0, err
	}
	return tt.data[0], nil
}

// ClipGradNorm scales the gradients to a global L2 norm of at most maxNorm and
// writes the norm before scaling to norm (when not nil).
func (be *Backend[T]) ClipGradNorm(grads []gru.Tensor, maxNorm float64, norm gru.Tensor) error {
	nt, err := asTensor[T]("ClipGradNorm: norm", norm)
	if err != nil {
		return err
	}
	if nt != nil {
		if err := backendkit.CheckScalar("ClipGradNorm", "norm", nt.shape); err != nil {
			return err
		}
	}
	ts := make([]*Tensor[T], len(grads))
	var sum float64
	for i, g := range grads {
		t, err := mustTensor[T](fmt.Sprintf("ClipGradNorm: grads[%d]", i), g)
		if err != nil {
			return err
		}
		ts[i] = t
		for _, v := range t.data {
			sum += float64(v) * float64(v)
		}
	}
	n := math.Sqrt(sum)
	if maxNorm > 0 && n > maxNorm {
		scale := T(maxNorm / n)
		for _, t := range ts {
			for i := range t.data {
				t.data[i] *= scale
			}
		}
	}
	if nt != nil {
		nt.data[0] = T(n)
	}
	return nil
}

func pair[T Float](op string, a, b gru.Tensor) (*Tensor[T], *Tensor[T], error) {
	at, err := mustTensor[T](op, a)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (first tensor)", err)
	}
	bt, err := mustTensor[T](op, b)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (second tensor)", err)
	}
	return at, bt, nil
}

func sameLen[T Float](op string, a, b gru.Tensor) (*Tensor[T], *Tensor[T], error) {
	at, bt, err := pair[T](op, a, b)
	if err == nil {
		err = backendkit.CheckSameLen(op, "second tensor", at.shape, bt.shape)
	}
	return at, bt, err
}
