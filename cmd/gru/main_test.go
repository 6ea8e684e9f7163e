package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru/checkpoint"
)

// binary is the gru command built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gru-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gru")
	// The binary is built with this test's build tags, through the go command's
	// build cache, so a run after the first relinks it in seconds. The build runs
	// before XDG_CACHE_HOME moves below: GOCACHE defaults to a folder under it, and
	// an empty one would rebuild every package, the standard library's included.
	out, err := exec.Command("go", "build", "-tags", strings.Join(buildTags, ","), "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	// The binary's corpus cache starts empty for every run of the tests, so no test
	// depends on (or fills) the user's cache; timeMachine may read from it.
	userCorpusCache, _ = corpus.CacheDir()
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// userCorpusCache is the user's corpus cache, found before TestMain points
// XDG_CACHE_HOME at an empty folder.
var userCorpusCache string

// timeMachine returns a local copy of D2L's corpus, The Time Machine, for the tests
// that need the real text: the file TIMEMACHINE names (make sets it to the
// optional local copy the README describes), else the copy gru train cached in the
// user's cache. Without either it skips the test, saying how to run it.
func timeMachine(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TIMEMACHINE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("TIMEMACHINE=%s: %v", p, err)
		}
		return p
	}
	if userCorpusCache != "" {
		if p, ok := corpus.TimeMachine.Cached(userCorpusCache); ok {
			return p
		}
	}
	t.Skipf("needs D2L's corpus, The Time Machine, which is neither named by TIMEMACHINE nor cached in %s; "+
		"run it with TIMEMACHINE=/path/to/timemachine.txt go test ./cmd/gru, or after one 'gru train' with network, which caches it", userCorpusCache)
	return ""
}

// gru runs the built binary and returns stdout, stderr and the exit code.
func gruRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return gruRunEnv(t, nil, args...)
}

