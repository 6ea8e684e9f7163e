package interop_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/interop"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/internal/tensorfile"
)

// torchShapes is the state_dict a language model exports to: name → shape.
func torchShapes(mc lm.Config) map[string][]int {
	V, cfg := mc.Vocab, mc.GRU
	want := map[string][]int{"linear.weight": {V, cfg.OutputSize()}, "linear.bias": {V}}
	if mc.Embed > 0 {
		want["embedding.weight"] = []int{V, mc.Embed}
	}
	for i := range cfg.Cells() {
		for k := range 4 {
			want["gru."+interop.PyTorchName(cfg, i, k)] = interop.PyTorchShape(cfg, i, k)
		}
	}
	return want
}

// torchLM is a golden file of scripts/gen_pytorch_lm.py: PyTorch's outputs.
type torchLM struct {
	Vocab, Embed, Hidden, Layers, T, B int
	Tokens                             []int
	H0, Logits, HN                     []float64
}

// TestPyTorchLMGolden loads the state_dict of PyTorch's nn.GRU + nn.Linear (with
// one-hot or nn.Embedding input), checks that gogru computes PyTorch's logits and
// hn from it, and that exporting it gives back PyTorch's file: the same names,
// shapes and values, so the export loads into those modules.
func TestPyTorchLMGolden(t *testing.T) {
	for _, name := range []string{"onehot", "embedding"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile("testdata/pytorch_lm_" + name + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var g torchLM
			if err := json.Unmarshal(b, &g); err != nil {
				t.Fatal(err)
			}
			mc := lm.Config{Vocab: g.Vocab, Embed: g.Embed, GRU: gru.Config{HiddenSize: g.Hidden, Layers: g.Layers}}
			mc.GRU.InputSize = mc.InputWidth()
			file := "testdata/pytorch_lm_" + name + ".safetensors"
			m, err := interop.LoadPyTorchLM(file, mc)
			if err != nil {
				t.Fatal(err)
			}
			if m.Config.GRU.Variant != gru.ResetAfter || len(m.Tensors) != len(torchShapes(mc)) {
				t.Fatalf("variant %v, %d tensors", m.Config.GRU.Variant, len(m.Tensors))
			}
			logits, hn := hostLogits(m, g.Tokens, g.H0, g.T, g.B)
			if e := grutest.RelErr(logits, g.Logits); !(e <= 1e-5) {
				t.Errorf("logits differ from PyTorch's by %.3g", e)
			}
			if e := grutest.RelErr(hn, g.HN); !(e <= 1e-5) {
				t.Errorf("hn differs from PyTorch's by %.3g", e)
			}
			out := filepath.Join(t.TempDir(), "export.safetensors")
			if err := interop.SavePyTorchLM(out, m); err != nil {
				t.Fatal(err)
			}
			orig, err := tensorfile.Read(file)
			if err != nil {
				t.Fatal(err)
			}
			exp, err := tensorfile.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := tensorfile.Compare(orig, exp, 0); err != nil {
				t.Errorf("the export is not PyTorch's state_dict: %v", err)
			}
		})
	}
}

// docsModule extracts the Python block of docs/export.md that defines GRULM.
func docsModule(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/export.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "```python\n")[1:] {
		code, _, _ := strings.Cut(block, "```")
		if strings.Contains(code, "class GRULM") {
			return code
		}
	}
	t.Fatal("docs/export.md has no Python block defining GRULM")
	return ""
}

// TestPyTorchLMRunsInTorch loads exports of both cells into docs/export.md's module
// in PyTorch (scripts/check_torch_export.py) and compares its logits and hn with
// gogru's, from a random initial state.
func TestPyTorchLMRunsInTorch(t *testing.T) {
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import torch, numpy").Run() != nil {
		t.Skip("python3-torch is not installed for /usr/bin/python3; GOGRU_WITH_TORCH=1 bash .ci/install installs it")
	}
	dir := t.TempDir()
	module := filepath.Join(dir, "gogru_lm.py")
	if err := os.WriteFile(module, []byte(docsModule(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	var cases []map[string]any
	for i, c := range lmCases() {
		_, m := newLM(t, c, uint64(70+i))
		file := filepath.Join(dir, strings.ReplaceAll(c.name, "/", "_")+".safetensors")
		if err := interop.SavePyTorchLM(file, m); err != nil {
			t.Fatal(err)
		}
		T, B := 5, 2
		tokens := randomTokens(uint64(80+i), T, B, m.Config.Vocab)
		h0 := make([]float64, m.Config.GRU.Cells()*B*m.Config.GRU.HiddenSize)
		for j, r := range randomTokens(uint64(90+i), len(h0), 1, 1000) {
			h0[j] = float64(r)/500 - 1
		}
		logits, hn := hostLogits(m, tokens, h0, T, B)
		cases = append(cases, map[string]any{"file": file, "T": T, "B": B, "tokens": tokens, "h0": h0, "logits": logits, "hn": hn})
	}
	jobs := filepath.Join(dir, "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(jobs, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "../../scripts/check_torch_export.py", module, jobs).CombinedOutput()
	if err != nil {
		t.Fatalf("PyTorch disagrees with gogru: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
