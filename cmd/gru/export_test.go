package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/internal/tensorfile"
)

// TestExportThenInitFrom trains a small model, exports it in both formats, and
// starts a new run from the PyTorch file: with a learning rate too small to move a
// float32 weight, that run's checkpoint exports to the same tensors.
func TestExportThenInitFrom(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "ck")
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "2", "--checkpoint", ck, "--embed", "6"}, small...)...); code != 0 {
		t.Fatalf("train: %d\n%s", code, errOut)
	}
	onnxPath, ptPath := filepath.Join(dir, "m.onnx"), filepath.Join(dir, "m.safetensors")
	out, errOut, code := gruRun(t, "export", "--checkpoint", ck, "--out", onnxPath)
	if code != 0 || !strings.Contains(out, "ONNX model") {
		t.Fatalf("export onnx: %d\n%s%s", code, out, errOut)
	}
	if fi, err := os.Stat(onnxPath); err != nil || fi.Size() < 1000 {
		t.Fatalf("the ONNX file: %v", err)
	}
	out, errOut, code = gruRun(t, "export", "--checkpoint", ck, "--format", "pytorch", "--out", ptPath)
	if code != 0 || !strings.Contains(errOut, "ResetBeforeGRU") {
		t.Fatalf("export pytorch of a reset-before model: %d, want the note on stderr\n%s%s", code, out, errOut)
	}
	saved, err := checkpoint.Load(checkpointPath(ck))
	if err != nil {
		t.Fatal(err)
	}
	exported, err := tensorfile.Read(ptPath)
	if err != nil {
		t.Fatal(err)
	}
	if exported.Meta["vocab"] != saved.Meta["vocab"] || exported.Meta["cell"] != "reset-before" {
		t.Fatalf("metadata vocab %q (checkpoint %q), cell %q", exported.Meta["vocab"], saved.Meta["vocab"], exported.Meta["cell"])
	}

	// A new run from the export, on a corpus whose own vocabulary would differ: the
	// file's vocabulary is kept.
	text := filepath.Join(dir, "other.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("zebra quiz jazz ", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	ck2 := filepath.Join(dir, "ck2")
	args := []string{"train", "--epochs", "1", "--checkpoint", ck2, "--embed", "6", "--init-from", ptPath, "--lr", "1e-30"}
	args = append(args, small...)
	args = append(args, "--data", text) // the last --data wins
	out, errOut, code = gruRun(t, args...)
	if code != 0 || !strings.Contains(out, "init: embedding, GRU, linear layer from") {
		t.Fatalf("train --init-from: %d\n%s%s", code, out, errOut)
	}
	// PyTorch's own nn.GRU + nn.Linear (no vocabulary stored; the corpus's has the
	// same 11 tokens): the run takes its cell when --variant is not given.
	args = append([]string{"train", "--epochs", "1", "--init-from", "../../gru/interop/testdata/pytorch_lm_onehot.safetensors"}, small...)
	out, errOut, code = gruRun(t, append(args, "--data", text, "--hidden", "6")...)
	if code != 0 || !strings.Contains(out, "holds reset-after weights") || !strings.Contains(out, "init: GRU, linear layer from") {
		t.Fatalf("train --init-from PyTorch's file: %d\n%s%s", code, out, errOut)
	}
	pt2 := filepath.Join(dir, "m2.safetensors")
	if _, errOut, code := gruRun(t, "export", "--checkpoint", ck2, "--out", pt2); code != 0 {
		t.Fatalf("export: %d\n%s", code, errOut)
	}
	again, err := tensorfile.Read(pt2)
	if err != nil {
		t.Fatal(err)
	}
	if again.Meta["vocab"] != exported.Meta["vocab"] {
		t.Errorf("--init-from did not keep the file's vocabulary: %q, was %q", again.Meta["vocab"], exported.Meta["vocab"])
	}
	if err := tensorfile.Compare(exported, again, 1e-6); err != nil {
		t.Errorf("--init-from then export: %v", err)
	}
}

// TestExportGenerateMatchesONNXRuntime continues a prefix greedily with gru
// generate and with the exported model in ONNX Runtime (scripts/onnx_generate.js,
// the example of docs/export.md): the texts must be equal.
func TestExportGenerateMatchesONNXRuntime(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		grutest.MissingTool(t, "node is not installed; run bash .ci/install (nodejs, npm, onnxruntime-node) to run this test")
	}
	mods, _ := filepath.Abs("../../.onnxruntime/node_modules")
	if _, err := os.Stat(filepath.Join(mods, "onnxruntime-node")); err != nil {
		grutest.MissingTool(t, "onnxruntime-node is not in %s; run bash .ci/install to run this test", mods)
	}
	dir := t.TempDir()
	ck := filepath.Join(dir, "ck")
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "3", "--checkpoint", ck, "--layers", "2"}, small...)...); code != 0 {
		t.Fatalf("train: %d\n%s", code, errOut)
	}
	model := filepath.Join(dir, "m.onnx")
	if _, errOut, code := gruRun(t, "export", "--checkpoint", ck, "--format", "onnx", "--out", model); code != 0 {
		t.Fatalf("export: %d\n%s", code, errOut)
	}
	want, errOut, code := gruRun(t, "generate", "--checkpoint", ck, "--prefix", "the time", "--n", "40", "--device", "cpu")
	if code != 0 {
		t.Fatalf("generate: %d\n%s", code, errOut)
	}
	cmd := exec.Command(node, "../../scripts/onnx_generate.js", model, "the time", "40")
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("onnx_generate.js: %v\n%s", err, got)
	}
	if strings.TrimSpace(string(got)) != strings.TrimSpace(want) {
		t.Errorf("ONNX Runtime continues %q, gru generate %q", strings.TrimSpace(string(got)), strings.TrimSpace(want))
	}
}

func TestExportUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--out", "x.onnx"}, "--checkpoint and --out are required"},
		{[]string{"export", "--checkpoint", "ck", "--out", "x.bin"}, "--format is needed"},
		{[]string{"export", "--checkpoint", "ck", "--format", "tf", "--out", "x.onnx"}, `--format "tf"`},
		{append([]string{"train", "--resume", "--checkpoint", "ck", "--init-from", "x.safetensors"}, small...), "give one of them"},
	} {
		_, errOut, code := gruRun(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("gru %s: code %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
	if _, errOut, code := gruRun(t, "export", "-h"); code != 0 || !strings.Contains(errOut, "Example:") {
		t.Errorf("gru export -h: code %d\n%s", code, errOut)
	}
	_, errOut, code := gruRun(t, "export", "--checkpoint", t.TempDir(), "--out", "x.onnx")
	if code != 1 || !strings.Contains(errOut, "checkpoint.safetensors") {
		t.Errorf("export of an empty directory: code %d, %q", code, errOut)
	}
}
