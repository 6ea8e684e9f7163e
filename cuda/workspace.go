package cuda

import "github.com/gogru/gogru/gru"

// workspace is every device buffer a Forward and Backward of one (T, B) shape
// needs, allocated once per shape with the driver's plain allocation and reused;
// nothing is allocated in the time loop. Sequence buffers are time-major.
type workspace struct {
	steps, batch int
	allocs       []ptr

	lens     ptr   // int32 [B] valid lengths
	x0       ptr   // [T·B, D] copy of the input
	layerOut []ptr // per layer below the top: [T·B, dirs·H]
	top      ptr   // [T·B, dirs·H]
	hs       []ptr // per cell: [(T+1)·B, H] states in processing order
	gates    []ptr // per cell: [T·B, 4H]
	dirs     [2]dirWork
	dyA, dyB ptr // [T·B, max(D, dirs·H)]
	dyTop    ptr // [T·B, dirs·H] batch-first only
	dxTM     ptr // [T·B, D] batch-first only
}

// dirWork is one direction's scratch.
type dirWork struct {
	xproj, hh, dGx, dGh, dh, drh ptr // [T·B,3H], [B,3H], [T·B,3H], [T·B,3H], [B,H], [B,H]
}

func newWorkspace(be *Backend, cfg gru.Config, steps, batch int) (*workspace, error) {
	ws := &workspace{steps: steps, batch: batch}
	es := be.esize()
	H, TB, out := cfg.HiddenSize, steps*batch, cfg.OutputSize()
	widest := max(cfg.InputSize, out)
	var err error
	get := func(dst *ptr, bytes int) {
		if err != nil {
			return
		}
		var p ptr
		if p, err = be.dev.alloc(bytes); err == nil {
			*dst = p
			ws.allocs = append(ws.allocs, p)
		}
	}
	get(&ws.lens, 4*batch)
	get(&ws.x0, TB*cfg.InputSize*es)
	get(&ws.top, TB*out*es)
	get(&ws.dyA, TB*widest*es)
	get(&ws.dyB, TB*widest*es)
	ws.layerOut = make([]ptr, cfg.Layers-1)
	for l := range ws.layerOut {
		get(&ws.layerOut[l], TB*out*es)
	}
	ws.hs, ws.gates = make([]ptr, cfg.Cells()), make([]ptr, cfg.Cells())
	for c := range cfg.Cells() {
		get(&ws.hs[c], (steps+1)*batch*H*es)
		get(&ws.gates[c], TB*4*H*es)
	}
	for d := range cfg.Directions() {
		w := &ws.dirs[d]
		get(&w.xproj, TB*3*H*es)
		get(&w.hh, batch*3*H*es)
		get(&w.dGx, TB*3*H*es)
		get(&w.dGh, TB*3*H*es)
		get(&w.dh, batch*H*es)
		get(&w.drh, batch*H*es)
	}
	if cfg.Layout == gru.BatchFirst {
		get(&ws.dyTop, TB*out*es)
		get(&ws.dxTM, TB*cfg.InputSize*es)
	}
	if err != nil {
		ws.free(be.dev)
		return nil, err
	}
	return ws, nil
}

func (ws *workspace) free(dev device) error {
	var first error
	for _, p := range ws.allocs {
		if err := dev.free(p); err != nil && first == nil {
			first = err
		}
	}
	ws.allocs = nil
	return first
}
