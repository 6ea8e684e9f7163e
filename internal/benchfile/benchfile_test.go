package benchfile

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseInfersOlderRows(t *testing.T) {
	rows, err := Parse([]byte(`[
	 {"backend": "cpu/float32 (OpenBLAS 0.3.21)", "shape": "B=32/T=35/D=28/H=256", "variant": "reset-after", "op": "forward", "ms_per_step": 5.6},
	 {"backend": "cuda/float32 (GPU 0: NVIDIA H200, TF32 GEMMs)", "kernel": "gemm", "shape": "B=2/T=3/D=4/H=5", "B": 2, "T": 3, "D": 4, "H": 5, "variant": "reset-before", "op": "train-graph", "ms_per_step": 1, "tokens_per_s": 6000},
	 {"backend": "cuda/float32 (simulated GPU (host C++), BF16 GEMMs)", "shape": "B=2/T=3/D=4/H=5", "variant": "reset-after", "op": "train", "tokens_per_s": 10},
	 {"backend": "torch 2.11.0+cu130 cuda bf16 autocast (GRU ran in float16) (NVIDIA H200, cuDNN 91900)", "shape": "B=2/T=3/D=4/H=5", "variant": "reset-after", "op": "train", "tokens_per_s": 10},
	 {"backend": "torch 1.13.0a0 cpu float32 (2 threads)", "shape": "B=2/T=3/D=4/H=5", "variant": "reset-after", "op": "forward", "tokens_per_s": 10}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		device, precision, machine string
		peer                       bool
	}
	want := []got{
		{"cpu", "float32", "", false},
		{"cuda", "tf32", "NVIDIA H200", false},
		{"sim", "bf16", "simulated GPU", false},
		{"cuda", "bf16", "NVIDIA H200", true},
		{"cpu", "float32", "", true},
	}
	for i, r := range rows {
		if g := (got{r.Device, r.Precision, r.Machine, r.Peer}); g != want[i] {
			t.Errorf("row %d: %+v, want %+v", i+1, g, want[i])
		}
	}
	if r := rows[0]; r.B != 32 || r.T != 35 || r.D != 28 || r.H != 256 || math.Abs(r.TokensPerS-32*35/5.6e-3) > 1e-6 {
		t.Errorf("row 1: shape %d×%d×%d×%d and %v tokens/s, want 32×35×28×256 from the shape string and %v from the time",
			r.B, r.T, r.D, r.H, r.TokensPerS, 32*35/5.6e-3)
	}
	if s := rows[0].ShortShape(); s != "32×35×28×256" {
		t.Errorf("ShortShape %q", s)
	}
}

func TestParseKeepsWhatRowsSay(t *testing.T) {
	in := []Row{{Machine: "m", Backend: "torch 9 cuda float32 (X, cuDNN 1)", Device: "cuda", Precision: "tf32", Peer: true,
		Shape: "B=1/T=2/D=3/H=4", B: 1, T: 2, D: 3, H: 4, Variant: "reset-after", Op: "forward", MsPerStep: 2, TokensPerS: 1000, Source: "a table"}}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
}

func TestParseBundleAndEmpty(t *testing.T) {
	rows, err := Parse([]byte(`{"torch-tf32": [{"backend": "torch 2 cuda tf32 (G, cuDNN 1)", "B": 1, "T": 1, "D": 1, "H": 1, "variant": "reset-after", "op": "train", "tokens_per_s": 2}],
		"gogru-float32": [{"backend": "cuda/float32 (GPU 0: G)", "B": 1, "T": 1, "D": 1, "H": 1, "variant": "reset-after", "op": "train", "tokens_per_s": 1}],
		"torch-bf16": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Peer || !rows[1].Peer || rows[0].Shape != "B=1/T=1/D=1/H=1" {
		t.Errorf("bundle: %+v, want gogru-float32's row then torch-tf32's, shapes filled in", rows)
	}
	if rows, err := Parse([]byte(" \n")); err != nil || rows != nil {
		t.Errorf("empty file: %v, %v; want no rows and no error (a peer that did not run)", rows, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a": 1}`, "not a bench file"},
		{`[1, 2]`, "not a bench file"},
		{`[{"backend": "x", "shape": "32x35", "op": "forward", "tokens_per_s": 1}]`, "is not B="},
		{`[{"backend": "x", "B": 1, "T": 1, "D": 0, "H": 1, "op": "forward", "tokens_per_s": 1}]`, "not positive"},
		{`[{"backend": "x", "B": 1, "T": 1, "D": 1, "H": 1, "tokens_per_s": 1}]`, "no op"},
		{`[{"backend": "x", "B": 1, "T": 1, "D": 1, "H": 1, "op": "train"}]`, "not a positive finite"},
		{`[{"backend": "x", "B": 1, "T": 1, "D": 1, "H": 1, "op": "train", "tokens_per_s": -3}]`, "not a positive finite"},
	} {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.in, err, c.want)
		}
	}
}

func TestReadFilesMergesInOrder(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	os.WriteFile(a, []byte(`[{"backend": "cpu/float32 (x)", "B": 1, "T": 1, "D": 1, "H": 1, "variant": "reset-after", "op": "forward", "tokens_per_s": 1}]`), 0o644)
	os.WriteFile(b, []byte(`[{"backend": "cuda/float32 (GPU 0: G)", "B": 1, "T": 1, "D": 1, "H": 1, "variant": "reset-after", "op": "forward", "tokens_per_s": 9}]`), 0o644)
	rows, err := ReadFiles(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Device != "cpu" || rows[1].Device != "cuda" {
		t.Errorf("merged %+v, want a's CPU row then b's GPU row", rows)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"backend": "x"}]`), 0o644)
	if _, err := ReadFiles(a, bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("error %v, want one naming bad.json", err)
	}
}

// The committed figures (docs/bench, converted from BENCHMARKS.md's tables) read,
// and each row's tokens/s is its shape's B·T over its median time.
func TestCommittedFigures(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "docs", "bench", "*.json"))
	if len(paths) == 0 {
		t.Fatal("no docs/bench/*.json")
	}
	for _, p := range paths {
		rows, err := ReadFiles(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			want := float64(r.B*r.T) / (r.MsPerStep / 1e3)
			if math.Abs(r.TokensPerS-want) > 0.1 || r.Machine == "" || r.Source == "" || !(r.MinMs <= r.MsPerStep && r.MsPerStep <= r.MaxMs) {
				t.Errorf("%s: %+v: tokens/s %v, want %v; machine, source and min ≤ median ≤ max required", p, r, r.TokensPerS, want)
			}
		}
	}
}

func TestHostCPU(t *testing.T) {
	if s := HostCPU(); !strings.HasSuffix(s, " CPUs") || len(s) < 8 {
		t.Errorf("HostCPU() = %q", s)
	}
}
