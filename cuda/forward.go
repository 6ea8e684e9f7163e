package cuda

import (
	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Forward runs the stack on the device; see gru.Stack.
func (s *stack) Forward(x, h0 gru.Tensor, lengths []int, y, hN gru.Tensor) error {
	xt, h0t, yt, hNt, err := s.checkForward(x, h0, lengths, y, hN)
	if err != nil {
		return err
	}
	be, cfg := s.be, s.cfg
	steps, batch := backendkit.SeqDims(cfg, xt.shape)
	if s.ws == nil || s.ws.steps != steps || s.ws.batch != batch {
		if s.ws != nil {
			if err := s.ws.free(be.dev); err != nil {
				return err
			}
			s.ws = nil
		}
		if s.ws, err = newWorkspace(be, cfg, steps, batch); err != nil {
			return err
		}
	}
	ws := s.ws
	s.saved = false
	s.fwdDrop = s.drop
	plan, timed, err := s.passPlan(true)
	if err != nil {
		return err
	}
	q := be.queue()
	ws.setLengths(q, lengths)
	es, H := be.esize(), cfg.HiddenSize
	s.toTimeMajor(q, ws.x0, xt.p, steps, batch, cfg.InputSize)
	in := ws.x0
	for l := range cfg.Layers {
		out := ws.top
		if l < cfg.Layers-1 {
			out = ws.layerOut[l]
		}
		s.eachDirection(q, plan, func(d int) {
			cell := l*cfg.Directions() + d
			q.copyOrZero(ws.hs[cell], cellRows(h0t, cell, batch*H, es), batch*H*es)
			s.forwardCell(q, plan, cell, d, in, cfg.LayerInputSize(l), out)
		})
		s.dropLayer(q, out, l) // in place: the layer's backward reads its states, not its output
		in = out
	}
	s.fromTimeMajor(q, yt.p, ws.top, steps, batch, cfg.OutputSize())
	if hNt != nil {
		for cell := range cfg.Cells() {
			q.dtod(cellRows(hNt, cell, batch*H, es), ws.hs[cell].Add(steps*batch*H, es), batch*H*es)
		}
	}
	if err := q.Err(); err != nil {
		return err
	}
	if err := timed(); err != nil {
		return err
	}
	s.saved = true
	return nil
}

// cellRows returns the address of cell's n elements of size es in t, a tensor of
// per-cell states [cells, B, H] (h0, hN and their gradients), or 0 when t is nil.
func cellRows(t *Tensor, cell, n, es int) device.Ptr {
	if t == nil {
		return 0
	}
	return t.p.Add(cell*n, es)
}

// toTimeMajor copies a user sequence [T,B,w] or [B,T,w] into time-major dst.
func (s *stack) toTimeMajor(q *queue, dst, src device.Ptr, steps, batch, w int) {
	if s.cfg.Layout == gru.BatchFirst {
		q.transpose01(elems(steps*batch*w), batch, steps, w, src, dst)
		return
	}
	q.dtod(dst, src, steps*batch*w*s.be.esize())
}

// fromTimeMajor copies time-major src to a user sequence in the stack's layout.
func (s *stack) fromTimeMajor(q *queue, dst, src device.Ptr, steps, batch, w int) {
	if s.cfg.Layout == gru.BatchFirst {
		q.transpose01(elems(steps*batch*w), steps, batch, w, src, dst)
		return
	}
	q.dtod(dst, src, steps*batch*w*s.be.esize())
}

// forwardCell runs cell (layer l, direction d): one GEMM for the input projection of
// all T·B rows, then per step the recurrent GEMM(s) and the fused pointwise kernel,
// or, with a persistent plan, every step in one persistent kernel. in is
// [T·B, din]; the cell writes columns [d·H, (d+1)·H) of out [T·B, dirs·H].
func (s *stack) forwardCell(q *queue, plan *persistPlan, cell, d int, in device.Ptr, din int, out device.Ptr) {
	be, cfg, ws := s.be, s.cfg, s.ws
	es, H, B, steps := be.esize(), cfg.HiddenSize, ws.batch, ws.steps
	p := s.cell(cell).param
	w := ws.dirs[d]
	ystride := cfg.OutputSize()

	// xproj = X·W_x + b_x: rows set to b_x, then one GEMM [T·B,din]·[din,3H] with beta 1.
	q.addRow(elems(steps*B*3*H), steps*B, 3*H, p.bx, w.xproj, 0)
	q.gemm(false, false, steps*B, 3*H, din, 1, in, din, p.wx, 3*H, 1, w.xproj, 3*H)
	if plan != nil && ws.persist != nil {
		s.forwardPersistent(q, plan, cell, d, out)
		if !s.persistentFailed(q) {
			be.runs.Persistent++
			return
		}
	}
	be.runs.GEMM++
	hs, gates := ws.hs[cell], ws.gates[cell]
	for step := range steps {
		t := step
		if d == 1 {
			t = steps - 1 - step
		}
		xp := w.xproj.Add(t*B*3*H, es)
		g := gates.Add(step*B*4*H, es)
		hPrev, hNext := hs.Add(step*B*H, es), hs.Add((step+1)*B*H, es)
		y := out.Add(t*B*ystride+d*H, es)
		if cfg.Variant == gru.ResetAfter {
			// hh = H·W_h: [B,H]·[H,3H].
			q.gemm(false, false, B, 3*H, H, 1, hPrev, H, p.wh, 3*H, 0, w.hh, 3*H)
			q.gruFwdAfter(elems(B*H), B, H, t, ws.lens, xp, w.hh, p.bh, hPrev, hNext, g, y, ystride)
			continue
		}
		// hh[:, :2H] = H·[W_hr W_hz]; then hh[:, 2H:] = (R⊙H)·W_hn.
		q.gemm(false, false, B, 2*H, H, 1, hPrev, H, p.wh, 3*H, 0, w.hh, 3*H)
		q.gruFwdBefore1(elems(B*H), B, H, t, ws.lens, xp, w.hh, p.bh, hPrev, g)
		q.gemm(false, false, B, H, H, 1, g.Add(3*H, es), 4*H, p.wh.Add(2*H, es), 3*H, 0, w.hh.Add(2*H, es), 3*H)
		q.gruFwdBefore2(elems(B*H), B, H, t, ws.lens, xp, w.hh, p.bh, hPrev, hNext, g, y, ystride)
	}
}