// gruRunEnv is gruRun with env added to the binary's environment.
func gruRunEnv(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func TestHelp(t *testing.T) {
	out, _, code := gruRun(t, "help")
	if code != 0 || !strings.Contains(out, "train") || !strings.Contains(out, "bench") {
		t.Fatalf("gru help: code %d\n%s", code, out)
	}
	for _, cmd := range []string{"train", "generate", "bench", "info"} {
		_, errOut, code := gruRun(t, cmd, "-h")
		if code != 0 || !strings.Contains(errOut, "Example:") || !strings.Contains(errOut, "Usage: gru "+cmd) {
			t.Errorf("gru %s -h: code %d\n%s", cmd, code, errOut)
		}
	}
	if _, errOut, code := gruRun(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: code %d, %q", code, errOut)
	}
}

// small are flags that make a training run take a second on the embedded corpus.
var small = []string{"--data", "builtin", "--hidden", "24", "--batch", "8", "--steps", "10", "--sample-every", "0", "--progress", "log", "--device", "cpu"}

func TestTrainGenerateEndToEnd(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"train", "--epochs", "3", "--checkpoint", dir}, small...)
	out, errOut, code := gruRun(t, args...)
	if code != 0 {
		t.Fatalf("train: code %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"the short built-in text", "device: cpu/float32", "final: epoch 3, perplexity"} {
		if !strings.Contains(out, want) {
			t.Errorf("train output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "perplexity=") {
		t.Errorf("no log lines with perplexity on stderr:\n%s", errOut)
	}
	for _, f := range []string{"checkpoint.safetensors", "curve.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	out, errOut, code = gruRun(t, "generate", "--checkpoint", dir, "--prefix", "the gate", "--n", "20")
	if code != 0 || !strings.HasPrefix(out, "the gate") || len(strings.TrimRight(out, "\n")) != len("the gate")+20 {
		t.Errorf("generate: code %d, %q %s", code, out, errOut)
	}
	out, _, code = gruRun(t, "generate", "--checkpoint", dir, "--n", "30", "--temperature", "1", "--seed", "4")
	if code != 0 || len(strings.TrimSpace(out)) < 30 {
		t.Errorf("generate with temperature: code %d, %q", code, out)
	}
}

// TestResumeIsBitIdentical trains 4 epochs straight, and 2 + 2 with a resume, and
// checks the loss curves and the final weights agree bit for bit.
func TestResumeIsBitIdentical(t *testing.T) {
	straight, split, _ := trainStraightAndSplit(t, []string{"--optimizer", "adam", "--lr", "0.01"}, nil)
	a, err := checkpoint.Load(filepath.Join(straight, "checkpoint.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Load(filepath.Join(split, "checkpoint.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	var ha, hb []epochRecord
	json.Unmarshal([]byte(a.Meta["history"]), &ha)
	json.Unmarshal([]byte(b.Meta["history"]), &hb)
	if len(ha) != 4 || len(hb) != 4 {
		t.Fatalf("histories of %d and %d epochs", len(ha), len(hb))
	}
	for i := range ha {
		if ha[i].Loss != hb[i].Loss {
			t.Errorf("epoch %d: loss %v straight, %v resumed", i+1, ha[i].Loss, hb[i].Loss)
		}
	}
	fa, _ := os.ReadFile(filepath.Join(straight, "checkpoint.safetensors"))
	fb, _ := os.ReadFile(filepath.Join(split, "checkpoint.safetensors"))
	if !bytes.Equal(withoutHistory(fa), withoutHistory(fb)) {
		t.Error("final checkpoints differ in their tensors")
	}
}

// withoutHistory returns a checkpoint's tensor bytes (after the header), which must
// match exactly; the header holds timings that may differ.
func withoutHistory(b []byte) []byte {
	if len(b) < 8 {
		return nil
	}
	n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16 | int(b[3])<<24
	return b[8+n:]
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	ck := t.TempDir()
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "1", "--checkpoint", ck}, small...)...); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	good, _ := os.ReadFile(filepath.Join(ck, "checkpoint.safetensors"))
	truncated := write("trunc.safetensors", good[:len(good)*2/3])
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"empty file", []string{"train", "--data", write("empty.txt", nil)}, 1, "empty"},
		{"binary junk", []string{"train", "--data", write("junk.bin", []byte{0x7f, 'E', 'L', 'F', 0, 1, 2, 0xff})}, 1, "not text"},
		{"missing file", []string{"train", "--data", filepath.Join(dir, "nope.txt")}, 1, "no such file"},
		{"unknown variant", []string{"train", "--variant", "lstm"}, 2, "unknown variant"},
		{"unknown device", []string{"train", "--device", "tpu"}, 2, "--device"},
		{"unknown optimizer", []string{"train", "--optimizer", "rmsprop"}, 2, "--optimizer"},
		{"unknown flag", []string{"train", "--hiden", "3"}, 2, "hiden"},
		{"bidirectional", []string{"train", "--bidirectional"}, 2, "cannot be a language model"},
		{"other config", append([]string{"train", "--resume", "--checkpoint", ck, "--epochs", "2"}, append(small, "--hidden", "25")...), 1, "hidden 24"},
		{"truncated checkpoint", []string{"generate", "--checkpoint", truncated}, 1, "not a valid safetensors"},
		{"junk checkpoint", []string{"generate", "--checkpoint", write("junk.safetensors", []byte("hello, not a checkpoint"))}, 1, "not a valid safetensors"},
		{"cuda without the tag", []string{"train", "--device", "cuda"}, 1, "-tags cuda"},
		{"bad shapes", []string{"bench", "--shapes", "1x2x3"}, 2, "BxTxDxH"},
		{"unknown dtype", []string{"train", "--dtype", "fp8"}, 2, "want float32, float64, tf32 or bf16"},
		{"tf32 on the CPU", []string{"train", "--device", "cpu", "--dtype", "tf32"}, 2, "--dtype tf32 needs a GPU"},
		{"bf16 on the CPU", []string{"train", "--device", "cpu", "--dtype", "bf16"}, 2, "--dtype bf16 needs a GPU"},
		{"unknown kernel", []string{"train", "--kernel", "cudnn"}, 2, "--kernel \"cudnn\": want gemm, persistent or auto"},
		{"persistent on the CPU", []string{"train", "--device", "cpu", "--kernel", "persistent"}, 2, "--kernel persistent needs a GPU"},
		{"bench persistent on the CPU", []string{"bench", "--device", "cpu", "--kernel", "gemm,persistent"}, 2, "--kernel persistent needs a GPU"},
		{"generate persistent on the CPU", []string{"generate", "--checkpoint", ck, "--kernel", "persistent"}, 2, "--kernel persistent needs a GPU"},
	} {
		_, errOut, code := gruRun(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: code %d (want %d), stderr %q lacks %q", c.name, code, c.code, errOut, c.want)
		}
	}
	// Nothing was left behind: the checkpoint directory holds what the one good run
	// wrote, beside the lock file that runs take.
	entries, _ := os.ReadDir(ck)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != ".lock,checkpoint.safetensors,curve.png" {
		t.Errorf("checkpoint directory holds %v", names)
	}
	after, _ := os.ReadFile(filepath.Join(ck, "checkpoint.safetensors"))
	if !bytes.Equal(good, after) {
		t.Error("a failed resume changed the checkpoint")
	}
}

