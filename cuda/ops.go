package cuda

import (
	"fmt"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// MatMul computes C = alpha·op(A)·op(B) + beta·C on the tensors' 2-D views (cuBLAS).
func (be *Backend) MatMul(transA, transB bool, alpha float64, a, b gru.Tensor, beta float64, c gru.Tensor) error {
	at, bt, err := be.pair("MatMul", a, b)
	if err != nil {
		return err
	}
	ct, err := be.mustTensor("MatMul: c", c)
	if err != nil {
		return err
	}
	m, n, k, lda, ldb, ldc, err := backendkit.MatMulDims(transA, transB, at.shape, bt.shape, ct.shape)
	if err != nil {
		return err
	}
	return be.rowGemm(transA, transB, m, n, k, alpha, at.p, lda, bt.p, ldb, beta, ct.p, ldc)
}

// AddRow adds v to every row of c.
func (be *Backend) AddRow(c, v gru.Tensor) error {
	ct, vt, err := be.pair("AddRow", c, v)
	if err != nil {
		return err
	}
	rows, cols, err := backendkit.CheckRowVector("AddRow", "v", vt.shape, ct.shape)
	if err != nil {
		return err
	}
	q := be.queue()
	q.addRow(elems(rows*cols), rows, cols, vt.p, ct.p, 1)
	return q.Err()
}

// SumRows computes dst = beta·dst + column sums of src, deterministically.
func (be *Backend) SumRows(dst, src gru.Tensor, beta float64) error {
	dt, st, err := be.pair("SumRows", dst, src)
	if err != nil {
		return err
	}
	rows, cols, err := backendkit.CheckRowVector("SumRows", "dst", dt.shape, st.shape)
	if err != nil {
		return err
	}
	q := be.queue()
	q.sumRows(colSums(cols), rows, cols, st.p, dt.p, beta)
	return q.Err()
}

// OneHot writes one-hot rows of ids.
func (be *Backend) OneHot(dst gru.Tensor, ids gru.IDs) error {
	dt, err := be.mustTensor("OneHot: dst", dst)
	if err != nil {
		return err
	}
	rows, cols := dt.rowsCols()
	it, err := be.checkedIDs("OneHot", ids, rows, cols)
	if err != nil {
		return err
	}
	q := be.queue()
	q.oneHot(elems(rows*cols), rows, cols, it.p, dt.p)
	return q.Err()
}

// Gather copies table rows: dst[i,:] = table[ids[i],:].
func (be *Backend) Gather(dst, table gru.Tensor, ids gru.IDs) error {
	dt, tt, err := be.pair("Gather", dst, table)
	if err != nil {
		return err
	}
	rows, cols, err := backendkit.CheckRowIDs("Gather", dt.shape, tt.shape, ids)
	if err != nil {
		return err
	}
	it, err := be.liveIDs("Gather: ids", ids)
	if err != nil {
		return err
	}
	q := be.queue()
	q.gatherRows(elems(rows*cols), rows, cols, it.p, tt.p, dt.p)
	return q.Err()
}

// ScatterAdd accumulates rows into table in id order (deterministic).
func (be *Backend) ScatterAdd(table, src gru.Tensor, ids gru.IDs) error {
	tt, st, err := be.pair("ScatterAdd", table, src)
	if err != nil {
		return err
	}
	rows, cols, err := backendkit.CheckRowIDs("ScatterAdd", st.shape, tt.shape, ids)
	if err != nil {
		return err
	}
	it, err := be.liveIDs("ScatterAdd: ids", ids)
	if err != nil {
		return err
	}
	// One thread per column walks the rows in order.
	q := be.queue()
	q.scatterAddRows(elems(cols), rows, cols, it.p, st.p, tt.p)
	return q.Err()
}

// SoftmaxCrossEntropy writes the mean cross-entropy to loss and its gradient to
// dlogits. The per-row losses are summed on the device, in double, and the mean is
// written there: nothing comes back to the host.
func (be *Backend) SoftmaxCrossEntropy(logits gru.Tensor, targets gru.IDs, dlogits, loss gru.Tensor) error {
	lt, dt, out, tg, err := be.kit.SoftmaxCrossEntropy(logits, dlogits, loss, targets)
	if err != nil {
		return err
	}
	rows, cols := lt.rowsCols()
	if err := be.grow(&be.rowLoss, &be.rowLossCap, 8*rows); err != nil {
		return err
	}
	var dp device.Ptr
	if dt != nil {
		dp = dt.p
	}
	q := be.queue()
	q.softmaxXent(reduceBlocks(rows), rows, cols, lt.p, tg.p, dp, be.rowLoss) // dp 0: no gradient
	q.meanFinal(reduceBlocks(1), rows, be.rowLoss, out.p)
	return q.Err()
}

// Copy copies src into dst on the device.
func (be *Backend) Copy(dst, src gru.Tensor) error {
	dt, st, err := be.pair("Copy", dst, src)
	if err != nil {
		return err
	}
	if err := backendkit.CheckSameLen("Copy", "src", dt.shape, st.shape); err != nil {
		return err
	}
	return be.dev.DtoD(dt.p, st.p, dt.n*be.esize())
}

// Fill sets every element to v.
func (be *Backend) Fill(t gru.Tensor, v float64) error {
	tt, err := be.mustTensor("Fill", t)
	if err != nil {
		return err
	}
	q := be.queue()
	q.fill(elems(tt.n), tt.n, tt.p, v)
	return q.Err()
}

// SGDMomentum applies one step of SGD with momentum and L2 weight decay; the
// kernel reads the learning rate from lr.
func (be *Backend) SGDMomentum(param, grad, buf, lr gru.Tensor, momentum, weightDecay float64) error {
	pt, gt, err := be.sameLen("SGDMomentum", param, grad)
	if err != nil {
		return err
	}
	bt, err := be.tensor("SGDMomentum: buf", buf)
	if err != nil {
		return err
	}
	var bp device.Ptr
	if bt != nil {
		if err := backendkit.CheckSameLen("SGDMomentum", "buf", pt.shape, bt.shape); err != nil {
			return err
		}
		bp = bt.p
	}
	lt, err := be.kit.Scalar("SGDMomentum", "lr", lr)
	if err != nil {
		return err
	}
	q := be.queue()
	q.sgd(elems(pt.n), pt.n, momentum, weightDecay, lt.p, pt.p, gt.p, bp)
	return q.Err()
}

// AdamW applies one step of Adam with decoupled weight decay; the kernel reads
// the learning rate from lr and the step number from step, and computes the bias
// corrections itself.
func (be *Backend) AdamW(param, grad, m, v, lr, step gru.Tensor, beta1, beta2, eps, weightDecay float64) error {
	pt, gt, mt, vt, lt, st, err := be.kit.AdamW(param, grad, m, v, lr, step)
	if err != nil {
		return err
	}
	q := be.queue()
	q.adamw(elems(pt.n), pt.n, beta1, beta2, eps, weightDecay, st.p, lt.p, pt.p, gt.p, mt.p, vt.p)
	return q.Err()
}

// ClipGradNorm measures the global L2 norm on the device (deterministic partial
// sums, then one final sum), scales the gradients there, and writes the norm to
// norm when it is not nil; nothing comes back to the host.
func (be *Backend) ClipGradNorm(grads []gru.Tensor, maxNorm float64, norm gru.Tensor) error {
	nt, err := be.tensor("ClipGradNorm: norm", norm)
	if err != nil {
		return err
	}
	if nt != nil {
		if err := backendkit.CheckScalar("ClipGradNorm", "norm", nt.shape); err != nil {
			return err
		}
	}
	ts := make([]*Tensor, len(grads))
	blocks := 0
	for i, g := range grads {
		t, err := be.mustTensor(fmt.Sprintf("ClipGradNorm: grads[%d]", i), g)
		if err != nil {
			return err
		}
		ts[i] = t
		blocks += squareBlocks(t.n)
	}
	if blocks > partialCap {
		return fmt.Errorf("cuda: ClipGradNorm: %d tensors need %d partial sums, more than %d", len(ts), blocks, partialCap)
	}
	q := be.queue()
	off := 0
	for _, t := range ts {
		nb := squareBlocks(t.n)
		q.sumSquares(reduceBlocks(nb), t.n, t.p, be.partial.Add(off, 8))
		off += nb
	}
	q.sumFinal(reduceBlocks(1), off, be.partial, be.scratch)
	for _, t := range ts {
		q.clipScale(elems(t.n), t.n, t.p, be.scratch, maxNorm)
	}
	if nt != nil {
		q.normFinal(elems(1), be.scratch, nt.p)
	}
	return q.Err()
}

// squareBlocks is the grid of a sum-of-squares pass over n elements: enough blocks
// to cover n once, at most 32.
func squareBlocks(n int) int { return max(1, min(32, (n+reduceThreads-1)/reduceThreads)) }

// pair and sameLen resolve the two tensors of op (backendkit.Resolver).
func (be *Backend) pair(op string, a, b gru.Tensor) (*Tensor, *Tensor, error) {
	return be.kit.Pair(op, a, b)
}

func (be *Backend) sameLen(op string, a, b gru.Tensor) (*Tensor, *Tensor, error) {
	return be.kit.SameLen(op, a, b)
}
