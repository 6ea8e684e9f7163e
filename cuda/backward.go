package cuda

import (
	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Backward propagates gradients through the last Forward on the device.
func (s *stack) Backward(dy, dhN, dx, dh0 gru.Tensor) error {
	dyt, dhNt, dxt, dh0t, err := s.checkBackward(dy, dhN, dx, dh0)
	if err != nil {
		return err
	}
	be, cfg, ws := s.be, s.cfg, s.ws
	es, steps, batch := be.esize(), ws.steps, ws.batch
	H, dirs := cfg.HiddenSize, cfg.Directions()
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
	bufs := [2]device.Ptr{ws.dyA, ws.dyB}
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
		// dX = Σ_d dGx_d·W_x,dᵀ, one GEMM per direction over all steps.
		var dX device.Ptr
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
		bp := s.backwardPlan(din)
		for d := range dirs {
			bufs := s.cellOperands(l*dirs+d, d, in)
			bufs[backendkit.DX] = dX
			q.planGemm(bp.InputGrad(d), &bufs, es)
		}
		if l == 0 && cfg.Layout == gru.BatchFirst {
			s.fromTimeMajor(q, dxt.p, dX, steps, batch, din)
		}
		if l > 0 {
			s.dropLayer(q, dX, l-1) // the mask layer l−1's output was dropped with
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
func (s *stack) backwardCell(q *queue, plan *persistPlan, cell, d int, dY, in device.Ptr, din int) {
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
	TB := steps * B
	bufs := s.cellOperands(cell, d, in)
	gs, n := s.backwardPlan(din).WeightGrads()
	for _, g := range gs[:n] {
		q.planGemm(g, &bufs, es)
	}
	q.sumRows(colSums(3*H), TB, 3*H, w.dGx, c.grad.bx, 1)
	q.sumRows(colSums(3*H), TB, 3*H, w.dGh, c.grad.bh, 1)
}

// backwardSteps is backwardCell's reverse sweep step by step: per step the fused
// backward kernel(s) and the dH GEMM(s).
func (s *stack) backwardSteps(q *queue, cell, d int, dY device.Ptr) {
	be, cfg, ws := s.be, s.cfg, s.ws
	es, H, B, steps := be.esize(), cfg.HiddenSize, ws.batch, ws.steps
	w := ws.dirs[d]
	hs, gates := ws.hs[cell], ws.gates[cell]
	ystride := cfg.OutputSize()
	plan := s.backwardPlan(cfg.LayerInputSize(cell / cfg.Directions()))
	bufs := s.cellOperands(cell, d, 0)
	for step := steps - 1; step >= 0; step-- {
		t := step
		if d == 1 {
			t = steps - 1 - step
		}
		g := gates.Add(step*B*4*H, es)
		hPrev := hs.Add(step*B*H, es)
		dy := dY.Add(t*B*ystride+d*H, es)
		dgx, dgh := w.dGx.Add(t*B*3*H, es), w.dGh.Add(step*B*3*H, es)
		if cfg.Variant == gru.ResetAfter {
			q.gruBwdAfter(elems(B*H), B, H, t, ws.lens, g, hPrev, dy, ystride, dgx, dgh, w.dh)
		} else {
			q.gruBwdBefore1(elems(B*H), B, H, t, ws.lens, g, hPrev, dy, ystride, dgx, dgh, w.dh)
			q.planGemm(plan.DRHStep(step), &bufs, es)
			q.gruBwdBefore2(elems(B*H), B, H, t, ws.lens, g, hPrev, w.drh, dgx, dgh, w.dh)
		}
		q.planGemm(plan.DHStep(step), &bufs, es)
	}
}

// operands are a cell's device buffers by backendkit.Operand, for planGemm.
type operands [backendkit.NumOperands]device.Ptr

// cellOperands maps the backward plan's operands of cell (in direction d) to its
// device buffers; in is the cell's input. DX, the layer's, is the caller's to set.
func (s *stack) cellOperands(cell, d int, in device.Ptr) operands {
	ws, c := s.ws, s.cell(cell)
	w := ws.dirs[d]
	var o operands
	o[backendkit.In], o[backendkit.HPrev], o[backendkit.Gates] = in, ws.hs[cell], ws.gates[cell]
	o[backendkit.DGx], o[backendkit.DGh], o[backendkit.DH], o[backendkit.DRH] = w.dGx, w.dGh, w.dh, w.drh
	o[backendkit.Wx], o[backendkit.Wh], o[backendkit.DWx], o[backendkit.DWh] = c.param.wx, c.param.wh, c.grad.wx, c.grad.wh
	return o
}

// backwardPlan is the GEMM plan of Backward for a layer whose input has din columns.
func (s *stack) backwardPlan(din int) backendkit.BackwardPlan {
	return backendkit.BackwardPlan{Variant: s.cfg.Variant, H: s.cfg.HiddenSize, Din: din, Batch: s.ws.batch, Steps: s.ws.steps}
}

// planGemm queues one GEMM of the plan on bufs, whose elements are es bytes.
func (q *queue) planGemm(g backendkit.GEMM, bufs *operands, es int) {
	q.gemm(g.TransA, g.TransB, g.M, g.N, g.K, 1, bufs[g.A.Of].Add(g.A.Off, es), g.A.LD,
		bufs[g.B.Of].Add(g.B.Off, es), g.B.LD, g.Beta, bufs[g.C.Of].Add(g.C.Off, es), g.C.LD)
}
