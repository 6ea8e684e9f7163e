package cpu

import (
	"sync"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// layerPass is one layer's forward or backward over its directions. It lives in
// the stack so that running a layer allocates nothing.
type layerPass[T Float] struct {
	s        *stack[T]
	backward bool
	l, din   int
	in       []T // the layer's input
	out      []T // forward: the layer's output
	h0       []T // forward: initial states (nil = zeros)
	dY       []T // backward: gradient w.r.t. the layer's output
	dhN, dh0 []T // backward: gradient w.r.t. the final states (nil = zeros); dH0 out (nil = unwanted)
	wg       sync.WaitGroup
}

// startForward runs layer l forward over every direction, from initial states h0.
func (p *layerPass[T]) startForward(l int, in, out, h0 []T) {
	p.set(false, l, in)
	p.out, p.h0 = out, h0
	p.runDirections()
}

// startBackward runs layer l backward over every direction: dY is the gradient
// w.r.t. its output, dhN w.r.t. its final states, and dh0 receives the gradient
// w.r.t. its initial states.
func (p *layerPass[T]) startBackward(l int, in, dY, dhN, dh0 []T) {
	p.set(true, l, in)
	p.dY, p.dhN, p.dh0 = dY, dhN, dh0
	p.runDirections()
}

// set sets what forward and backward passes share.
func (p *layerPass[T]) set(backward bool, l int, in []T) {
	p.backward, p.l, p.din, p.in = backward, l, p.s.cfg.LayerInputSize(l), in
}

// runDirections runs every direction of the layer, both at once when there are two.
func (p *layerPass[T]) runDirections() {
	if p.s.cfg.Directions() == 1 {
		p.run(0)
		return
	}
	p.wg.Add(1)
	go p.runAsync(1)
	p.run(0)
	p.wg.Wait()
}

func (p *layerPass[T]) runAsync(d int) {
	defer p.wg.Done()
	p.run(d)
}

// run processes direction d: it sets the initial state (or state gradient), sweeps
// the cell and, backward, hands back dH0.
func (p *layerPass[T]) run(d int) {
	s, ws := p.s, p.s.ws
	cell := p.l*s.cfg.Directions() + d
	n := ws.batch * s.cfg.HiddenSize
	if !p.backward {
		hs := ws.hs[cell]
		if p.h0 != nil {
			copy(hs[:n], p.h0[cell*n:(cell+1)*n])
		} else {
			clear(hs[:n])
		}
		s.forwardCell(cell, d, p.in, p.din, p.out)
		return
	}
	dh := ws.dirs[d].dh
	if p.dhN != nil {
		copy(dh, p.dhN[cell*n:(cell+1)*n])
	} else {
		clear(dh)
	}
	s.backwardCell(cell, d, p.dY, p.in, p.din)
	if p.dh0 != nil {
		copy(p.dh0[cell*n:(cell+1)*n], dh)
	}
}

// Forward runs the stack; see gru.Stack.
func (s *stack[T]) Forward(x, h0 gru.Tensor, lengths []int, y, hN gru.Tensor) error {
	xt, h0t, yt, hNt, err := s.checkForward(x, h0, lengths, y, hN)
	if err != nil {
		return err
	}
	cfg := s.cfg
	steps, batch := backendkit.SeqDims(cfg, xt.shape)
	if s.ws == nil || s.ws.steps != steps || s.ws.batch != batch {
		s.ws = newWorkspace[T](cfg, steps, batch)
	}
	ws := s.ws
	s.saved = false
	s.fwdDrop = s.drop
	for b := range batch {
		ws.lens[b] = steps
		if lengths != nil {
			ws.lens[b] = lengths[b]
		}
	}
	if cfg.Layout == gru.BatchFirst {
		transposeTB(ws.x0, xt.data, batch, steps, cfg.InputSize)
	} else {
		copy(ws.x0, xt.data)
	}

	H := cfg.HiddenSize
	in := ws.x0
	for l := range cfg.Layers {
		out := ws.top
		if l < cfg.Layers-1 {
			out = ws.layerOut[l]
		}
		s.pass.startForward(l, in, out, dataOf(h0t))
		s.dropLayer(out, l) // in place: the layer's backward reads its states, not its output
		in = out
	}

	if cfg.Layout == gru.BatchFirst {
		transposeTB(yt.data, ws.top, steps, batch, cfg.OutputSize())
	} else {
		copy(yt.data, ws.top)
	}
	if hNt != nil {
		for cell := range cfg.Cells() {
			copy(hNt.data[cell*batch*H:(cell+1)*batch*H], ws.hs[cell][steps*batch*H:])
		}
	}
	s.saved = true
	return nil
}

// forwardCell runs cell (layer l, direction d) over all steps: one GEMM for the
// input projection of all T·B rows, then per step the recurrent GEMM(s) and the
// fused pointwise pass. in is [T·B, din]; the cell writes columns [d·H, (d+1)·H)
// of out [T·B, dirs·H].
func (s *stack[T]) forwardCell(cell, d int, in []T, din int, out []T) {
	cfg, ws := s.cfg, s.ws
	H, B, steps := cfg.HiddenSize, ws.batch, ws.steps
	c := s.cell(cell)
	w := &ws.dirs[d]

	// xproj = X·W_x + b_x for every row: [T·B, 3H].
	for r := range steps * B {
		copy(w.xproj[r*3*H:(r+1)*3*H], c.bx)
	}
	s.parGemm(&w.g, false, false, steps*B, 3*H, din, 1, in, din, c.wx, 3*H, 1, w.xproj, 3*H)

	packed := w.whp != nil
	if packed {
		s.packRecurrent(w, c.wh)
		if s.rowSweeps(w) {
			s.packedSweep(cell, d, out)
			return
		}
	}
	k := &w.fwd
	s.initStep(k, cell, d)
	for step := range steps {
		s.setStep(k, cell, d, step, out)
		if cfg.Variant == gru.ResetAfter {
			// hh = H·W_h: [B,H]·[H,3H].
			if packed {
				s.packedGemm(&w.pg, B, 3*H, H, k.hPrev, H, w.whp, w.hh, 3*H)
			} else {
				s.parGemm(&w.g, false, false, B, 3*H, H, 1, k.hPrev, H, c.wh, 3*H, 0, w.hh, 3*H)
			}
			s.be.pool.run(gruFwdAfter[T]{k}, B, 3*H)
			continue
		}
		// hh[:, :2H] = H·[W_hr W_hz]; then hh[:, 2H:] = (R⊙H)·W_hn.
		if packed {
			s.packedGemm(&w.pg, B, 2*H, H, k.hPrev, H, w.whp, w.hh, 3*H)
		} else {
			s.parGemm(&w.g, false, false, B, 2*H, H, 1, k.hPrev, H, c.wh, 3*H, 0, w.hh, 3*H)
		}
		s.be.pool.run(gruFwdBefore1[T]{k}, B, 2*H)
		if packed {
			s.packedGemm(&w.pg, B, H, H, k.gates[3*H:], 4*H, w.whp2, w.hh[2*H:], 3*H)
		} else {
			s.parGemm(&w.g, false, false, B, H, H, 1, k.gates[3*H:], 4*H, c.wh[2*H:], 3*H, 0, w.hh[2*H:], 3*H)
		}
		s.be.pool.run(gruFwdBefore2[T]{k}, B, H)
	}
}

// initStep sets the operands of cell's fused forward passes that hold for every step.
func (s *stack[T]) initStep(k *forwardStep[T], cell, d int) {
	w := &s.ws.dirs[d]
	k.H, k.lens, k.bh, k.hh, k.yStride = s.cfg.HiddenSize, s.ws.lens, s.cell(cell).bh, w.hh, s.cfg.OutputSize()
}

// setStep points k at processing step step of cell (direction d), whose output
// columns in out are [d·H, (d+1)·H).
func (s *stack[T]) setStep(k *forwardStep[T], cell, d, step int, out []T) {
	H, B, ws := s.cfg.HiddenSize, s.ws.batch, s.ws
	t := step
	if d == 1 {
		t = ws.steps - 1 - step
	}
	hs, gates := ws.hs[cell], ws.gates[cell]
	k.t = t
	k.xp = ws.dirs[d].xproj[t*B*3*H : (t+1)*B*3*H]
	k.gates = gates[step*B*4*H : (step+1)*B*4*H]
	k.hPrev = hs[step*B*H : (step+1)*B*H]
	k.hNext = hs[(step+1)*B*H : (step+2)*B*H]
	k.y = out[t*B*k.yStride+d*H:]
}

// packRecurrent packs W_h for the packed small-batch products of forwardCell:
// all 3H columns for ResetAfter; for ResetBefore the r and z columns into whp and
// the n columns into whp2, since those two products have different left operands.
func (s *stack[T]) packRecurrent(w *dirWork[T], wh []T) {
	H := s.cfg.HiddenSize
	if s.cfg.Variant == gru.ResetAfter {
		packB32(w.whp, f32(wh), 3*H, H, 3*H)
		return
	}
	packB32(w.whp, f32(wh), 3*H, H, 2*H)
	packB32(w.whp2, f32(wh[2*H:]), 3*H, H, H)
}
