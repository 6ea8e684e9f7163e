package interop_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/interop"
)

// onnxRuntime returns the command that runs testdata/run_onnx.js with ONNX Runtime
// (npm's onnxruntime-node, installed by .ci/install into .onnxruntime/ at the
// repository root, or where GOGRU_ONNXRUNTIME_NODE_PATH says), or skips.
func onnxRuntime(t *testing.T, jobs string) *exec.Cmd {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		grutest.MissingTool(t, "node is not installed; run bash .ci/install (nodejs, npm, onnxruntime-node) to run the ONNX Runtime tests")
	}
	mods := os.Getenv("GOGRU_ONNXRUNTIME_NODE_PATH")
	if mods == "" {
		mods, _ = filepath.Abs("../../.onnxruntime/node_modules")
	}
	if _, err := os.Stat(filepath.Join(mods, "onnxruntime-node")); err != nil {
		grutest.MissingTool(t, "onnxruntime-node is not in %s; run bash .ci/install (it runs npm install --ignore-scripts --prefix .onnxruntime onnxruntime-node) to run the ONNX Runtime tests", mods)
	}
	cmd := exec.Command(node, "testdata/run_onnx.js", jobs)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	return cmd
}

// onnxChecker runs onnx.checker (full check, with shape inference) on each path in
// one Python process, or skips when Debian's python3-onnx is absent.
func onnxChecker(t *testing.T, paths ...string) {
	t.Helper()
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import onnx").Run() != nil {
		grutest.MissingTool(t, "python3-onnx is not installed for /usr/bin/python3; run bash .ci/install to run onnx.checker")
	}
	script := "import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)"
	out, err := exec.Command(py, append([]string{"-c", script}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("onnx.checker refuses a model: %v\n%s", err, out)
	}
}

type onnxJob struct {
	Model  string    `json:"model"`
	T      int       `json:"T"`
	B      int       `json:"B"`
	Hidden int       `json:"hidden"`
	Tokens []int     `json:"tokens"`
	H0     []float64 `json:"h0"`
}

type onnxResult struct {
	Logits []float64 `json:"logits"`
	HN     []float64 `json:"hn"`
	Dims   struct {
		Logits []int `json:"logits"`
		HN     []int `json:"hn"`
	} `json:"dims"`
	Inputs []string `json:"inputs"`
}

// TestONNXLMPassesTheChecker runs onnx.checker on the export of every case.
func TestONNXLMPassesTheChecker(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, c := range lmCases() {
		_, m := newLM(t, c, uint64(10+i))
		path := filepath.Join(dir, strings.ReplaceAll(c.name, "/", "_")+".onnx")
		if err := interop.SaveONNXLM(path, m); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	onnxChecker(t, paths...)
}

// TestONNXLMRunsInONNXRuntime runs the exported models in ONNX Runtime, from a random
// h0 and from zeros, at two shapes of one file, and compares logits and hn with gogru's
// forward pass within 1e-5 relative: both cells, one and two layers, one-hot and
// embedding input.
func TestONNXLMRunsInONNXRuntime(t *testing.T) {
	dir := t.TempDir()
	type want struct {
		name       string
		logits, hn []float64
		T, B, V, H int
		cells      int
	}
	var jobs []onnxJob
	var wants []want
	for i, c := range lmCases() {
		_, m := newLM(t, c, uint64(20+i))
		path := filepath.Join(dir, strings.ReplaceAll(c.name, "/", "_")+".onnx")
		if err := interop.SaveONNXLM(path, m); err != nil {
			t.Fatal(err)
		}
		H, cells, V := m.Config.GRU.HiddenSize, m.Config.GRU.Cells(), m.Config.Vocab
		for k, shape := range [][2]int{{5, 3}, {1, 2}} {
			T, B := shape[0], shape[1]
			tokens := randomTokens(uint64(30+i), T, B, V)
			h0 := make([]float64, cells*B*H)
			if k == 0 { // a random initial state; the second shape starts from zeros
				rng := randomTokens(uint64(40+i), cells*B*H, 1, 1000)
				h0 = make([]float64, len(rng))
				for j, r := range rng {
					h0[j] = float64(r)/500 - 1
				}
			}
			logits, hn := hostLogits(m, tokens, h0, T, B)
			jobs = append(jobs, onnxJob{Model: path, T: T, B: B, Hidden: H, Tokens: tokens, H0: h0})
			wants = append(wants, want{c.name + map[int]string{0: " from a random h0", 1: " from zeros"}[k], logits, hn, T, B, V, H, cells})
		}
	}
	jobFile := filepath.Join(dir, "jobs.json")
	b, _ := json.Marshal(jobs)
	if err := os.WriteFile(jobFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := onnxRuntime(t, jobFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ONNX Runtime: %v\n%s", err, stderr.String())
	}
	var results []onnxResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(wants) {
		t.Fatalf("ONNX Runtime's output: %v (%d results for %d jobs)", err, len(results), len(wants))
	}
	for i, r := range results {
		w := wants[i]
		if !slices.Equal(r.Dims.Logits, []int{w.T, w.B, w.V}) || !slices.Equal(r.Dims.HN, []int{w.cells, w.B, w.H}) {
			t.Errorf("%s: ONNX Runtime's shapes: logits %v, hn %v", w.name, r.Dims.Logits, r.Dims.HN)
			continue
		}
		if e := grutest.RelErr(r.Logits, w.logits); !(e <= 1e-5) {
			t.Errorf("%s: ONNX Runtime's logits differ from gogru's by %.3g relative", w.name, e)
		}
		if e := grutest.RelErr(r.HN, w.hn); !(e <= 1e-5) {
			t.Errorf("%s: ONNX Runtime's hn differs from gogru's by %.3g relative", w.name, e)
		}
	}
}
