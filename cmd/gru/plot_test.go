package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodePNG checks that path is a PNG of the charts' width and returns its height.
func decodePNG(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != 960 || b.Dy() < 200 {
		t.Errorf("%s: %dx%d, want 960 wide", path, b.Dx(), b.Dy())
	}
	return img.Bounds().Dy()
}

// A CPU run, a peer's file and a GPU run made elsewhere merge into one chart,
// with flags before or after the files.
func TestPlotBenchMergesRuns(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := gruRun(t, "bench", "--shapes", "2x3x4x5", "--runs", "1", "--warmup", "0", "--json", "--device", "cpu",
		"--variant", "reset-after", "--plot", filepath.Join(dir, "bench.png"))
	if code != 0 {
		t.Fatalf("bench: code %d\n%s", code, errOut)
	}
	decodePNG(t, filepath.Join(dir, "bench.png"))
	var rows []benchRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("bench --json: %v, %d rows", err, len(rows))
	}
	for _, r := range rows {
		if r.Machine == "" || r.Device != "cpu" || r.Precision != "float32" || r.Peer {
			t.Errorf("row %+v: want the machine, device cpu, precision float32, not a peer", r)
		}
	}
	cpu, peer := filepath.Join(dir, "cpu.json"), filepath.Join(dir, "peer.json")
	os.WriteFile(cpu, []byte(out), 0o644)
	os.WriteFile(peer, []byte(`[
	 {"machine": "AMD EPYC, 2 CPUs", "backend": "torch 1.13.0a0 cpu float32 (2 threads)", "device": "cpu", "precision": "float32", "peer": true,
	  "shape": "B=2/T=3/D=4/H=5", "B": 2, "T": 3, "D": 4, "H": 5, "variant": "reset-after", "op": "forward", "ms_per_step": 0.5, "tokens_per_s": 12000},
	 {"machine": "AMD EPYC, 2 CPUs", "backend": "torch 1.13.0a0 cpu float32 (2 threads)", "device": "cpu", "precision": "float32", "peer": true,
	  "shape": "B=2/T=3/D=4/H=5", "B": 2, "T": 3, "D": 4, "H": 5, "variant": "reset-after", "op": "train", "ms_per_step": 1, "tokens_per_s": 6000}]`), 0o644)
	chart := filepath.Join(dir, "chart.png")
	gpu := filepath.Join("..", "..", "docs", "bench", "h200-run4.json")
	stdout, errOut, code := gruRun(t, "plot", "--baseline", "peer", "bench", cpu, peer, gpu, "-o", chart, "--note", "a test")
	if code != 0 || !strings.Contains(stdout, "chart: "+chart) {
		t.Fatalf("plot bench: code %d\n%s%s", code, stdout, errOut)
	}
	decodePNG(t, chart)
}

func TestPlotRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join("..", "..", "docs", "bench", "cpu-2026-11-26.json")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"not": "rows"}`), 0o644)
	chart := filepath.Join(dir, "chart.png")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plot"}, 2, "want bench or curve"},
		{[]string{"plot", "bench", good}, 2, "-o PATH.png is required"},
		{[]string{"plot", "bench", "-o", chart}, 2, "want one or more"},
		{[]string{"plot", "pie", good, "-o", chart}, 2, `"pie"`},
		{[]string{"plot", "bench", filepath.Join(dir, "missing.json"), "-o", chart}, 1, "missing.json"},
		{[]string{"plot", "bench", bad, "-o", chart}, 1, "not a bench file"},
		{[]string{"plot", "bench", good, "-o", chart, "--baseline", "gogru GPU FP32"}, 1, `"PyTorch CPU FP32"`},
		{[]string{"plot", "bench", good, "-o", chart, "--ops", "forward-graph"}, 1, "no rows of the op"},
	} {
		_, errOut, code := gruRun(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("gru %s: code %d, want %d and a message with %q:\n%s", strings.Join(c.args, " "), code, c.code, c.want, errOut)
		}
	}
	if _, err := os.Stat(chart); err == nil {
		t.Error("a refused plot wrote the chart")
	}
	if _, errOut, code := gruRun(t, "plot", "-h"); code != 0 || !strings.Contains(errOut, "gru plot bench FILE.json") {
		t.Errorf("plot -h: code %d\n%s", code, errOut)
	}
}

// train writes curve.png, and plot curve draws the same history again from the checkpoint.
func TestPlotCurve(t *testing.T) {
	dir := t.TempDir()
	if out, errOut, code := gruRun(t, append([]string{"train", "--epochs", "3", "--checkpoint", dir}, small...)...); code != 0 {
		t.Fatalf("train: code %d\n%s\n%s", code, out, errOut)
	}
	decodePNG(t, filepath.Join(dir, "curve.png"))
	again := filepath.Join(t.TempDir(), "again.png")
	if out, errOut, code := gruRun(t, "plot", "curve", dir, "-o", again); code != 0 {
		t.Fatalf("plot curve: code %d\n%s\n%s", code, out, errOut)
	}
	decodePNG(t, again)
	if _, errOut, code := gruRun(t, "plot", "curve", t.TempDir(), "-o", again); code != 1 || !strings.Contains(errOut, "checkpoint.safetensors") {
		t.Errorf("plot curve of an empty directory: code %d\n%s", code, errOut)
	}
}
