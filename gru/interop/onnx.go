package interop

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// ONNX's GRU operator holds one layer (both directions) as
//
//	W [dirs, 3H, D]   input weights, gate blocks z, r, h
//	R [dirs, 3H, H]   recurrent weights, gate blocks z, r, h
//	B [dirs, 6H]      [Wb_z Wb_r Wb_h Rb_z Rb_r Rb_h]
//
// with linear_before_reset = 0 for ResetBefore and 1 for ResetAfter.

// onnxGate maps ONNX's gate block g (z, r, h) to ours (r, z, n).
var onnxGate = [3]int{1, 0, 2}

// ONNXLayer is one GRU layer in ONNX's tensors.
type ONNXLayer struct {
	W, R, B           []float64 // the operator's inputs W, R and B, shaped as above
	Dirs, H, D        int       // directions, hidden size and input size
	LinearBeforeReset int       // the operator's linear_before_reset: 1 for ResetAfter
}

// ToONNX converts layer l of p to ONNX's W, R and B.
func ToONNX(p *gru.Params, l int) (*ONNXLayer, error) {
	if err := checkParams("ToONNX", p); err != nil {
		return nil, err
	}
	cfg := p.Config
	if l < 0 || l >= cfg.Layers {
		return nil, fmt.Errorf("gru: ToONNX: layer %d of %d", l, cfg.Layers)
	}
	H, D, dirs := cfg.HiddenSize, cfg.LayerInputSize(l), cfg.Directions()
	o := &ONNXLayer{Dirs: dirs, H: H, D: D,
		W: make([]float64, dirs*3*H*D), R: make([]float64, dirs*3*H*H), B: make([]float64, dirs*6*H)}
	if cfg.Variant == gru.ResetAfter {
		o.LinearBeforeReset = 1
	}
	for d := range dirs {
		c := p.Cells[l*dirs+d]
		for g, ours := range onnxGate {
			for j := range H {
				row := g*H + j // ONNX row of gate g, unit j
				col := ours*H + j
				for k := range D {
					o.W[(d*3*H+row)*D+k] = c.Wx[k*3*H+col]
				}
				for k := range H {
					o.R[(d*3*H+row)*H+k] = c.Wh[k*3*H+col]
				}
				o.B[d*6*H+row] = c.Bx[col]
				o.B[d*6*H+3*H+row] = c.Bh[col]
			}
		}
	}
	return o, nil
}

// SetONNX fills layer l of p from ONNX's tensors. The layer's shapes and
// linear_before_reset must match p's configuration, and every value must be
// finite; otherwise p is left unchanged and the error names the tensor.
func SetONNX(p *gru.Params, l int, o *ONNXLayer) error {
	if err := checkParams("SetONNX", p); err != nil {
		return err
	}
	if o == nil {
		return fmt.Errorf("gru: SetONNX: nil ONNX layer")
	}
	cfg := p.Config
	if l < 0 || l >= cfg.Layers {
		return fmt.Errorf("gru: SetONNX: layer %d of %d", l, cfg.Layers)
	}
	H, D, dirs := cfg.HiddenSize, cfg.LayerInputSize(l), cfg.Directions()
	if err := backendkit.CheckShape("ONNX W", []int{dirs, 3 * H, D}, []int{o.Dirs, 3 * o.H, o.D}); err != nil {
		return err
	}
	for name, n := range map[string][2]int{"W": {len(o.W), dirs * 3 * H * D}, "R": {len(o.R), dirs * 3 * H * H}, "B": {len(o.B), dirs * 6 * H}} {
		if n[0] != n[1] {
			return fmt.Errorf("gru: ONNX %s: want %d values, got %d", name, n[1], n[0])
		}
	}
	if want := map[gru.Variant]int{gru.ResetBefore: 0, gru.ResetAfter: 1}[cfg.Variant]; o.LinearBeforeReset != want {
		return fmt.Errorf("gru: ONNX linear_before_reset=%d does not match variant %v", o.LinearBeforeReset, cfg.Variant)
	}
	for _, t := range []struct {
		name string
		v    []float64
	}{{"W", o.W}, {"R", o.R}, {"B", o.B}} {
		if err := checkFinite(fmt.Sprintf("ONNX %s of layer %d", t.name, l), t.v); err != nil {
			return err
		}
	}
	for d := range dirs {
		c := &p.Cells[l*dirs+d]
		for g, ours := range onnxGate {
			for j := range H {
				row, col := g*H+j, ours*H+j
				for k := range D {
					c.Wx[k*3*H+col] = o.W[(d*3*H+row)*D+k]
				}
				for k := range H {
					c.Wh[k*3*H+col] = o.R[(d*3*H+row)*H+k]
				}
				c.Bx[col] = o.B[d*6*H+row]
				c.Bh[col] = o.B[d*6*H+3*H+row]
			}
		}
	}
	return nil
}
