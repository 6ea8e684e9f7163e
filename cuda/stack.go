package cuda

import (
	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// stack is a GRU stack whose parameters, gradients and saved activations live on
// the device.
type stack struct {
	be     *Backend
	cfg    gru.Config
	params []*Tensor // 4 per cell: Wx [D,3H], Wh [H,3H], Bx [3H], Bh [3H]
	grads  []*Tensor
	ws     *workspace
	saved  bool
	closed bool

	drop    gru.Dropout // what the next Forward applies between layers
	fwdDrop gru.Dropout // what the last Forward applied, for its Backward
}

// NewStack allocates a stack on the device and uploads p.
func (be *Backend) NewStack(cfg gru.Config, p *gru.Params) (gru.Stack, error) {
	if err := backendkit.CheckNewStack(be.closed, cfg, p); err != nil {
		return nil, err
	}
	s := &stack{be: be, cfg: cfg}
	be.stacks[s] = struct{}{}
	for i := range cfg.Cells() {
		for _, shape := range gru.CellShapes(cfg, i/cfg.Directions()) {
			w, err := be.newTensor(shape...)
			if err != nil {
				s.Close()
				return nil, err
			}
			s.params = append(s.params, w)
			g, err := be.newTensor(shape...)
			if err != nil {
				s.Close()
				return nil, err
			}
			s.grads = append(s.grads, g)
		}
	}
	if err := s.SetParams(p); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *stack) Config() gru.Config { return s.cfg }

func (s *stack) Params() []gru.Tensor { return asTensors(s.params) }

func (s *stack) Grads() []gru.Tensor { return asTensors(s.grads) }

func asTensors(ts []*Tensor) []gru.Tensor {
	out := make([]gru.Tensor, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

func (s *stack) ZeroGrads() error {
	if s.closed {
		return gru.ErrClosed
	}
	for _, g := range s.grads {
		if err := s.be.dev.MemsetZero(g.p, g.n*s.be.esize()); err != nil {
			return err
		}
	}
	return nil
}

func (s *stack) SetParams(p *gru.Params) error {
	if s.closed {
		return gru.ErrClosed
	}
	if err := p.Check(s.cfg); err != nil {
		return err
	}
	for i, v := range p.Flat() {
		if err := s.be.Write(s.params[i], v); err != nil {
			return err
		}
	}
	return nil
}

func (s *stack) ReadParams() (*gru.Params, error) { return s.read(s.params) }

func (s *stack) ReadGrads() (*gru.Params, error) { return s.read(s.grads) }

func (s *stack) read(ts []*Tensor) (*gru.Params, error) {
	if s.closed {
		return nil, gru.ErrClosed
	}
	p, err := gru.NewParams(s.cfg)
	if err != nil {
		return nil, err
	}
	for i, dst := range p.Flat() {
		if err := s.be.Read(dst, ts[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Close frees the stack's parameters, gradients and workspace.
func (s *stack) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	delete(s.be.stacks, s)
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	for _, t := range append(s.params, s.grads...) {
		keep(s.be.Free(t))
	}
	if s.ws != nil {
		keep(s.ws.free(s.be.dev))
	}
	s.params, s.grads, s.ws = nil, nil, nil
	return first
}

// cellParams holds the device addresses of one cell's four parameter tensors, or
// of their gradients: Wx [D,3H], Wh [H,3H], Bx [3H], Bh [3H].
type cellParams struct{ wx, wh, bx, bh device.Ptr }

// cellTensors holds a cell's parameters and their gradients.
type cellTensors struct{ param, grad cellParams }

// cell returns the device addresses of cell i's parameters and gradients.
func (s *stack) cell(i int) cellTensors {
	four := func(ts []*Tensor) cellParams { return cellParams{ts[0].p, ts[1].p, ts[2].p, ts[3].p} }
	return cellTensors{param: four(s.params[4*i : 4*i+4]), grad: four(s.grads[4*i : 4*i+4])}
}

// checkForward resolves and validates every Forward argument before any work.
func (s *stack) checkForward(x, h0 gru.Tensor, lengths []int, y, hN gru.Tensor) (xt, h0t, yt, hNt *Tensor, err error) {
	if s.closed {
		return nil, nil, nil, nil, gru.ErrClosed
	}
	be := s.be
	if xt, err = be.mustTensor("x", x); err != nil {
		return
	}
	if yt, err = be.mustTensor("y", y); err != nil {
		return
	}
	if h0t, err = be.tensor("h0", h0); err != nil {
		return
	}
	if hNt, err = be.tensor("hN", hN); err != nil {
		return
	}
	_, _, err = backendkit.CheckForward(s.cfg, xt.shape, shapeOf(h0t), yt.shape, shapeOf(hNt), lengths)
	return
}

// checkBackward resolves and validates every Backward argument.
func (s *stack) checkBackward(dy, dhN, dx, dh0 gru.Tensor) (dyt, dhNt, dxt, dh0t *Tensor, err error) {
	if s.closed {
		return nil, nil, nil, nil, gru.ErrClosed
	}
	// A Forward that freed the old workspace and then failed to allocate the new
	// one leaves no workspace (and no saved pass) behind.
	if !s.saved || s.ws == nil {
		return nil, nil, nil, nil, gru.ErrNoForward
	}
	be := s.be
	if dyt, err = be.mustTensor("dy", dy); err != nil {
		return
	}
	if dhNt, err = be.tensor("dhN", dhN); err != nil {
		return
	}
	if dxt, err = be.tensor("dx", dx); err != nil {
		return
	}
	if dh0t, err = be.tensor("dh0", dh0); err != nil {
		return
	}
	err = backendkit.CheckBackward(s.cfg, s.ws.steps, s.ws.batch, dyt.shape, shapeOf(dhNt), shapeOf(dxt), shapeOf(dh0t))
	return
}

func shapeOf(t *Tensor) []int {
	if t == nil {
		return nil
	}
	return t.shape
}