func TestInfoAndBench(t *testing.T) {
	out, _, code := gruRun(t, "info")
	if code != 0 || !strings.Contains(out, "BLAS:") || !strings.Contains(out, "GPUs:") {
		t.Errorf("info: code %d\n%s", code, out)
	}
	if !strings.Contains(out, "tf32 and bf16") {
		t.Errorf("info does not name the GPU precisions:\n%s", out)
	}
	if !strings.Contains(out, "run time") && !strings.Contains(out, "GOGRU_BLAS") && !strings.Contains(out, "-tags openblas") { // why this BLAS
		t.Errorf("info does not say why it uses its BLAS:\n%s", out)
	}
	out, errOut, code := gruRun(t, "bench", "--shapes", "2x3x4x5", "--runs", "1", "--warmup", "0", "--json", "--device", "cpu", "--plot", filepath.Join(t.TempDir(), "b.png"))
	if code != 0 {
		t.Fatalf("bench: code %d\n%s", code, errOut)
	}
	var rows []benchRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 4 {
		t.Fatalf("bench --json: %v, %d rows\n%s", err, len(rows), out)
	}
	for _, r := range rows {
		if !(r.TokensPerS > 0) || !(r.MsPerStep > 0) || r.Kernel != "" {
			t.Errorf("row %+v has no timing, or names a GPU kernel", r)
		}
	}
}

// On the CUDA simulator, bench times both recurrent kernels side by side, eager and
// replayed from a recording, each row naming its kernel, and train runs the
// persistent one and says so.
func TestKernelFlagOnSimulator(t *testing.T) {
	out, errOut, code := gruRun(t, "bench", "--shapes", "2x3x4x5", "--runs", "1", "--warmup", "0", "--json", "--device", "sim", "--kernel", "gemm,persistent")
	if code != 0 {
		t.Fatalf("bench: code %d\n%s", code, errOut)
	}
	var rows []benchRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 16 {
		t.Fatalf("bench --json: %v, %d rows, want 16 (2 kernels × 2 cells × forward, train and their graphs)\n%s", err, len(rows), out)
	}
	kernels := map[string]int{}
	for _, r := range rows {
		kernels[r.Kernel+" "+r.Op]++
		if persistent := strings.Contains(r.Backend, "persistent recurrent kernel"); persistent != (r.Kernel == "persistent") {
			t.Errorf("row of kernel %q from backend %q", r.Kernel, r.Backend)
		}
	}
	for _, k := range []string{"gemm", "persistent"} {
		for _, op := range []string{"forward", "train", "forward-graph", "train-graph"} {
			if kernels[k+" "+op] != 2 {
				t.Errorf("rows by kernel and op %v, want 2 of each", kernels)
			}
		}
	}
	args := append([]string{"train", "--epochs", "1", "--max-tokens", "300"}, small...)
	out, errOut, code = gruRun(t, append(args, "--device", "sim", "--kernel", "persistent")...)
	if code != 0 || !strings.Contains(out, "device: cuda/float32 (simulated GPU (host C++), persistent recurrent kernel)") {
		t.Errorf("train --device sim --kernel persistent: code %d\n%s\n%s", code, out, errOut)
	}
	// TF32 GEMMs with the persistent kernel: the GEMM path, said once, and so labelled.
	out, errOut, code = gruRun(t, "bench", "--shapes", "2x3x4x5", "--runs", "1", "--warmup", "0", "--json", "--device", "sim",
		"--dtype", "tf32", "--kernel", "persistent", "--variant", "reset-after")
	rows = nil
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) == 0 {
		t.Fatalf("bench --dtype tf32 --kernel persistent: code %d, %v\n%s", code, err, errOut)
	}
	for _, r := range rows {
		if r.Kernel != "persistent→gemm" {
			t.Errorf("a tf32 row of --kernel persistent labelled %q, want persistent→gemm", r.Kernel)
		}
	}
	if n := strings.Count(errOut, "float32 only"); n != 1 {
		t.Errorf("%d notices that the persistent kernel computes in float32 only, want 1\n%s", n, errOut)
	}
	// --kernel auto says once which path it keeps for the shape.
	out, errOut, code = gruRun(t, append(args, "--device", "sim", "--kernel", "auto", "--epochs", "8")...) // more steps than its tuning takes
	if code != 0 || strings.Count(errOut, "--kernel auto, T=") != 1 {
		t.Errorf("train --device sim --kernel auto: code %d, want one choice on stderr\n%s\n%s", code, out, errOut)
	}
}

