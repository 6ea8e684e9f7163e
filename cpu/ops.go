package cpu

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// MatMul computes C = alpha·op(A)·op(B) + beta·C on the tensors' 2-D views.
func (be *Backend[T]) MatMul(transA, transB bool, alpha float64, a, b gru.Tensor, beta float64, c gru.Tensor) error {
	at, err := be.kit.MustTensor("MatMul: a", a)
	if err != nil {
		return err
	}
	bt, err := be.kit.MustTensor("MatMul: b", b)
	if err != nil {
		return err
	}
	ct, err := be.kit.MustTensor("MatMul: c", c)
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
	ct, vt, err := be.kit.Pair("AddRow", c, v)
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
	dt, st, err := be.kit.Pair("SumRows", dst, src)
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
	dt, err := be.kit.MustTensor("OneHot: dst", dst)
	if err != nil {
		return err
	}
	rows, cols := dt.rowsCols()
	it, err := be.kit.CheckedIDs("OneHot", ids, rows, cols)
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
	dt, tt, err := be.kit.Pair("Gather", dst, table)
	if err != nil {
		return err
	}
	it, _, cols, err := be.kit.CheckedRowIDs("Gather", dt.shape, tt.shape, ids)
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
	tt, st, err := be.kit.Pair("ScatterAdd", table, src)
	if err != nil {
		return err
	}
	it, _, cols, err := be.kit.CheckedRowIDs("ScatterAdd", st.shape, tt.shape, ids)
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

// SoftmaxCrossEntropy writes the mean cross-entropy to loss and its gradient to dlogits.
func (be *Backend[T]) SoftmaxCrossEntropy(logits gru.Tensor, targets gru.IDs, dlogits, loss gru.Tensor) error {
	lt, dt, out, tg, err := be.kit.SoftmaxCrossEntropy(logits, dlogits, loss, targets)
	if err != nil {
		return err
	}
	rows, cols := lt.rowsCols()
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
	dt, st, err := be.kit.Pair("Copy", dst, src)
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
	tt, err := be.kit.MustTensor("Fill", t)
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
	pt, gt, err := be.kit.SameLen("SGDMomentum", param, grad)
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
	lt, err := be.kit.Scalar("SGDMomentum", "lr", lr)
	if err != nil {
		return err
	}
	rate := lt.data[0]
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
func (be *Backend[T]) AdamW(param, grad, m, v, lr, step gru.Tensor, beta1, beta2, eps, weightDecay float64) error {
	pt, gt, mt, vt, lt, st, err := be.kit.AdamW(param, grad, m, v, lr, step)
	if err != nil {
		return err
	}
	t, err := backendkit.AdamStep(float64(st.data[0]))
	if err != nil {
		return err
	}
	rate := float64(lt.data[0])
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
		t, err := be.kit.MustTensor(fmt.Sprintf("ClipGradNorm: grads[%d]", i), g)
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
