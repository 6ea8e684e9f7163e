package cpu

import (
	"github.com/gogru/gogru/gru"
)

// stack is a GRU stack on the CPU.
type stack[T Float] struct {
	be     *Backend[T]
	cfg    gru.Config
	params []*Tensor[T] // 4 per cell: Wx, Wh, Bx, Bh
	grads  []*Tensor[T]
	ws     *workspace[T]
	pass   layerPass[T]
	saved  bool // a Forward has saved activations for Backward
	closed bool
}

// NewStack allocates a GRU stack for cfg and copies p into it.
func (be *Backend[T]) NewStack(cfg gru.Config, p *gru.Params) (gru.Stack, error) {
	if be.closed {
		return nil, gru.ErrClosed
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := p.Check(cfg); err != nil {
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

// cell returns the parameters and gradients of cell i.
func (s *stack[T]) cell(i int) (wx, wh, bx, bh, dwx, dwh, dbx, dbh []T) {
	p, g := s.params[4*i:4*i+4], s.grads[4*i:4*i+4]
	return p[0].data, p[1].data, p[2].data, p[3].data, g[0].data, g[1].data, g[2].data, g[3].data
}

// seqDims reads T and B from a sequence tensor's shape in the stack's layout.
func (s *stack[T]) seqDims(shape []int) (T_, B int) {
	if len(shape) != 3 {
		return -1, -1
	}
	if s.cfg.Layout == gru.BatchFirst {
		return shape[1], shape[0]
	}
	return shape[0], shape[1]
}

// checkForward validates every Forward argument before anything is touched.
func (s *stack[T]) checkForward(x, h0 gru.Tensor, lengths []int, y, hN gru.Tensor) (xt, h0t, yt, hNt *Tensor[T], err error) {
	if s.closed {
		return nil, nil, nil, nil, gru.ErrClosed
	}
	if xt, err = mustTensor[T]("x", x); err != nil {
		return
	}
	steps, batch := s.seqDims(xt.shape)
	if steps < 1 || batch < 1 || xt.shape[2] != s.cfg.InputSize {
		want := s.cfg.SeqShape(-1, -1, s.cfg.InputSize)
		if steps >= 1 && batch >= 1 {
			want = s.cfg.SeqShape(steps, batch, s.cfg.InputSize)
		}
		return nil, nil, nil, nil, &gru.ShapeError{Arg: "x", Want: want, Got: xt.shape}
	}
	if yt, err = mustTensor[T]("y", y); err != nil {
		return
	}
	if err = gru.CheckShape("y", s.cfg.SeqShape(steps, batch, s.cfg.OutputSize()), yt.shape); err != nil {
		return
	}
	if h0t, err = s.stateArg("h0", h0, batch); err != nil {
		return
	}
	if hNt, err = s.stateArg("hN", hN, batch); err != nil {
		return
	}
	err = gru.CheckLengths(lengths, steps, batch)
	return
}

// stateArg checks an optional [layers·dirs, B, H] tensor.
func (s *stack[T]) stateArg(arg string, t gru.Tensor, batch int) (*Tensor[T], error) {
	ct, err := asTensor[T](arg, t)
	if err != nil || ct == nil {
		return nil, err
	}
	if err := gru.CheckShape(arg, s.cfg.StateShape(batch), ct.shape); err != nil {
		return nil, err
	}
	return ct, nil
}

// checkBackward validates every Backward argument against the saved Forward.
func (s *stack[T]) checkBackward(dy, dhN, dx, dh0 gru.Tensor) (dyt, dhNt, dxt, dh0t *Tensor[T], err error) {
	if s.closed {
		return nil, nil, nil, nil, gru.ErrClosed
	}
	if !s.saved {
		return nil, nil, nil, nil, gru.ErrNoForward
	}
	steps, batch := s.ws.steps, s.ws.batch
	if dyt, err = mustTensor[T]("dy", dy); err != nil {
		return
	}
	if err = gru.CheckShape("dy", s.cfg.SeqShape(steps, batch, s.cfg.OutputSize()), dyt.shape); err != nil {
		return
	}
	if dxt, err = asTensor[T]("dx", dx); err != nil {
		return
	}
	if dxt != nil {
		if err = gru.CheckShape("dx", s.cfg.SeqShape(steps, batch, s.cfg.InputSize), dxt.shape); err != nil {
			return
		}
	}
	if dhNt, err = s.stateArg("dhN", dhN, batch); err != nil {
		return
	}
	dh0t, err = s.stateArg("dh0", dh0, batch)
	return
}

// dataOf returns t's elements, or nil for a nil tensor.
func dataOf[T Float](t *Tensor[T]) []T {
	if t == nil {
		return nil
	}
	return t.data
}
