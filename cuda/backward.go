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

	dY := dyt.p
	if cfg.Layout == gru.BatchFirst {
		if err := s.toTimeMajor(ws.dyTop, dyt.p, steps, batch, cfg.OutputSize()); err != nil {
			return err
		}
		dY = ws.dyTop
	}
	bufs := [2]ptr{ws.dyA, ws.dyB}
	for l := cfg.Layers - 1; l >= 0; l-- {
		din := cfg.LayerInputSize(l)
		in := ws.x0
		if l > 0 {
			in = ws.layerOut[l-1]
		}
		for d := range dirs {
			cell := l*dirs + d
			dh, n := ws.dirs[d].dh, batch*H*es
			if dhNt != nil {
				err = be.dev.dtod(dh, dhNt.p.add(cell*batch*H, es), n)
			} else {
				err = be.dev.memsetZero(dh, n)
			}
			if err != nil {
				return err
			}
			if err := s.backwardCell(cell, d, dY, in, din); err != nil {
				return err
			}
			if dh0t != nil {
				if err := be.dev.dtod(dh0t.p.add(cell*batch*H, es), dh, n); err != nil {
					return err
				}
			}
		}
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
			if err := be.rowGemm(false, true, TB, din, 3*H, 1, ws.dirs[d].dGx, 3*H, wx, 3*H, beta, dX, din); err != nil {
				return err
			}
		}
		if l == 0 && cfg.Layout == gru.BatchFirst {
			if err := s.fromTimeMajor(dxt.p, dX, steps, batch, din); err != nil {
				return err
			}
		}
		dY = dX
	}
	return nil
}

// backwardCell sweeps cell (layer l, direction d) in reverse with the fused backward
// kernels and the dH GEMMs, then accumulates dW_x, dW_h (one GEMM each over all
// steps) and db_x, db_h (deterministic column sums). On return ws.dirs[d].dh is dH0.
func (s *stack) backwardCell(cell, d int, dY, in ptr, din int) error {
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
		args := []uint64{argInt(B), argInt(H), argInt(t), argPtr(ws.lens), argPtr(g), argPtr(hPrev), argPtr(dy), argInt(ystride),
			argPtr(dgx), argPtr(dgh), argPtr(w.dh)}
		if cfg.Variant == gru.ResetAfter {
			if err := be.elementwise("gru_bwd_after", B*H, args...); err != nil {
				return err
			}
			// dH += dGh·W_hᵀ: [B,3H]·[3H,H].
			if err := be.rowGemm(false, true, B, H, 3*H, 1, dgh, 3*H, c.param.wh, 3*H, 1, w.dh, H); err != nil {
				return err
			}
			continue
		}
		if err := be.elementwise("gru_bwd_before1", B*H, args...); err != nil {
			return err
		}
		// d(R⊙H) = da_n·W_hnᵀ: [B,H]·[H,H].
		if err := be.rowGemm(false, true, B, H, H, 1, dgh.add(2*H, es), 3*H, c.param.wh.add(2*H, es), 3*H, 0, w.drh, H); err != nil {
			return err
		}
		if err := be.elementwise("gru_bwd_before2", B*H, argInt(B), argInt(H), argInt(t), argPtr(ws.lens), argPtr(g), argPtr(hPrev),
			argPtr(w.drh), argPtr(dgx), argPtr(dgh), argPtr(w.dh)); err != nil {
			return err
		}
		// dH += [da_r da_z]·[W_hr W_hz]ᵀ: [B,2H]·[2H,H].
		if err := be.rowGemm(false, true, B, H, 2*H, 1, dgh, 3*H, c.param.wh, 3*H, 1, w.dh, H); err != nil {
			return err
		}
	}
	TB := steps * B
	// dW_x += Xᵀ·dGx: [din,T·B]·[T·B,3H].
	if err := be.rowGemm(true, false, din, 3*H, TB, 1, in, din, w.dGx, 3*H, 1, c.grad.wx, 3*H); err != nil {
		return err
	}
	if cfg.Variant == gru.ResetAfter {
		// dW_h += H_prevᵀ·dGh: [H,T·B]·[T·B,3H].
		if err := be.rowGemm(true, false, H, 3*H, TB, 1, hs, H, w.dGh, 3*H, 1, c.grad.wh, 3*H); err != nil {
			return err
		}
	} else {
		// dW_h[:, :2H] += H_prevᵀ·dGh[:, :2H]; dW_h[:, 2H:] += (R⊙H)ᵀ·dGh[:, 2H:].
		if err := be.rowGemm(true, false, H, 2*H, TB, 1, hs, H, w.dGh, 3*H, 1, c.grad.wh, 3*H); err != nil {
			return err
		}
		if err := be.rowGemm(true, false, H, H, TB, 1, gates.add(3*H, es), 4*H, w.dGh.add(2*H, es), 3*H, 1, c.grad.wh.add(2*H, es), 3*H); err != nil {
			return err
		}
	}
	if err := be.sumRows(c.grad.bx, w.dGx, TB, 3*H, 1); err != nil {
		return err
	}
	return be.sumRows(c.grad.bh, w.dGh, TB, 3*H, 1)
}
