package interop_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/interop"
)

type torchRun struct {
	InputSize     int       `json:"input_size"`
	HiddenSize    int       `json:"hidden_size"`
	Layers        int       `json:"layers"`
	Bidirectional bool      `json:"bidirectional"`
	T             int       `json:"T"`
	B             int       `json:"B"`
	X             []float64 `json:"x"`
	Y             []float64 `json:"y"`
	HN            []float64 `json:"hN"`
}

func loadTorchRun(t *testing.T) (*torchRun, gru.Config) {
	b, err := os.ReadFile("testdata/pytorch_gru.json")
	if err != nil {
		t.Fatal(err)
	}
	var r torchRun
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r, gru.Config{InputSize: r.InputSize, HiddenSize: r.HiddenSize, Layers: r.Layers, Bidirectional: r.Bidirectional}
}

// TestPyTorchWeightsGiveTorchOutputs loads a float32 nn.GRU's safetensors weights and
// checks that gogru computes what PyTorch did on the same input.
func TestPyTorchWeightsGiveTorchOutputs(t *testing.T) {
	r, cfg := loadTorchRun(t)
	p, err := interop.LoadPyTorch("testdata/pytorch_gru.safetensors", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.Variant != gru.ResetAfter {
		t.Fatalf("importing PyTorch weights selected %v, want ResetAfter", p.Config.Variant)
	}
	for _, be := range []gru.Backend{cpu.New64(), cpu.New32()} {
		y, hN := grutest.Reference(p.Config, p, r.X, nil, nil, r.T, r.B)
		res, err := grutest.Solve(be, &grutest.Problem{Cfg: p.Config, T: r.T, B: r.B, Params: p, X: r.X, DY: make([]float64, len(r.Y))})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			got, want []float64
		}{{"y", res.Y, r.Y}, {"hN", res.HN, r.HN}, {"reference y", y, r.Y}, {"reference hN", hN, r.HN}} {
			if e := grutest.RelErr(c.got, c.want); e > 1e-6 {
				t.Errorf("%s: %s differs from PyTorch by %.3g", be.Name(), c.name, e)
			}
		}
		be.Close()
	}
}

