package interop

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
)

// LM is a language model of package lm (input → GRU stack → linear) on the host,
// on its way to or from another system's files.
type LM struct {
	Config lm.Config
	// Tensors holds the parameters in gogru's layouts, by the names of
	// lm.Config.ParamShapes: "gru.cell[0].Wx", …, "embedding", "out.weight"
	// [dirs·H, Vocab], "out.bias". An import may hold only some of them.
	Tensors map[string][]float64
	Vocab   []string // the token of each id; nil when unknown
}

// check verifies that every parameter of m.Config is present with its shape's
// length and holds only finite values; the error names the tensor.
func (m *LM) check() error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	if m.Vocab != nil && len(m.Vocab) != m.Config.Vocab {
		return fmt.Errorf("gru: language model: %d vocabulary tokens for a vocabulary of %d", len(m.Vocab), m.Config.Vocab)
	}
	names, shapes := m.Config.ParamShapes()
	for i, n := range names {
		v, ok := m.Tensors[n]
		if !ok {
			return fmt.Errorf("gru: language model: tensor %s: missing", n)
		}
		if len(v) != gru.Len(shapes[i]) {
			return fmt.Errorf("gru: language model: tensor %s: shape %v needs %d values, got %d", n, shapes[i], gru.Len(shapes[i]), len(v))
		}
		if err := checkFinite(n, v); err != nil {
			return err
		}
	}
	return nil
}

// checkFinite refuses a tensor holding NaN or ±Inf, or a value that would become
// ±Inf in float32 (the precision of both exports), naming it and the first index.
func checkFinite(name string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("gru: tensor %s: value %d is %v; refusing a non-finite weight", name, i, x)
		}
		if math.Abs(x) > math.MaxFloat32 {
			return fmt.Errorf("gru: tensor %s: value %d is %v, beyond float32's range", name, i, x)
		}
	}
	return nil
}

// gruParams gathers m's GRU stack as gru.Params.
func (m *LM) gruParams() (*gru.Params, error) {
	p, err := gru.NewParams(m.Config.GRU)
	if err != nil {
		return nil, err
	}
	names := gru.TensorNames(m.Config.GRU)
	for i, dst := range p.Flat() {
		src, ok := m.Tensors["gru."+names[i]]
		if !ok || len(src) != len(dst) {
			return nil, fmt.Errorf("gru: language model: tensor gru.%s: missing or of the wrong length", names[i])
		}
		copy(dst, src)
	}
	return p, nil
}

// lmMetadata is the string metadata both exports carry: the configuration in
// PyTorch's terms, the cell, and the vocabulary as a JSON list (token of each id).
func lmMetadata(m *LM) map[string]string {
	g := m.Config.GRU
	lbr := 0
	if g.Variant == gru.ResetAfter {
		lbr = 1
	}
	cfg, _ := json.Marshal(map[string]any{
		"vocab_size": m.Config.Vocab, "embedding_dim": m.Config.Embed, "input_size": g.InputSize,
		"hidden_size": g.HiddenSize, "num_layers": g.Layers, "bidirectional": g.Bidirectional,
		"cell": g.Variant.String(), "linear_before_reset": lbr,
	})
	meta := map[string]string{"producer": "gogru", "config": string(cfg), "cell": g.Variant.String()}
	if m.Vocab != nil {
		v, _ := json.Marshal(m.Vocab)
		meta["vocab"] = string(v)
	}
	return meta
}
