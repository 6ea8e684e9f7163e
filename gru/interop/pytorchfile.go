package interop

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/tensorfile"
)

// SavePyTorch writes p as a safetensors file in nn.GRU's state_dict names and layouts
// (weight_ih_l{k}[_reverse] [3H,D], weight_hh_… [3H,H], bias_ih_…, bias_hh_…),
// gate order r, z, n, with elements of the given precision. PyTorch's
// load_state_dict(safetensors.torch.load_file(path)) reads it.
func SavePyTorch(path string, p *gru.Params, dtype gru.DType) error {
	pt, err := ToPyTorch(p)
	if err != nil {
		return err
	}
	tensors := map[string]tensorfile.Tensor{}
	for name, v := range pt {
		tensors[name] = tensorfile.Tensor{Data: v, DType: dtype}
	}
	for i := range p.Cells {
		for k := range 4 {
			name := PyTorchName(p.Config, i, k)
			t := tensors[name]
			t.Shape = PyTorchShape(p.Config, i, k)
			tensors[name] = t
		}
	}
	return tensorfile.Write(path, tensors, map[string]string{"format": "pt"})
}

// LoadPyTorch reads nn.GRU weights saved as safetensors (F32 or F64) for cfg, whose
// variant becomes ResetAfter, PyTorch's cell. A missing or extra tensor, or one whose
// shape or dtype does not match, gives an error that names it.
func LoadPyTorch(path string, cfg gru.Config) (*gru.Params, error) {
	f, err := tensorfile.Read(path)
	if err != nil {
		return nil, err
	}
	cfg.Variant = gru.ResetAfter
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tensors := map[string][]float64{}
	shapes := map[string][]int{}
	for i := range cfg.Cells() {
		for k := range 4 {
			name := PyTorchName(cfg, i, k)
			shape := PyTorchShape(cfg, i, k)
			v, err := f.Tensor(name, shape)
			if err != nil {
				return nil, err
			}
			tensors[name], shapes[name] = v, shape
		}
	}
	for _, n := range f.Names() {
		if _, ok := tensors[n]; !ok {
			return nil, fmt.Errorf("gru: %s: tensor %s is not part of a %d-layer, %d-direction GRU", path, n, cfg.Layers, cfg.Directions())
		}
	}
	return FromPyTorch(cfg, tensors, shapes)
}
