package grutest

import (
	"math"

	"github.com/gogru/gogru/gru"
)

// Reference computes a GRU stack's forward pass with plain per-element loops written
// straight from the equations (D2L §10.2 for ResetBefore; PyTorch's nn.GRU docs for
// ResetAfter), in float64 and time-major. It shares no code with any backend and is
// used only to cross-check them. x is [T,B,D]; h0 is [cells,B,H] or nil; lengths may
// be nil. It returns y [T,B,dirs·H] and hN [cells,B,H].
func Reference(cfg gru.Config, p *gru.Params, x, h0 []float64, lengths []int, T, B int) (y, hN []float64) {
	H, dirs := cfg.HiddenSize, cfg.Directions()
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	in, inW := x, cfg.InputSize
	hN = make([]float64, cfg.Cells()*B*H)
	for l := range cfg.Layers {
		out := make([]float64, T*B*dirs*H)
		for d := range dirs {
			cell := l*dirs + d
			c := p.Cells[cell]
			// wx(k, g, j) is W_x[k, g·H + j]: input k to unit j of gate g (0 r, 1 z, 2 n).
			wx := func(k, g, j int) float64 { return c.Wx[k*3*H+g*H+j] }
			wh := func(k, g, j int) float64 { return c.Wh[k*3*H+g*H+j] }
			for b := range B {
				n := T
				if lengths != nil {
					n = lengths[b]
				}
				h := make([]float64, H)
				if h0 != nil {
					copy(h, h0[(cell*B+b)*H:])
				}
				for s := range n {
					t := s
					if d == 1 {
						t = n - 1 - s // the reverse direction starts at the last valid step
					}
					xt := in[(t*B+b)*inW : (t*B+b+1)*inW]
					r, z, cand := make([]float64, H), make([]float64, H), make([]float64, H)
					for j := range H {
						ar := c.Bx[j] + c.Bh[j]
						az := c.Bx[H+j] + c.Bh[H+j]
						for k := range inW {
							ar += xt[k] * wx(k, 0, j)
							az += xt[k] * wx(k, 1, j)
						}
						for k := range H {
							ar += h[k] * wh(k, 0, j)
							az += h[k] * wh(k, 1, j)
						}
						r[j], z[j] = sig(ar), sig(az)
					}
					for j := range H {
						a := c.Bx[2*H+j]
						for k := range inW {
							a += xt[k] * wx(k, 2, j)
						}
						if cfg.Variant == gru.ResetBefore {
							// N = tanh(X W_xh + b_xh + (R ⊙ H) W_hh + b_hh)
							a += c.Bh[2*H+j]
							for k := range H {
								a += r[k] * h[k] * wh(k, 2, j)
							}
						} else {
							// N = tanh(X W_xh + b_xh + R ⊙ (H W_hh + b_hh))
							hn := c.Bh[2*H+j]
							for k := range H {
								hn += h[k] * wh(k, 2, j)
							}
							a += r[j] * hn
						}
						cand[j] = math.Tanh(a)
					}
					for j := range H {
						h[j] = z[j]*h[j] + (1-z[j])*cand[j] // H' = Z ⊙ H + (1 − Z) ⊙ N
					}
					copy(out[(t*B+b)*dirs*H+d*H:], h)
				}
				copy(hN[(cell*B+b)*H:(cell*B+b+1)*H], h)
			}
		}
		in, inW = out, dirs*H
		y = out
	}
	return y, hN
}
