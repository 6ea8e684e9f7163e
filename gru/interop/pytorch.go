package interop

import (
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// PyTorch's nn.GRU names and stores a cell's tensors as
//
//	weight_ih_l{k}[_reverse]  [3H, D_k]   rows r | z | n
//	weight_hh_l{k}[_reverse]  [3H, H]
//	bias_ih_l{k}[_reverse]    [3H]
//	bias_hh_l{k}[_reverse]    [3H]
//
// The gate order is ours; the matrices are the transposes of W_x and W_h.

// PyTorchName returns PyTorch's name for tensor k (0 Wx, 1 Wh, 2 Bx, 3 Bh) of cell i.
func PyTorchName(cfg gru.Config, cell, k int) string {
	l, d := cell/cfg.Directions(), cell%cfg.Directions()
	suffix := ""
	if d == 1 {
		suffix = "_reverse"
	}
	return fmt.Sprintf("%s_l%d%s", [4]string{"weight_ih", "weight_hh", "bias_ih", "bias_hh"}[k], l, suffix)
}

// PyTorchShape returns the shape PyTorch stores tensor k of cell i in.
func PyTorchShape(cfg gru.Config, cell, k int) []int {
	s := gru.CellShapes(cfg, cell/cfg.Directions())[k]
	if len(s) == 2 {
		return []int{s[1], s[0]}
	}
	return s
}

// ToPyTorch returns p's tensors under PyTorch's names and layouts (row-major
// float64). PyTorch's nn.GRU is the ResetAfter cell; exporting ResetBefore weights
// is allowed, but PyTorch will compute a different function with them. Nil or
// malformed parameters are an error.
func ToPyTorch(p *gru.Params) (map[string][]float64, error) {
	if err := checkParams("ToPyTorch", p); err != nil {
		return nil, err
	}
	out := make(map[string][]float64, 4*len(p.Cells))
	for i := range p.Cells {
		for k, src := range p.Cells[i].Tensors() {
			shape := gru.CellShapes(p.Config, i/p.Config.Directions())[k]
			if len(shape) == 2 {
				src = transpose(src, shape[0], shape[1])
			} else {
				src = append([]float64(nil), src...)
			}
			out[PyTorchName(p.Config, i, k)] = src
		}
	}
	return out, nil
}

// FromPyTorch builds ResetAfter parameters for cfg from PyTorch-named tensors, given
// with their shapes. Any tensor missing, unexpected, of the wrong shape or holding
// NaN or ±Inf is an error that names it.
func FromPyTorch(cfg gru.Config, tensors map[string][]float64, shapes map[string][]int) (*gru.Params, error) {
	cfg.Variant = gru.ResetAfter
	p, err := gru.NewParams(cfg)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(tensors))
	for i := range p.Cells {
		dst := p.Cells[i].Tensors()
		for k := range dst {
			name := PyTorchName(cfg, i, k)
			src, ok := tensors[name]
			if !ok {
				return nil, fmt.Errorf("gru: PyTorch tensor %s: missing", name)
			}
			seen[name] = true
			want := PyTorchShape(cfg, i, k)
			if err := backendkit.CheckShape("PyTorch tensor "+name, want, shapes[name]); err != nil {
				return nil, err
			}
			if len(src) != gru.Len(want) {
				return nil, fmt.Errorf("gru: PyTorch tensor %s: shape %v needs %d values, got %d", name, want, gru.Len(want), len(src))
			}
			if err := checkFinite(name, src); err != nil {
				return nil, err
			}
			if len(want) == 2 {
				copy(dst[k], transpose(src, want[0], want[1]))
			} else {
				copy(dst[k], src)
			}
		}
	}
	if extra, ok := firstUnseen(maps.Keys(tensors), seen); ok {
		return nil, fmt.Errorf("gru: PyTorch tensor %s: not part of a %d-layer, %d-direction GRU", extra, cfg.Layers, cfg.Directions())
	}
	return p, nil
}

// firstUnseen returns the alphabetically first name not in seen, so that an error
// about stray tensors names the same one every run.
func firstUnseen(names iter.Seq[string], seen map[string]bool) (string, bool) {
	var extra []string
	for n := range names {
		if !seen[n] {
			extra = append(extra, n)
		}
	}
	if len(extra) == 0 {
		return "", false
	}
	return slices.Min(extra), true
}

// transpose returns the transpose of the row-major r×c matrix a.
func transpose(a []float64, r, c int) []float64 {
	t := make([]float64, len(a))
	for i := range r {
		for j := range c {
			t[j*r+i] = a[i*c+j]
		}
	}
	return t
}
