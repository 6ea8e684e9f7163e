package cpu

import (
	"github.com/gogru/gogru/gru"
)

// Backward propagates gradients through the last Forward; see gru.Stack.
func (s *stack[T]) Backward(dy, dhN, dx, dh0 gru.Tensor) error {
	dyt, dhNt, dxt, dh0t, err := s.checkBackward(dy, dhN, dx, dh0)
	if err != nil {
		return err
	}
	cfg, ws := s.cfg, s.ws
	steps, batch := ws.steps, ws.batch
	H, dirs, TB := cfg.HiddenSize, cfg.Directions(), steps*batch

	// dY is the gradient w.r.t. the current layer's output, time-major [T·B, dirs·H].
	dY := dyt.data
	if cfg.Layout == gru.BatchFirst {
		transposeTB(ws.dyTop, dyt.data, batch, steps, cfg.OutputSize())
		dY = ws.dyTop
	}
	bufs := [2][]T{ws.dyA, ws.dyB}
	for l := cfg.Layers - 1; l >= 0; l-- {
		din := cfg.LayerInputSize(l)
		in := ws.x0
		if l > 0 {
			in = ws.layerOut[l-1]
		}
		s.pass.startBackward(l, in, dY, dataOf(dhNt), dataOf(dh0t))

		// dX = Σ_d dGx_d·W_x,dᵀ: [T·B,3H]·[3H,din], one GEMM per direction over all steps.
		var dX []T
		switch {
		case l > 0:
			dX = bufs[l%2][:TB*din]
		case dxt == nil:
			continue
		case cfg.Layout == gru.BatchFirst:
			dX = ws.dxTimeMaj
		default:
			dX = dxt.data
		}
		for d := range dirs {
			beta := T(0)
			if d > 0 {
				beta = 1
			}
			s.parGemm(&ws.dirs[d].g, false, true, TB, din, 3*H, 1, ws.dirs[d].dGx, 3*H, s.cell(l*dirs+d).wx, 3*H, beta, dX, din)
		}
		if l == 0 && cfg.Layout == gru.BatchFirst {
			transposeTB(dxt.data, dX, steps, batch, din)
		}
		dY = dX
	}
	return nil
}

// backwardCell sweeps cell (layer l, direction d) in reverse processing order with
// the fused backward pass and the dH GEMM, then accumulates dW_x, dW_h, db_x and db_h
// with one GEMM or reduction each over all steps. dY is [T·B, dirs·H]; in is the
// cell's input [T·B, din]. On return ws.dirs[d].dh holds dH0.
func (s *stack[T]) backwardCell(cell, d int, dY, in []T, din int) {
	cfg, ws := s.cfg, s.ws
	H, B, steps := cfg.HiddenSize, ws.batch, ws.steps
	c := s.cell(cell)
	w := &ws.dirs[d]
	hs, gates := ws.hs[cell], ws.gates[cell]

	k := &w.bwd
	k.H, k.lens, k.dh, k.drh, k.yStride = H, ws.lens, w.dh, w.drh, cfg.OutputSize()
	for step := steps - 1; step >= 0; step-- {
		t := step
		if d == 1 {
			t = steps - 1 - step
		}
		k.t = t
		k.gates = gates[step*B*4*H : (step+1)*B*4*H]
		k.hPrev = hs[step*B*H : (step+1)*B*H]
		k.dy = dY[t*B*k.yStride+d*H:]
		k.dGx = w.dGx[t*B*3*H : (t+1)*B*3*H]
		k.dGh = w.dGh[step*B*3*H : (step+1)*B*3*H]
		if cfg.Variant == gru.ResetAfter {
			s.be.pool.run(gruBwdAfter[T]{k}, B, 3*H)
			// dH += dGh·W_hᵀ: [B,3H]·[3H,H].
			s.parGemm(&w.g, false, true, B, H, 3*H, 1, k.dGh, 3*H, c.wh, 3*H, 1, w.dh, H)
			continue
		}
		s.be.pool.run(gruBwdBefore1[T]{k}, B, 2*H)
		// d(R⊙H) = da_n·W_hnᵀ: [B,H]·[H,H].
		s.parGemm(&w.g, false, true, B, H, H, 1, k.dGh[2*H:], 3*H, c.wh[2*H:], 3*H, 0, w.drh, H)
		s.be.pool.run(gruBwdBefore2[T]{k}, B, H)
		// dH += [da_r da_z]·[W_hr W_hz]ᵀ: [B,2H]·[2H,H].
		s.parGemm(&w.g, false, true, B, H, 2*H, 1, k.dGh, 3*H, c.wh, 3*H, 1, w.dh, H)
	}

	TB := steps * B
	// dW_x += Xᵀ·dGx: [din,T·B]·[T·B,3H].
	s.parGemm(&w.g, true, false, din, 3*H, TB, 1, in, din, w.dGx, 3*H, 1, c.dwx, 3*H)
	if cfg.Variant == gru.ResetAfter {
		// dW_h += H_prevᵀ·dGh: [H,T·B]·[T·B,3H]; hs rows 0..T·B−1 are the states before each step.
		s.parGemm(&w.g, true, false, H, 3*H, TB, 1, hs, H, w.dGh, 3*H, 1, c.dwh, 3*H)
	} else {
		// dW_h[:, :2H] += H_prevᵀ·dGh[:, :2H]; dW_h[:, 2H:] += (R⊙H)ᵀ·dGh[:, 2H:].
		s.parGemm(&w.g, true, false, H, 2*H, TB, 1, hs, H, w.dGh, 3*H, 1, c.dwh, 3*H)
		s.parGemm(&w.g, true, false, H, H, TB, 1, gates[3*H:], 4*H, w.dGh[2*H:], 3*H, 1, c.dwh[2*H:], 3*H)
	}
	sumRows(c.dbx, w.dGx, TB, 3*H)
	sumRows(c.dbh, w.dGh, TB, 3*H)
}

// sumRows adds the column sums of src [rows, cols] to dst [cols], row by row in
// order, so the result is reproducible.
func sumRows[T Float](dst, src []T, rows, cols int) {
	for r := range rows {
		row := src[r*cols : (r+1)*cols]
		for j, v := range row {
			dst[j] += v
		}
	}
}
