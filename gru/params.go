package gru

import (
	"fmt"

	"github.com/gogru/gogru/internal/checked"
	"github.com/gogru/gogru/internal/sysmem"
)

// CellParams holds the weights of one cell (one layer, one direction) on the host.
// Gate blocks are ordered r, z, n (PyTorch's order); see the package doc.
type CellParams struct {
	Wx []float64 // [D_l, 3H] row-major: input weights, D_l = Config.LayerInputSize(l)
	Wh []float64 // [H, 3H] row-major: recurrent weights
	Bx []float64 // [3H]: input bias
	Bh []float64 // [3H]: recurrent bias (inside R⊙(·) for the n gate under ResetAfter)
}

// Params holds every cell's weights of a GRU stack on the host, in float64.
// Cells[l·dirs + d] is layer l, direction d (0 forward, 1 reverse).
type Params struct {
	Config Config
	Cells  []CellParams
}

// NewParams returns zeroed parameters shaped for cfg. It refuses, before
// allocating, parameters whose float64 values would not fit in the host's
// available memory.
func NewParams(cfg Config) (*Params, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	need := 8 * cfg.ParamCount()
	if avail, err := sysmem.Available(); err == nil && need > float64(avail) {
		return nil, fmt.Errorf("gru: not enough memory: %s parameters in float64 need %s, more than the %s available on the host",
			checked.Count(cfg.ParamCount()), checked.Count(need).Bytes(), sysmem.Format(avail))
	}
	p := &Params{Config: cfg, Cells: make([]CellParams, cfg.Cells())}
	for i := range p.Cells {
		shapes := CellShapes(cfg, i/cfg.Directions())
		c := &p.Cells[i]
		c.Wx = make([]float64, shapes[0][0]*shapes[0][1])
		c.Wh = make([]float64, shapes[1][0]*shapes[1][1])
		c.Bx = make([]float64, shapes[2][0])
		c.Bh = make([]float64, shapes[3][0])
	}
	return p, nil
}

// CellShapes returns the shapes of Wx, Wh, Bx and Bh for a cell of layer l.
func CellShapes(cfg Config, l int) [4][]int {
	H := cfg.HiddenSize
	return [4][]int{{cfg.LayerInputSize(l), 3 * H}, {H, 3 * H}, {3 * H}, {3 * H}}
}

// cellTensorNames are the names of a cell's tensors, in the order of CellParams' fields.
var cellTensorNames = [4]string{"Wx", "Wh", "Bx", "Bh"}

// Tensors returns the cell's four slices in the order Wx, Wh, Bx, Bh.
func (c *CellParams) Tensors() [4][]float64 { return [4][]float64{c.Wx, c.Wh, c.Bx, c.Bh} }

// Check verifies that p matches cfg: the same number of layers and directions and
// every tensor of the right length. The error names the tensor.
func (p *Params) Check(cfg Config) error {
	if p == nil {
		return fmt.Errorf("gru: params: nil")
	}
	if p.Config.Layers != cfg.Layers || p.Config.Directions() != cfg.Directions() {
		return fmt.Errorf("gru: params: have %d layers × %d directions, the stack has %d × %d",
			p.Config.Layers, p.Config.Directions(), cfg.Layers, cfg.Directions())
	}
	if len(p.Cells) != cfg.Cells() {
		return &ShapeError{Arg: "params.Cells", Want: []int{cfg.Cells()}, Got: []int{len(p.Cells)}}
	}
	for i := range p.Cells {
		shapes := CellShapes(cfg, i/cfg.Directions())
		for k, s := range p.Cells[i].Tensors() {
			n := 1
			for _, d := range shapes[k] {
				n *= d
			}
			if len(s) != n {
				return fmt.Errorf("gru: params.Cells[%d].%s: want shape %v (%d values), got %d values",
					i, cellTensorNames[k], shapes[k], n, len(s))
			}
		}
	}
	return nil
}

// Clone returns a deep copy of p (nil for nil).
func (p *Params) Clone() *Params {
	if p == nil {
		return nil
	}
	q := &Params{Config: p.Config, Cells: make([]CellParams, len(p.Cells))}
	for i, c := range p.Cells {
		q.Cells[i] = CellParams{
			Wx: append([]float64(nil), c.Wx...),
			Wh: append([]float64(nil), c.Wh...),
			Bx: append([]float64(nil), c.Bx...),
			Bh: append([]float64(nil), c.Bh...),
		}
	}
	return q
}

// Flat returns every value of p in a fixed order: cell by cell, Wx, Wh, Bx, Bh.
// Each slice aliases p, so writing through it changes p.
func (p *Params) Flat() [][]float64 {
	if p == nil {
		return nil
	}
	out := make([][]float64, 0, 4*len(p.Cells))
	for i := range p.Cells {
		t := p.Cells[i].Tensors()
		out = append(out, t[:]...)
	}
	return out
}
