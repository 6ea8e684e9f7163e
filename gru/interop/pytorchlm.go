package interop

import (
	"encoding/json"
	"fmt"
	"maps"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/internal/tensorfile"
)

// A language model's PyTorch state_dict (a module with attributes embedding, gru and
// linear, as docs/export.md shows) holds
//
//	embedding.weight  [Vocab, Embed]   when the input is an embedding
//	gru.weight_ih_l0 … gru.bias_hh_l{L-1}[_reverse]   nn.GRU's tensors (see PyTorchName)
//	linear.weight     [Vocab, dirs·H]  the transpose of our out.weight
//	linear.bias       [Vocab]
const (
	torchEmbedding  = "embedding.weight"
	torchLinearW    = "linear.weight"
	torchLinearB    = "linear.bias"
	torchGRUPrefix  = "gru."
	resetBeforeNote = "these weights are for the reset-before cell (D2L; ONNX linear_before_reset=0). " +
		"torch.nn.GRU computes the reset-after cell: it would load them without complaint and compute another function. " +
		"Run them with the ResetBeforeGRU module of gogru's docs/export.md"
)

// SavePyTorchLM writes m as a PyTorch state_dict in safetensors (float32): the
// names above, nn.GRU's layouts, and metadata holding the configuration ("config",
// JSON), the cell ("cell") and the vocabulary ("vocab", a JSON list). nn.GRU is the
// reset-after cell; a reset-before model is written all the same (the shapes are
// equal) with a "warning" saying so. NaN or Inf weights are refused. The write is
// atomic.
func SavePyTorchLM(path string, m *LM) error {
	if err := m.check(); err != nil {
		return err
	}
	p, err := m.gruParams()
	if err != nil {
		return err
	}
	cfg := m.Config.GRU
	tensors := map[string]tensorfile.Tensor{}
	add := func(name string, shape []int, v []float64) {
		tensors[name] = tensorfile.Tensor{Shape: shape, Data: v, DType: gru.Float32}
	}
	torch, err := ToPyTorch(p)
	if err != nil {
		return err
	}
	for i := range cfg.Cells() {
		for k := range 4 {
			name := PyTorchName(cfg, i, k)
			add(torchGRUPrefix+name, PyTorchShape(cfg, i, k), torch[name])
		}
	}
	V, out := m.Config.Vocab, cfg.OutputSize()
	if m.Config.Embed > 0 {
		add(torchEmbedding, []int{V, m.Config.Embed}, m.Tensors["embedding"])
	}
	add(torchLinearW, []int{V, out}, transpose(m.Tensors["out.weight"], out, V))
	add(torchLinearB, []int{V}, m.Tensors["out.bias"])
	meta := lmMetadata(m)
	meta["format"] = "pt"
	if cfg.Variant != gru.ResetAfter {
		meta["warning"] = resetBeforeNote
	}
	return tensorfile.Write(path, tensors, meta)
}

