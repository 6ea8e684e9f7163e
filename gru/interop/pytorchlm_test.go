package interop_test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/interop"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/internal/tensorfile"
)

// TestPyTorchLMFileLayout checks the names, shapes and metadata of the export, and
// that reading it back gives every value bit for bit, the cell and the vocabulary.
func TestPyTorchLMFileLayout(t *testing.T) {
	for i, c := range lmCases() {
		t.Run(c.name, func(t *testing.T) {
			_, m := newLM(t, c, uint64(50+i))
			path := filepath.Join(t.TempDir(), "m.safetensors")
			if err := interop.SavePyTorchLM(path, m); err != nil {
				t.Fatal(err)
			}
			f, err := tensorfile.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			H := m.Config.GRU.HiddenSize
			want := torchShapes(m.Config)
			names := f.Names()
			sort.Strings(names)
			if len(names) != len(want) {
				t.Fatalf("tensors %v, want the %d of %v", names, len(want), want)
			}
			for n, shape := range want {
				if err := f.CheckTensor(n, shape); err != nil {
					t.Error(err)
				}
			}
			var cfg map[string]any
			if err := json.Unmarshal([]byte(f.Meta["config"]), &cfg); err != nil || cfg["hidden_size"] != float64(H) || cfg["num_layers"] != float64(c.layers) {
				t.Errorf("metadata config %q (%v)", f.Meta["config"], err)
			}
			if f.Meta["cell"] != c.variant.String() || f.Meta["format"] != "pt" {
				t.Errorf("metadata cell %q, format %q", f.Meta["cell"], f.Meta["format"])
			}
			if _, warned := f.Meta["warning"]; warned != (c.variant == gru.ResetBefore) {
				t.Errorf("%v: warning %q", c.variant, f.Meta["warning"])
			}
			// Read back for a model of the other cell: the file's cell wins.
			mc := m.Config
			mc.GRU.Variant = 1 - c.variant
			back, err := interop.LoadPyTorchLM(path, mc)
			if err != nil {
				t.Fatal(err)
			}
			if back.Config != m.Config || !slices.Equal(back.Vocab, m.Vocab) || len(back.Tensors) != len(m.Tensors) {
				t.Fatalf("read back %+v, vocab %v, %d tensors", back.Config, back.Vocab, len(back.Tensors))
			}
			for n, v := range m.Tensors {
				for j := range v {
					if math.Float64bits(back.Tensors[n][j]) != math.Float64bits(v[j]) {
						t.Fatalf("tensor %s changed at %d: %v, was %v", n, j, back.Tensors[n][j], v[j])
					}
				}
			}
		})
	}
}