// TestTimeMachineDownload fetches the corpus from a local server through the same
// path as --data timemachine, into a temporary cache.
func TestTimeMachineDownload(t *testing.T) {
	body := "The Time Machine, by H. G. Wells\nI\nThe Time Traveller\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
	defer srv.Close()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	saved := corpus.TimeMachine
	defer func() { corpus.TimeMachine = saved }()
	sum := sha1.Sum([]byte(body))
	corpus.TimeMachine.URL, corpus.TimeMachine.SHA1 = srv.URL, hex.EncodeToString(sum[:])
	text, source, err := loadText("timemachine", 0, true)
	if err != nil || text != body || !strings.Contains(source, "timemachine") {
		t.Fatalf("loadText: %q %q %v", text, source, err)
	}
	srv.Close()
	corpus.TimeMachine.Name = "other.txt"
	if _, _, err := loadText("timemachine", 0, true); err == nil || !strings.Contains(err.Error(), "--data PATH") {
		t.Errorf("offline: %v", err)
	}
}

// Without --data, train runs on The Time Machine: with an empty cache and no way to
// download it, it says how to give a copy; given a copy once (verified by SHA-1),
// it caches it, and a run without --data then finds it, and the checkpoint and
// gru info name it.
func TestDefaultCorpusIsTheTimeMachine(t *testing.T) {
	cache := t.TempDir()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // a mirror that refuses connections: the download fails at once
	run := func(args ...string) (string, string, int) {
		t.Helper()
		return gruRunEnv(t, []string{"XDG_CACHE_HOME=" + cache, "GOGRU_TIMEMACHINE_URL=" + dead.URL}, args...)
	}
	quick := []string{"--epochs", "1", "--max-tokens", "400", "--hidden", "8", "--batch", "2", "--steps", "5", "--sample-every", "0", "--progress", "log", "--device", "cpu"}
	_, errOut, code := run(append([]string{"train"}, quick...)...)
	if code != 1 || !strings.Contains(errOut, "The Time Machine") || !strings.Contains(errOut, "--data PATH") || !strings.Contains(errOut, "--data builtin") {
		t.Fatalf("no cache, no network: code %d\n%s", code, errOut)
	}
	out, _, _ := run("info")
	if !strings.Contains(out, "not cached yet") {
		t.Errorf("gru info with an empty cache:\n%s", out)
	}
	copyPath := timeMachine(t) // a copy to seed the test's cache with
	out, errOut, code = run(append([]string{"train", "--data", copyPath}, quick...)...)
	if code != 0 || !strings.Contains(out, "The Time Machine") || !strings.Contains(out, "now cached") {
		t.Fatalf("train --data COPY: code %d\n%s%s", code, out, errOut)
	}
	ck := filepath.Join(t.TempDir(), "ck")
	out, errOut, code = run(append([]string{"train", "--checkpoint", ck}, quick...)...)
	if code != 0 || !strings.Contains(out, "data: The Time Machine") || !strings.Contains(out, cache) {
		t.Fatalf("train without --data after caching: code %d\n%s%s", code, out, errOut)
	}
	out, _, _ = run("info", "--checkpoint", ck)
	if !strings.Contains(out, "corpus: The Time Machine") || !strings.Contains(out, "epoch 1") {
		t.Errorf("gru info --checkpoint does not name the corpus:\n%s", out)
	}
	if out, _, _ = run("info"); !strings.Contains(out, "The Time Machine is cached at") {
		t.Errorf("gru info after caching:\n%s", out)
	}
}