// LoadPyTorchLM reads a PyTorch state_dict saved as safetensors (F32 or F64) for the
// language model mc. The GRU's tensors are required, under "gru." (a model's
// state_dict, as SavePyTorchLM writes it) or bare (an nn.GRU's own state_dict);
// "embedding.weight" and "linear.weight"/"linear.bias" are taken when present. The
// result's Tensors hold what the file has, in gogru's layouts; its Config is mc with
// the cell the file is for (its "cell" metadata, else reset-after, nn.GRU's); its
// Vocab is the file's "vocab" metadata, or nil. A tensor that is missing,
// unexpected, of the wrong shape or dtype, or not finite gives an error naming it.
func LoadPyTorchLM(path string, mc lm.Config) (*LM, error) {
	f, err := tensorfile.Read(path)
	if err != nil {
		return nil, err
	}
	if mc.GRU.Variant, err = pytorchCell(f); err != nil {
		return nil, err
	}
	if err := mc.Validate(); err != nil {
		return nil, err
	}
	m := &LM{Config: mc, Tensors: map[string][]float64{}}
	if m.Vocab, err = pytorchVocab(f, mc.Vocab); err != nil {
		return nil, err
	}
	cfg := mc.GRU
	has := map[string]bool{}
	for _, n := range f.Names() {
		has[n] = true
	}
	first := PyTorchName(cfg, 0, 0)
	prefix := torchGRUPrefix
	if !has[prefix+first] && has[first] {
		prefix = "" // an nn.GRU's own state_dict
	}
	seen := map[string]bool{}
	read := func(name string, shape []int) ([]float64, error) {
		v, err := f.Tensor(name, shape)
		if err != nil {
			return nil, err
		}
		seen[name] = true
		return v, checkFinite(name, v)
	}
	ours := gru.TensorNames(cfg)
	for i := range cfg.Cells() {
		for k := range 4 {
			shape := PyTorchShape(cfg, i, k)
			v, err := read(prefix+PyTorchName(cfg, i, k), shape)
			if err != nil {
				return nil, err
			}
			if len(shape) == 2 {
				v = transpose(v, shape[0], shape[1])
			}
			m.Tensors["gru."+ours[4*i+k]] = v
		}
	}
	V, out := mc.Vocab, cfg.OutputSize()
	if has[torchEmbedding] {
		if mc.Embed == 0 {
			return nil, fmt.Errorf("gru: %s: tensor %s: the model reads one-hot input and has no embedding", path, torchEmbedding)
		}
		if m.Tensors["embedding"], err = read(torchEmbedding, []int{V, mc.Embed}); err != nil {
			return nil, err
		}
	}
	if has[torchLinearW] != has[torchLinearB] {
		return nil, fmt.Errorf("gru: %s: holds only one of %s and %s", path, torchLinearW, torchLinearB)
	}
	if has[torchLinearW] {
		w, err := read(torchLinearW, []int{V, out})
		if err != nil {
			return nil, err
		}
		m.Tensors["out.weight"] = transpose(w, V, out)
		if m.Tensors["out.bias"], err = read(torchLinearB, []int{V}); err != nil {
			return nil, err
		}
	}
	if extra, ok := firstUnseen(maps.Keys(has), seen); ok {
		return nil, fmt.Errorf("gru: %s: tensor %s is not part of a language model with a %d-layer, %d-direction GRU (want %sweight_ih_l0 …, %s, %s, %s)",
			path, extra, cfg.Layers, cfg.Directions(), prefix, torchEmbedding, torchLinearW, torchLinearB)
	}
	return m, nil
}

// PyTorchLMVocab returns the vocabulary stored in a file SavePyTorchLM wrote, or
// nil when the file holds none (an nn.GRU state_dict from PyTorch).
func PyTorchLMVocab(path string) ([]string, error) {
	f, err := tensorfile.Read(path)
	if err != nil {
		return nil, err
	}
	return pytorchVocab(f, -1)
}

// PyTorchLMCell returns the cell a PyTorch state_dict file holds weights for: its
// "cell" metadata (a file SavePyTorchLM wrote), else reset-after, nn.GRU's cell.
func PyTorchLMCell(path string) (gru.Variant, error) {
	f, err := tensorfile.Read(path)
	if err != nil {
		return 0, err
	}
	return pytorchCell(f)
}

func pytorchCell(f *tensorfile.File) (gru.Variant, error) {
	c, ok := f.Meta["cell"]
	if !ok {
		return gru.ResetAfter, nil
	}
	v, err := gru.ParseVariant(c)
	if err != nil {
		return 0, fmt.Errorf("gru: %s: metadata cell: %w", f.Path, err)
	}
	return v, nil
}

// pytorchVocab parses the "vocab" metadata; n ≥ 0 is the length it must have.
func pytorchVocab(f *tensorfile.File, n int) ([]string, error) {
	s, ok := f.Meta["vocab"]
	if !ok {
		return nil, nil
	}
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil || len(v) == 0 {
		return nil, fmt.Errorf("gru: %s: metadata vocab is not a JSON list of tokens", f.Path)
	}
	if n >= 0 && len(v) != n {
		return nil, fmt.Errorf("gru: %s: metadata vocab has %d tokens, the model %d", f.Path, len(v), n)
	}
	return v, nil
}
