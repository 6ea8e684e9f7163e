package cpu

import (
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Dropout applies dropout with Philox4x32-10 masks; see gru.Ops.Dropout.
func (be *Backend[T]) Dropout(dst, src gru.Tensor, p float64, seed uint64, stream int, step gru.IDs) error {
	dt, st, err := be.kit.Pair("Dropout", dst, src)
	if err == nil {
		err = backendkit.CheckDropoutOp(dt.shape, st.shape, p, stream, step)
	}
	if err != nil {
		return err
	}
	if p == 0 {
		copy(dt.data, st.data)
		return nil
	}
	ids, err := mustIDs("Dropout: step", step)
	if err != nil {
		return err
	}
	dropout(dt.data, st.data, p, seed, stream, ids.data[0])
	return nil
}

// dropout writes src with dropout at p > 0 to dst (which may be src): the mask
// of gru.Ops.Dropout, one Philox4x32-10 block for each 4 elements.
func dropout[T Float](dst, src []T, p float64, seed uint64, stream int, step int32) {
	key, theta := backendkit.DropoutKey(seed), backendkit.DropoutThreshold(p)
	scale := T(1 / (1 - p))
	for g := 0; g < len(src); g += 4 {
		r := backendkit.Philox4x32([4]uint32{uint32(g >> 2), uint32(stream), uint32(step), 0}, key)
		for j := range min(4, len(src)-g) {
			if r[j] >= theta {
				dst[g+j] = src[g+j] * scale
			} else {
				dst[g+j] = 0
			}
		}
	}
}

// SetDropout sets the dropout between layers; see gru.Stack.
func (s *stack[T]) SetDropout(d gru.Dropout) error {
	if s.closed {
		return gru.ErrClosed
	}
	if err := backendkit.CheckDropout("SetDropout", d.P, 0, d.Step); err != nil {
		return err
	}
	if d.P > 0 {
		if _, err := mustIDs("SetDropout: step", d.Step); err != nil {
			return err
		}
	}
	s.drop = d
	return nil
}

// dropLayer applies the mask of the output of layer l (stream l+1) of the last
// Forward to buf, the layer's output or its gradient, in place.
func (s *stack[T]) dropLayer(buf []T, l int) {
	d := s.fwdDrop
	if d.P == 0 || l == s.cfg.Layers-1 {
		return
	}
	dropout(buf, buf, d.P, d.Seed, l+1, d.Step.(*IDs).data[0])
}