// TestLoadPyTorchLMTakesABareGRU reads an nn.GRU's own state_dict: the stack only,
// reset-after, no vocabulary.
func TestLoadPyTorchLMTakesABareGRU(t *testing.T) {
	_, cfg := loadTorchRun(t)
	mc := lm.Config{Vocab: cfg.InputSize, GRU: cfg}
	m, err := interop.LoadPyTorchLM("testdata/pytorch_gru.safetensors", mc)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.GRU.Variant != gru.ResetAfter || m.Vocab != nil || len(m.Tensors) != 4*cfg.Cells() {
		t.Fatalf("variant %v, vocab %v, %d tensors", m.Config.GRU.Variant, m.Vocab, len(m.Tensors))
	}
	p, err := interop.LoadPyTorch("testdata/pytorch_gru.safetensors", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range gru.TensorNames(cfg) {
		if !slices.Equal(m.Tensors["gru."+n], p.Flat()[i]) {
			t.Errorf("gru.%s differs from LoadPyTorch's", n)
		}
	}
}

// TestPyTorchLMErrorsNameTheTensor checks refusals: wrong shapes, stray tensors,
// an embedding for a one-hot model, and non-finite weights on export and import.
func TestPyTorchLMErrorsNameTheTensor(t *testing.T) {
	_, m := newLM(t, lmCase{"", gru.ResetAfter, 2, 5, false}, 60)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := interop.SavePyTorchLM(good, m); err != nil {
		t.Fatal(err)
	}
	write := func(name string, edit func(map[string]tensorfile.Tensor)) string {
		f, err := tensorfile.Read(good)
		if err != nil {
			t.Fatal(err)
		}
		ts := map[string]tensorfile.Tensor{}
		for _, n := range f.Names() {
			var s []int // the file's shape of n: the one of the model's shapes it has
			for _, probe := range [][]int{{18, 5}, {18, 6}, {18}, {11, 6}, {11}, {11, 5}} {
				if f.CheckTensor(n, probe) == nil {
					s = probe
				}
			}
			v, err := f.Tensor(n, s)
			if err != nil {
				t.Fatal(err)
			}
			ts[n] = tensorfile.Tensor{Shape: s, Data: v, DType: gru.Float32}
		}
		edit(ts)
		path := filepath.Join(dir, name+".safetensors")
		if err := tensorfile.Write(path, ts, f.Meta); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, c := range []struct {
		name string
		path string
		mc   func(*lm.Config)
		want []string
	}{
		{"hidden 7 asked", good, func(mc *lm.Config) { mc.GRU.HiddenSize = 7 }, []string{"gru.weight_ih_l0", "[21 5]"}},
		{"vocab 12 asked", good, func(mc *lm.Config) { mc.Vocab = 12 }, []string{"vocab has 11 tokens"}},
		{"one layer asked", good, func(mc *lm.Config) { mc.GRU.Layers = 1 }, []string{"gru.bias_hh_l1", "not part of"}},
		{"one-hot asked", good, func(mc *lm.Config) { mc.Embed = 0; mc.GRU.InputSize = 11 }, []string{"gru.weight_ih_l0"}},
		{"stray tensor", write("stray", func(ts map[string]tensorfile.Tensor) {
			ts["decoder.weight"] = tensorfile.Tensor{Shape: []int{1}, Data: []float64{0}}
		}), nil, []string{"decoder.weight"}},
		{"NaN", write("nan", func(ts map[string]tensorfile.Tensor) { ts["gru.bias_hh_l1"].Data[3] = math.NaN() }), nil, []string{"gru.bias_hh_l1", "NaN"}},
		{"Inf", write("inf", func(ts map[string]tensorfile.Tensor) { ts["linear.weight"].Data[0] = math.Inf(-1) }), nil, []string{"linear.weight", "-Inf"}},
		{"bias without weight", write("half", func(ts map[string]tensorfile.Tensor) { delete(ts, "linear.weight") }), nil, []string{"linear.bias"}},
		{"no GRU", write("nogru", func(ts map[string]tensorfile.Tensor) { delete(ts, "gru.weight_ih_l0") }), nil, []string{"weight_ih_l0", "missing"}},
	} {
		mc := m.Config
		if c.mc != nil {
			c.mc(&mc)
		}
		_, err := interop.LoadPyTorchLM(c.path, mc)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want it to mention %q", c.name, err, w)
			}
		}
	}
	bad := *m
	bad.Tensors = map[string][]float64{}
	for n, v := range m.Tensors {
		bad.Tensors[n] = slices.Clone(v)
	}
	bad.Tensors["out.bias"][2] = math.Inf(1)
	if err := interop.SavePyTorchLM(filepath.Join(dir, "x.safetensors"), &bad); err == nil || !strings.Contains(err.Error(), "out.bias") {
		t.Errorf("exporting an Inf weight: %v", err)
	}
	if _, err := interop.ONNXLM(&bad); err == nil || !strings.Contains(err.Error(), "out.bias") {
		t.Errorf("exporting an Inf weight to ONNX: %v", err)
	}
	bad.Tensors["out.bias"][2] = -1e39 // finite in float64, -Inf in float32
	if _, err := interop.ONNXLM(&bad); err == nil || !strings.Contains(err.Error(), "float32's range") {
		t.Errorf("exporting a weight beyond float32's range: %v", err)
	}
}