func TestPyTorchRoundTripIsExact(t *testing.T) {
	_, cfg := loadTorchRun(t)
	p, err := interop.LoadPyTorch("testdata/pytorch_gru.safetensors", cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := interop.SavePyTorch(path, p, gru.Float32); err != nil {
		t.Fatal(err)
	}
	q, err := interop.LoadPyTorch(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range q.Flat() {
		for j := range s {
			if math.Float64bits(s[j]) != math.Float64bits(p.Flat()[i][j]) {
				t.Fatalf("round trip changed tensor %d at %d", i, j)
			}
		}
	}
}

func TestLoadPyTorchErrorsNameTheTensor(t *testing.T) {
	_, cfg := loadTorchRun(t)
	dir := t.TempDir()
	// Wrong hidden size: the first tensor checked has the wrong shape.
	wrong := cfg
	wrong.HiddenSize = 8
	if _, err := interop.LoadPyTorch("testdata/pytorch_gru.safetensors", wrong); err == nil || !strings.Contains(err.Error(), "weight_ih_l0") {
		t.Errorf("wrong hidden size: %v", err)
	}
	// One layer expected, two stored: the extra tensor is named.
	one := cfg
	one.Layers = 1
	if _, err := interop.LoadPyTorch("testdata/pytorch_gru.safetensors", one); err == nil || !strings.Contains(err.Error(), "_l1") {
		t.Errorf("extra layer: %v", err)
	}
	// Truncated file.
	b, _ := os.ReadFile("testdata/pytorch_gru.safetensors")
	trunc := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(trunc, b[:len(b)-10], 0o644)
	if _, err := interop.LoadPyTorch(trunc, cfg); err == nil || !strings.Contains(err.Error(), "trunc.safetensors") {
		t.Errorf("truncated file: %v", err)
	}
	// A tensor stored as F16 is refused by name.
	f16 := filepath.Join(dir, "f16.safetensors")
	hdr := `{"weight_ih_l0":{"dtype":"F16","shape":[21,5],"data_offsets":[0,210]}}`
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	buf := make([]byte, 8, 8+len(hdr)+210)
	buf[0] = byte(len(hdr))
	buf = append(append(buf, hdr...), make([]byte, 210)...)
	os.WriteFile(f16, buf, 0o644)
	one.Bidirectional = false
	if _, err := interop.LoadPyTorch(f16, one); err == nil || !strings.Contains(err.Error(), "weight_ih_l0") || !strings.Contains(err.Error(), "F16") {
		t.Errorf("F16 tensor: %v", err)
	}
}

// TestONNXRoundTripAndSemantics converts to ONNX's W, R, B and back exactly, and
// checks one step computed from the ONNX tensors with ONNX's own equations.
func TestONNXRoundTripAndSemantics(t *testing.T) {
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		cfg := gru.Config{InputSize: 3, HiddenSize: 4, Layers: 1, Variant: v}
		p, _ := gru.InitParams(cfg, gru.InitPyTorch, gru.NewRand(5))
		o, err := interop.ToONNX(p, 0)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := gru.NewParams(cfg)
		if err := interop.SetONNX(q, 0, o); err != nil {
			t.Fatal(err)
		}
		for i, s := range q.Flat() {
			for j := range s {
				if s[j] != p.Flat()[i][j] {
					t.Fatalf("%v: ONNX round trip changed tensor %d at %d", v, i, j)
				}
			}
		}
		// One step of ONNX's GRU (onnx.ai Operators/GRU) from a random state.
		rng := gru.NewRand(6)
		H, D := 4, 3
		x, h := make([]float64, D), make([]float64, H)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for i := range h {
			h[i] = rng.NormFloat64()
		}
		dot := func(m []float64, row, n int, v []float64) float64 {
			var s float64
			for k := range n {
				s += m[row*n+k] * v[k]
			}
			return s
		}
		sig := func(a float64) float64 { return 1 / (1 + math.Exp(-a)) }
		want := make([]float64, H)
		z, r := make([]float64, H), make([]float64, H)
		for j := range H {
			z[j] = sig(dot(o.W, j, D, x) + dot(o.R, j, H, h) + o.B[j] + o.B[3*H+j])
			r[j] = sig(dot(o.W, H+j, D, x) + dot(o.R, H+j, H, h) + o.B[H+j] + o.B[4*H+j])
		}
		rh := make([]float64, H)
		for j := range H {
			rh[j] = r[j] * h[j]
		}
		for j := range H {
			var a float64
			if o.LinearBeforeReset == 0 {
				a = dot(o.W, 2*H+j, D, x) + dot(o.R, 2*H+j, H, rh) + o.B[5*H+j] + o.B[2*H+j]
			} else {
				a = dot(o.W, 2*H+j, D, x) + r[j]*(dot(o.R, 2*H+j, H, h)+o.B[5*H+j]) + o.B[2*H+j]
			}
			want[j] = (1-z[j])*math.Tanh(a) + z[j]*h[j]
		}
		got, _ := grutest.Reference(cfg, p, x, h, nil, 1, 1)
		if e := grutest.RelErr(got, want); e > 1e-14 {
			t.Errorf("%v: ONNX step differs from gogru's by %.3g", v, e)
		}
	}
}

func TestToFromPyTorchRoundTrip(t *testing.T) {
	cfg := gru.Config{InputSize: 3, HiddenSize: 4, Layers: 2, Bidirectional: true, Variant: gru.ResetAfter}
	p, _ := gru.InitParams(cfg, gru.InitPyTorch, gru.NewRand(2))
	tensors, err := interop.ToPyTorch(p)
	if err != nil {
		t.Fatal(err)
	}
	shapes := pytorchShapes(cfg)
	if got := shapes["weight_ih_l1_reverse"]; !slices.Equal(got, []int{12, 8}) {
		t.Fatalf("weight_ih_l1_reverse shape %v", got)
	}
	q, err := interop.FromPyTorch(cfg, tensors, shapes)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range q.Flat() {
		for j := range s {
			if s[j] != p.Flat()[i][j] {
				t.Fatalf("round trip changed tensor %d at %d", i, j)
			}
		}
	}
	// Errors name the tensor.
	delete(tensors, "bias_hh_l1")
	if _, err := interop.FromPyTorch(cfg, tensors, shapes); err == nil || !strings.Contains(err.Error(), "bias_hh_l1") {
		t.Errorf("missing tensor: %v", err)
	}
	tensors, _ = interop.ToPyTorch(p)
	shapes["weight_hh_l0"] = []int{4, 12}
	if _, err := interop.FromPyTorch(cfg, tensors, shapes); err == nil || !strings.Contains(err.Error(), "weight_hh_l0") {
		t.Errorf("transposed tensor: %v", err)
	}
	shapes["weight_hh_l0"] = []int{12, 4}
	tensors["weight_hh_l2"] = []float64{1}
	if _, err := interop.FromPyTorch(cfg, tensors, shapes); err == nil || !strings.Contains(err.Error(), "weight_hh_l2") {
		t.Errorf("extra tensor: %v", err)
	}
}
