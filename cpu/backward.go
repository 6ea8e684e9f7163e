package cpu

import (
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Backward propagates gradients through the last Forward; see gru.Stack.
func (s *stack[T]) Backward(dy, dhN, dx, dh0 gru.Tensor) error {
	dyt, dhNt, dxt, dh0t, err := s.checkBackward(dy, dhN, dx, dh0)
	if err != nil {
		return err
	}
	cfg, ws := s.cfg, s.ws
	steps, batch := ws.steps, ws.batch
	dirs, TB := cfg.Directions(), steps*batch

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

		// dX = Σ_d dGx_d·W_x,dᵀ, one GEMM per direction over all steps.
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
		plan := s.backwardPlan(din)
		for d := range dirs {
			var bufs operands[T]
			bufs[backendkit.DGx], bufs[backendkit.Wx], bufs[backendkit.DX] = ws.dirs[d].dGx, s.cell(l*dirs+d).wx, dX
			s.planGemm(&ws.dirs[d].g, plan.InputGrad(d), &bufs)
		}
		if l == 0 && cfg.Layout == gru.BatchFirst {
			transposeTB(dxt.data, dX, steps, batch, din)
		}
		if l > 0 {
			s.dropLayer(dX, l-1) // the mask layer l−1's output was dropped with
		}
		dY = dX
	}
	return nil
}

// backwardCell sweeps cell (layer l, direction d) in reverse processing order with
// the fused backward pass and the dH GEMMs (as a row sweep where the forward was
// one: backwardsweep.go), then accumulates dW_x, dW_h, db_x and db_h
// with one GEMM or reduction each over all steps, as backendkit.BackwardPlan lays
// out. dY is [T·B, dirs·H]; in is the cell's input [T·B, din]. On return
// ws.dirs[d].dh holds dH0.
func (s *stack[T]) backwardCell(cell, d int, dY, in []T, din int) {
	cfg, ws := s.cfg, s.ws
	H, B, steps := cfg.HiddenSize, ws.batch, ws.steps
	c := s.cell(cell)
	w := &ws.dirs[d]
	hs, gates := ws.hs[cell], ws.gates[cell]
	plan := s.backwardPlan(din)
	var bufs operands[T]
	bufs[backendkit.In], bufs[backendkit.HPrev], bufs[backendkit.Gates] = in, hs, gates
	bufs[backendkit.DGx], bufs[backendkit.DGh], bufs[backendkit.DH], bufs[backendkit.DRH] = w.dGx, w.dGh, w.dh, w.drh
	bufs[backendkit.Wh], bufs[backendkit.DWx], bufs[backendkit.DWh] = c.wh, c.dwx, c.dwh

	if s.rowSweeps(w) {
		s.packRecurrentT(w, c.wh)
		s.backwardSweep(cell, d, dY)
	} else {
		k := &w.bwd
		s.initBackwardStep(k, d)
		for step := steps - 1; step >= 0; step-- {
			s.setBackwardStep(k, cell, d, step, dY)
			if cfg.Variant == gru.ResetAfter {
				s.be.pool.run(gruBwdAfter[T]{k}, B, 3*H)
			} else {
				s.be.pool.run(gruBwdBefore1[T]{k}, B, 2*H)
				s.planGemm(&w.g, plan.DRHStep(step), &bufs)
				s.be.pool.run(gruBwdBefore2[T]{k}, B, H)
			}
			s.planGemm(&w.g, plan.DHStep(step), &bufs)
		}
	}

	gs, n := plan.WeightGrads()
	for _, g := range gs[:n] {
		s.planGemm(&w.g, g, &bufs)
	}
	TB := steps * B
	if dGhIsDGx(cfg.Variant, d) {
		sumRows2(c.dbx, c.dbh, w.dGx, TB, 3*H)
		return
	}
	sumRows(c.dbx, w.dGx, TB, 3*H)
	sumRows(c.dbh, w.dGh, TB, 3*H)
}

// initBackwardStep sets the operands of direction d's fused backward passes that
// hold for every step.
func (s *stack[T]) initBackwardStep(k *backwardStep[T], d int) {
	w := &s.ws.dirs[d]
	k.H, k.lens, k.dh, k.drh, k.yStride = s.cfg.HiddenSize, s.ws.lens, w.dh, w.drh, s.cfg.OutputSize()
	k.shared = dGhIsDGx(s.cfg.Variant, d)
}

// setBackwardStep points k at processing step step of cell (direction d), whose
// output gradient columns in dY are [d·H, (d+1)·H).
func (s *stack[T]) setBackwardStep(k *backwardStep[T], cell, d, step int, dY []T) {
	H, B, ws := s.cfg.HiddenSize, s.ws.batch, s.ws
	w := &ws.dirs[d]
	t := step
	if d == 1 {
		t = ws.steps - 1 - step
	}
	k.t = t
	k.gates = ws.gates[cell][step*B*4*H : (step+1)*B*4*H]
	k.hPrev = ws.hs[cell][step*B*H : (step+1)*B*H]
	k.dy = dY[t*B*k.yStride+d*H:]
	k.dGx = w.dGx[t*B*3*H : (t+1)*B*3*H]
	k.dGh = w.dGh[step*B*3*H : (step+1)*B*3*H]
}

// operands are a cell's buffers by backendkit.Operand, for planGemm.
type operands[T Float] [backendkit.NumOperands][]T

// backwardPlan is the GEMM plan of Backward for a layer whose input has din columns.
func (s *stack[T]) backwardPlan(din int) backendkit.BackwardPlan {
	return backendkit.BackwardPlan{Variant: s.cfg.Variant, H: s.cfg.HiddenSize, Din: din, Batch: s.ws.batch, Steps: s.ws.steps}
}

// planGemm runs one GEMM of the plan on bufs, split across the workers (parGemm).
func (s *stack[T]) planGemm(task *gemmTask[T], g backendkit.GEMM, bufs *operands[T]) {
	s.parGemm(task, g.TransA, g.TransB, g.M, g.N, g.K, 1, bufs[g.A.Of][g.A.Off:], g.A.LD,
		bufs[g.B.Of][g.B.Off:], g.B.LD, T(g.Beta), bufs[g.C.Of][g.C.Off:], g.C.LD)
}
