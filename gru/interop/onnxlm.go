package interop

import (
	"fmt"
	"sort"

	"github.com/gogru/gogru/internal/atomicfile"
	"github.com/gogru/gogru/internal/onnxpb"
)

// The ONNX model's IR version and operator set: those of ONNX 1.10 and later
// (Debian bookworm's python3-onnx is 1.12).
const (
	onnxIRVersion = 8
	onnxOpset     = 14
	// onnxMaxFloats keeps a model's float32 weights, with room for the rest of the
	// file, under protobuf's 2 GiB limit on a message (ONNX's external data files,
	// which lift it, are not written).
	onnxMaxFloats = (1<<31 - 1<<24) / 4
)

// ONNXLM encodes m as one runnable ONNX model (float32), built from standard
// operators:
//
//	inputs   tokens int64 [T, B]              T and B dynamic
//	         h0     float [cells, B, H]       the initial state: zeros to start afresh
//	outputs  logits float [T, B, Vocab]
//	         hn     float [cells, B, H]
//
// tokens → OneHot (or Gather from the embedding) → one ONNX GRU per layer
// (linear_before_reset = 1 for reset-after, 0 for reset-before; direction
// bidirectional for a bidirectional stack) → MatMul + Add. cells is layers ×
// directions, ordered as nn.GRU's h_0. h0 is a required input: an input backed by a
// default initializer would be optional in ONNX, but ONNX Runtime lists only the
// other inputs and its Node.js binding drops a feed it does not list, so such a
// state could not be carried from one call to the next there. The metadata
// (metadata_props) holds the configuration, the cell and the vocabulary, as
// SavePyTorchLM's does. NaN or Inf weights are refused.
func ONNXLM(m *LM) ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	var n int
	for _, v := range m.Tensors {
		n += len(v)
	}
	if n > onnxMaxFloats {
		return nil, fmt.Errorf("gru: ONNX: the model's %d weights take %.1f GiB in float32, over the 2 GiB a protobuf message can hold; export it with --format pytorch",
			n, float64(4*n)/(1<<30))
	}
	p, err := m.gruParams()
	if err != nil {
		return nil, err
	}
	cfg := m.Config.GRU
	H, dirs, cells, V := int64(cfg.HiddenSize), int64(cfg.Directions()), int64(cfg.Cells()), int64(m.Config.Vocab)
	g := onnxpb.Graph{Name: "gogru_language_model", DocString: fmt.Sprintf(
		"GRU language model (%v cell) exported by gogru: tokens → %s → %d-layer GRU → linear → logits.",
		cfg.Variant, map[bool]string{true: "embedding", false: "one-hot"}[m.Config.Embed > 0], cfg.Layers)}
	T, B := onnxpb.Dim{Param: "T"}, onnxpb.Dim{Param: "B"}
	g.Inputs = []onnxpb.ValueInfo{
		{Name: "tokens", ElemType: onnxpb.Int64, Dims: []onnxpb.Dim{T, B}},
		{Name: "h0", ElemType: onnxpb.Float, Dims: []onnxpb.Dim{{Value: cells}, B, {Value: H}}},
	}
	g.Outputs = []onnxpb.ValueInfo{
		{Name: "logits", ElemType: onnxpb.Float, Dims: []onnxpb.Dim{T, B, {Value: V}}},
		{Name: "hn", ElemType: onnxpb.Float, Dims: []onnxpb.Dim{{Value: cells}, B, {Value: H}}},
	}
	floats := func(name string, dims []int64, v []float64) {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		g.Initializers = append(g.Initializers, onnxpb.FloatTensor(name, dims, f))
	}
	ints := func(name string, v ...int64) {
		g.Initializers = append(g.Initializers, onnxpb.Int64Tensor(name, []int64{int64(len(v))}, v))
	}
	node := func(op string, in, out []string, attrs ...onnxpb.Attr) {
		g.Nodes = append(g.Nodes, onnxpb.Node{Name: fmt.Sprintf("%s_%d", op, len(g.Nodes)), OpType: op, Inputs: in, Outputs: out, Attrs: attrs})
	}

	// The input: an embedding row or a one-hot vector per token.
	x := "input"
	if m.Config.Embed > 0 {
		floats("embedding", []int64{V, int64(m.Config.Embed)}, m.Tensors["embedding"])
		node("Gather", []string{"embedding", "tokens"}, []string{x}, onnxpb.Int("axis", 0))
	} else {
		ints("const_vocab", V)
		floats("one_hot_values", []int64{2}, []float64{0, 1})
		node("OneHot", []string{"tokens", "const_vocab", "one_hot_values"}, []string{x}, onnxpb.Int("axis", -1))
	}

	// One ONNX GRU per layer; its Y [T, dirs, B, H] becomes the next input [T, B, dirs·H].
	direction := "forward"
	if dirs == 2 {
		direction = "bidirectional"
	}
	ints("const_flat", 0, 0, -1)
	ints("const_axis0", 0)
	var hn []string
	for l := range cfg.Layers {
		o, err := ToONNX(p, l)
		if err != nil {
			return nil, err
		}
		D := int64(o.D)
		s := fmt.Sprintf("_l%d", l)
		floats("W"+s, []int64{dirs, 3 * H, D}, o.W)
		floats("R"+s, []int64{dirs, 3 * H, H}, o.R)
		floats("B"+s, []int64{dirs, 6 * H}, o.B)
		ints("const_first"+s, int64(l)*dirs)
		ints("const_last"+s, int64(l+1)*dirs)
		node("Slice", []string{"h0", "const_first" + s, "const_last" + s, "const_axis0"}, []string{"h0" + s})
		node("GRU", []string{x, "W" + s, "R" + s, "B" + s, "", "h0" + s}, []string{"Y" + s, "hn" + s},
			onnxpb.Int("hidden_size", H), onnxpb.Int("linear_before_reset", int64(o.LinearBeforeReset)),
			onnxpb.String("direction", direction))
		node("Transpose", []string{"Y" + s}, []string{"Y_tbdh" + s}, onnxpb.Ints("perm", 0, 2, 1, 3))
		x = "output" + s
		node("Reshape", []string{"Y_tbdh" + s, "const_flat"}, []string{x})
		hn = append(hn, "hn"+s)
	}
	node("Concat", hn, []string{"hn"}, onnxpb.Int("axis", 0))

	// logits = Y·W_out + b_out.
	out := int64(cfg.OutputSize())
	floats("linear_weight", []int64{out, V}, m.Tensors["out.weight"])
	floats("linear_bias", []int64{V}, m.Tensors["out.bias"])
	node("MatMul", []string{x, "linear_weight"}, []string{"scores"})
	node("Add", []string{"scores", "linear_bias"}, []string{"logits"})

	model := onnxpb.Model{IRVersion: onnxIRVersion, Opset: onnxOpset, ProducerName: "gogru", Graph: g,
		DocString: "Inputs: tokens int64 [T, B] (token ids), h0 float [layers·directions, B, H] (zeros to start afresh). " +
			"Outputs: logits float [T, B, vocab], hn float [layers·directions, B, H]. Metadata: config, cell, vocab."}
	meta := lmMetadata(m)
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		model.Metadata = append(model.Metadata, [2]string{k, meta[k]})
	}
	return model.Marshal(), nil
}

// SaveONNXLM writes ONNXLM's model to path atomically.
func SaveONNXLM(path string, m *LM) error {
	b, err := ONNXLM(m)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b)
}
