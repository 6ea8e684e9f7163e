package cuda

import (
	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Dropout applies dropout with Philox4x32-10 masks drawn on the device, the step
// number read there; see gru.Ops.Dropout.
func (be *Backend) Dropout(dst, src gru.Tensor, p float64, seed uint64, stream int, step gru.IDs) error {
	dt, st, err := be.pair("Dropout", dst, src)
	if err == nil {
		err = backendkit.CheckDropoutOp(dt.shape, st.shape, p, stream, step)
	}
	if err != nil {
		return err
	}
	if p == 0 {
		if dt.p == st.p {
			return nil
		}
		return be.dev.DtoD(dt.p, st.p, dt.n*be.esize())
	}
	ids, err := be.liveIDs("Dropout: step", step)
	if err != nil {
		return err
	}
	q := be.queue()
	q.launchDropout(st.p, dt.p, dt.n, p, seed, stream, ids.p)
	return q.Err()
}

// launchDropout queues the dropout kernel over n elements of x into y.
func (q *queue) launchDropout(x, y device.Ptr, n int, p float64, seed uint64, stream int, step device.Ptr) {
	key := backendkit.DropoutKey(seed)
	q.dropout(elems(n), n, asInt(backendkit.DropoutThreshold(p)), asInt(key[0]), asInt(key[1]),
		asInt(uint32(stream)), 1/(1-p), step, x, y)
}

// asInt is the int whose int32 has w's bits: how a 32-bit unsigned kernel
// argument crosses as the int the launch methods pass.
func asInt(w uint32) int { return int(int32(w)) }

// SetDropout sets the dropout between layers; see gru.Stack.
func (s *stack) SetDropout(d gru.Dropout) error {
	if s.closed {
		return gru.ErrClosed
	}
	if err := backendkit.CheckDropout("SetDropout", d.P, 0, d.Step); err != nil {
		return err
	}
	if d.P > 0 {
		if _, err := s.be.liveIDs("SetDropout: step", d.Step); err != nil {
			return err
		}
	}
	s.drop = d
	return nil
}

// dropLayer queues the mask of the output of layer l (stream l+1) of the last
// Forward over buf, the layer's output or its gradient ([T·B, dirs·H]), in place.
func (s *stack) dropLayer(q *queue, buf device.Ptr, l int) {
	d := s.fwdDrop
	if d.P == 0 || l == s.cfg.Layers-1 {
		return
	}
	n := s.ws.steps * s.ws.batch * s.cfg.OutputSize()
	q.launchDropout(buf, buf, n, d.P, d.Seed, l+1, d.Step.(*IDs).p)
}
