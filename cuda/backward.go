package cuda

import "github.com/gogru/gogru/gru"

// Backward propagates gradients through the last Forward on the device.
func (s *stack) Backward(dy, dhN, dx, dh0 gru.Tensor) error {
	dyt, dhNt, dxt, dh0t, err := s.checkBackward(dy, dhN, dx, dh0)
	if err != nil {
		return err
	}
	be, cfg, ws := s.be, s.cfg, s.ws
	es, steps, batch := be.esize(), ws.steps, ws.batch
	H, dirs, TB := cfg.HiddenSize, cfg.Directions(), steps*batch
	plan, timed, err := s.passPlan(false)
	if err != nil {
		return err
	}
	q := be.queue()

	dY := dyt.p
	if cfg.Layout == gru.BatchFirst {
		s.toTimeMajor(q, ws.dyTop, dyt.p, steps, batch, cfg.OutputSize())
		dY = ws.dyTop
	}
	bufs := [2]ptr{ws.dyA, ws.dyB}
	for l := cfg.Layers - 1; l >= 0; l-- {
		din := cfg.LayerInputSize(l)
		in := ws.x0
		if l > 0 {
			in = ws.layerOut[l-1]
		}
		s.eachDirection(q, plan, func(d int) {
			cell := l*dirs + d
			dh, n := ws.dirs[d].dh, batch*H*es
			q.copyOrZero(dh, cellRows(dhNt, cell, batch*H, es), n)
			s.backwardCell(q, plan, cell, d, dY, in, din)
			if dh0t != nil {
				q.dtod(cellRows(dh0t, cell, batch*H, es), dh, n)
			}
		})
		// dX = Σ_d dGx_d·W_x,dᵀ: [T·B,3H]·[3H,din], one GEMM per direction over all steps.
		var dX ptr
		switch {
		case l > 0:
			dX = bufs[l%2]
		case dxt == nil:
			continue
		case cfg.Layout == gru.BatchFirst:
			dX = ws.dxTM
		default:
			dX = dxt.p
		}
		for d := range dirs {
			wx := s.cell(l*dirs + d).param.wx
			beta := 0.0
			if d > 0 {
				beta = 1
			}
			q.gemm(false, true, TB, din, 3*H, 1, ws.dirs[d].dGx, 3*H, wx, 3*H, beta, dX, din)
		}
		if l == 0 && cfg.Layout == gru.BatchFirst {
			s.fromTimeMajor(q, dxt.p, dX, steps, batch, din)
		}
		dY = dX
	}
	if err := q.Err(); err != nil {
		return err
	}
	return timed()
}

// backwardCell sweeps cell (layer l, direction d) in reverse with the fused backward
// kernels and the dH GEMMs (or, with a persistent plan, in one persistent kernel),
// then accumulates dW_x, dW_h (one GEMM each over all steps) and db_x, db_h
// (deterministic column sums). On return ws.dirs[d].dh is dH0.
func (s *stack) backwardCell(q *queue, plan *persistPlan, cell, d int, dY, in ptr, din int) {
	be, cfg, ws := s.be, s.cfg, s.ws
	es, H, B, steps := be.esize(), cfg.HiddenSize, ws.batch, ws.steps
	c := s.cell(cell)
	w := ws.dirs[d]
	persistent := plan != nil && ws.persist != nil
	if persistent {
		s.backwardPersistent(q, plan, cell, d, dY)
		persistent = !s.persistentFailed(q)
	}
	if persistent {
		be.runs.Persistent++
	} else {
		be.runs.GEMM++
		s.backwardSteps(q, cell, d, dY)
	}
	hs, gates := ws.hs[cell], ws.gates[cell]
	TB := steps * B
	// dW_x += Xᵀ·dGx: [din,T·B]·[T·B,3H].
	q.gemm(true, false, din, 3*H, TB, 1, in, din, w.dGx, 3*H, 1, c.grad.wx, 3*H)
	if cfg.Variant == gru.ResetAfter {
		// dW_h += H_prevᵀ·dGh: [H,T·B]·[T·B,3H].
		q.gemm(true, false, H, 3*H, TB, 1, hs, H, w.dGh, 3*H, 1, c.grad.wh, 3*H)
	} else {
		// dW_h[:, :2H] += H_prevᵀ·dGh[:, :2H]; dW_h[:, 2H:] += (R⊙H)ᵀ·dGh[:, 2H:].
		q.gemm(true, false, H, 2*H, TB, 1, hs, H, w.dGh, 3*H, 1, c.grad.wh, 3*H)
		q.gemm(true, false, H, H, TB, 1, gates.add(3*H, es), 4*H, w.dGh.add(2*H, es), 3*H, 1, c.grad.wh.add(2*H, es), 3*H)
	}
	q.sumRows(colSums(3*H), TB, 3*H, w.dGx, c.grad.bx, 1)
	q.sumRows(colSums(3*H), TB, 3*H, w.dGh, c.grad.bh, 1)
}

// backwardSteps is backwardCell's reverse sweep step by step: per step the fused
// backward kernel(s) and the dH GEMM(s).
func (s *stack) backwardSteps(q *queue, cell, d int, dY ptr) {
	be, cfg, ws := s.be, s.cfg, s.ws
	es, H, B, steps := be.esize(), cfg.HiddenSize, ws.batch, ws.steps
	c := s.cell(cell)
	w := ws.dirs[d]
	hs, gates := ws.hs[cell], ws.gates[cell]
	ystride := cfg.OutputSize()
	for step := steps - 1; step >= 0; step-- {
		t := step
		if d == 1 {
			t = steps - 1 - step
		}
		g := gates.add(step*B*4*H, es)
		hPrev := hs.add(step*B*H, es)
		dy := dY.add(t*B*ystride+d*H, es)
		dgx, dgh := w.dGx.add(t*B*3*H, es), w.dGh.add(step*B*3*H, es)
		if cfg.Variant == gru.ResetAfter {
			q.gruBwdAfter(elems(B*H), B, H, t, ws.lens, g, hPrev, dy, ystride, dgx, dgh, w.dh)
			// dH += dGh·W_hᵀ: [B,3H]·[3H,H].
			q.gemm(false, true, B, H, 3*H, 1, dgh, 3*H, c.param.wh, 3*H, 1, w.dh, H)
			continue
		}
		q.gruBwdBefore1(elems(B*H), B, H, t, ws.lens, g, hPrev, dy, ystride, dgx, dgh, w.dh)
		// d(R⊙H) = da_n·W_hnᵀ: [B,H]·[H,H].
		q.gemm(false, true, B, H, H, 1, dgh.add(2*H, es), 3*H, c.param.wh.add(2*H, es), 3*H, 0, w.drh, H)
		q.gruBwdBefore2(elems(B*H), B, H, t, ws.lens, g, hPrev, w.drh, dgx, dgh, w.dh)
		// dH += [da_r da_z]·[W_hr W_hz]ᵀ: [B,2H]·[2H,H].
		q.gemm(false, true, B, H, 2*H, 1, dgh, 3*H, c.param.wh, 3*H, 1, w.dh, H)
	}
}
