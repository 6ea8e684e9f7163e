package cpu

import (
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// stack is a GRU stack on the CPU.
type stack[T Float] struct {
	be      *Backend[T]
	cfg     gru.Config
	params  []*Tensor[T] // 4 per cell: Wx, Wh, Bx, Bh
	grads   []*Tensor[T]
	ws      *workspace[T]
	pass    layerPass[T]
	saved   bool        // a Forward has saved activations for Backward
	drop    gru.Dropout // what the next Forward applies between layers
	fwdDrop gru.Dropout // what the last Forward applied, for its Backward
	closed  bool
}

// NewStack allocates a GRU stack for cfg and copies p into it.
func (be *Backend[T]) NewStack(cfg gru.Config, p *gru.Params) (gru.Stack, error) {
	if err := backendkit.CheckNewStack(be.closed, cfg, p); err != nil {
		return nil, err
	}
	s := &stack[T]{be: be, cfg: cfg}
	s.pass.s = s
	for i := range cfg.Cells() {
		for _, shape := range gru.CellShapes(cfg, i/cfg.Directions()) {
			w, _ := newTensor[T](shape...)
			g, _ := newTensor[T](shape...)
			s.params = append(s.params, w)
			s.grads = append(s.grads, g)
		}
	}
	if err := s.SetParams(p); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *stack[T]) Config() gru.Config { return s.cfg }

func (s *stack[T]) Params() []gru.Tensor { return tensors(s.params) }

func (s *stack[T]) Grads() []gru.Tensor { return tensors(s.grads) }

func tensors[T Float](ts []*Tensor[T]) []gru.Tensor {
	out := make([]gru.Tensor, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

func (s *stack[T]) ZeroGrads() error {
	if s.closed {
		return gru.ErrClosed
	}
	for _, g := range s.grads {
		clear(g.data)
	}
	return nil
}

func (s *stack[T]) SetParams(p *gru.Params) error {
	if s.closed {
		return gru.ErrClosed
	}
	if err := p.Check(s.cfg); err != nil {
		return err
	}
	for i, src := range p.Flat() {
		for j, v := range src {
			s.params[i].data[j] = T(v)
		}
	}
	return nil
}

func (s *stack[T]) ReadParams() (*gru.Params, error) { return s.read(s.params) }

func (s *stack[T]) ReadGrads() (*gru.Params, error) { return s.read(s.grads) }

func (s *stack[T]) read(ts []*Tensor[T]) (*gru.Params, error) {
	if s.closed {
		return nil, gru.ErrClosed
	}
	p, err := gru.NewParams(s.cfg)
	if err != nil {
		return nil, err
	}
	for i, dst := range p.Flat() {
		for j, v := range ts[i].data {
			dst[j] = float64(v)
		}
	}
	return p, nil
}

func (s *stack[T]) Close() error {
	s.closed = true
	s.params, s.grads, s.ws = nil, nil, nil
	return nil
}

// cellData is one cell's parameters and their gradients, as the slices the time
// loop reads and accumulates into (din is the layer's input width, H the hidden size).
type cellData[T Float] struct {
	wx, wh, bx, bh     []T // W_x [din,3H], W_h [H,3H], b_x [3H], b_h [3H]
	dwx, dwh, dbx, dbh []T // their gradients, same shapes
}

// cell returns the parameters and gradients of cell i.
func (s *stack[T]) cell(i int) cellData[T] {
	p, g := s.params[4*i:4*i+4], s.grads[4*i:4*i+4]
	return cellData[T]{
		wx: p[0].data, wh: p[1].data, bx: p[2].data, bh: p[3].data,
		dwx: g[0].data, dwh: g[1].data, dbx: g[2].data, dbh: g[3].data,
	}
}

// checkForward resolves every Forward argument and validates its shape before
// anything is touched.
func (s *stack[T]) checkForward(x, h0 gru.Tensor, lengths []int, y, hN gru.Tensor) (xt, h0t, yt, hNt *Tensor[T], err error) {
	if s.closed {
		return nil, nil, nil, nil, gru.ErrClosed
	}
	if xt, err = s.be.kit.MustTensor("x", x); err != nil {
		return
	}
	if yt, err = s.be.kit.MustTensor("y", y); err != nil {
		return
	}
	if h0t, err = asTensor[T]("h0", h0); err != nil {
		return
	}
	if hNt, err = asTensor[T]("hN", hN); err != nil {
		return
	}
	_, _, err = backendkit.CheckForward(s.cfg, xt.shape, shapeOf(h0t), yt.shape, shapeOf(hNt), lengths)
	return
}

// checkBackward resolves every Backward argument and validates it against the
// saved Forward.
func (s *stack[T]) checkBackward(dy, dhN, dx, dh0 gru.Tensor) (dyt, dhNt, dxt, dh0t *Tensor[T], err error) {
	if s.closed {
		return nil, nil, nil, nil, gru.ErrClosed
	}
	if !s.saved {
		return nil, nil, nil, nil, gru.ErrNoForward
	}
	if dyt, err = s.be.kit.MustTensor("dy", dy); err != nil {
		return
	}
	if dhNt, err = asTensor[T]("dhN", dhN); err != nil {
		return
	}
	if dxt, err = asTensor[T]("dx", dx); err != nil {
		return
	}
	if dh0t, err = asTensor[T]("dh0", dh0); err != nil {
		return
	}
	err = backendkit.CheckBackward(s.cfg, s.ws.steps, s.ws.batch, dyt.shape, shapeOf(dhNt), shapeOf(dxt), shapeOf(dh0t))
	return
}

// shapeOf returns t's shape, or nil for a nil tensor.
func shapeOf[T Float](t *Tensor[T]) []int {
	if t == nil {
		return nil
	}
	return t.shape
}

// dataOf returns t's elements, or nil for a nil tensor.
func dataOf[T Float](t *Tensor[T]) []T {
	if t == nil {
		return nil
	}
	return t.data
}
