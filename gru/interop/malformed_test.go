package interop_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/interop"
)

// Nil, short or non-finite arguments to every conversion are errors that name
// what is wrong; none panics, and SetONNX leaves the parameters unchanged.
func TestConversionsRefuseMalformedArguments(t *testing.T) {
	cfg := gru.Config{InputSize: 3, HiddenSize: 4, Layers: 2, Variant: gru.ResetAfter}
	good := func() *gru.Params {
		p, err := gru.InitParams(cfg, gru.InitPyTorch, gru.NewRand(7))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	onnx := func(mutate func(o *interop.ONNXLayer)) *interop.ONNXLayer {
		o, err := interop.ToONNX(good(), 1)
		if err != nil {
			t.Fatal(err)
		}
		mutate(o)
		return o
	}
	short := good()
	short.Cells = short.Cells[:1]
	shortWh := good()
	shortWh.Cells[1].Wh = shortWh.Cells[1].Wh[:5]
	badCfg := good()
	badCfg.Config.HiddenSize = -4
	torch := func(name string, v float64) error {
		pt, err := interop.ToPyTorch(good())
		if err != nil {
			t.Fatal(err)
		}
		shapes := pytorchShapes(cfg)
		pt[name][len(pt[name])-1] = v
		_, err = interop.FromPyTorch(cfg, pt, shapes)
		return err
	}
	file := func(name string, v float64) error {
		p := good()
		path := filepath.Join(t.TempDir(), "w.safetensors")
		// The file is written by SavePyTorch from parameters with one value replaced.
		for i := range p.Cells {
			for k, s := range p.Cells[i].Tensors() {
				if interop.PyTorchName(cfg, i, k) == name {
					s[0] = v
				}
			}
		}
		if err := interop.SavePyTorch(path, p, gru.Float64); err != nil {
			return err
		}
		_, err := interop.LoadPyTorch(path, cfg)
		return err
	}
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"ToONNX nil", func() error { _, err := interop.ToONNX(nil, 0); return err }, "nil params"},
		{"ToONNX short Cells", func() error { _, err := interop.ToONNX(short, 1); return err }, "params.Cells"},
		{"ToONNX short Wh", func() error { _, err := interop.ToONNX(shortWh, 1); return err }, "Cells[1].Wh"},
		{"ToONNX bad config", func() error { _, err := interop.ToONNX(badCfg, 0); return err }, "HiddenSize"},
		{"ToONNX layer out of range", func() error { _, err := interop.ToONNX(good(), 2); return err }, "layer 2 of 2"},
		{"SetONNX nil params", func() error { return interop.SetONNX(nil, 0, onnx(func(*interop.ONNXLayer) {})) }, "nil params"},
		{"SetONNX nil layer", func() error { return interop.SetONNX(good(), 0, nil) }, "nil ONNX layer"},
		{"SetONNX short Cells", func() error { return interop.SetONNX(short, 1, onnx(func(*interop.ONNXLayer) {})) }, "params.Cells"},
		{"SetONNX short Wh", func() error { return interop.SetONNX(shortWh, 1, onnx(func(*interop.ONNXLayer) {})) }, "Cells[1].Wh"},
		{"SetONNX short W", func() error { return interop.SetONNX(good(), 1, onnx(func(o *interop.ONNXLayer) { o.W = o.W[:3] })) }, "ONNX W"},
		{"SetONNX nil R", func() error { return interop.SetONNX(good(), 1, onnx(func(o *interop.ONNXLayer) { o.R = nil })) }, "ONNX R"},
		{"SetONNX short B", func() error { return interop.SetONNX(good(), 1, onnx(func(o *interop.ONNXLayer) { o.B = o.B[1:] })) }, "ONNX B"},
		{"SetONNX wrong H", func() error { return interop.SetONNX(good(), 1, onnx(func(o *interop.ONNXLayer) { o.H = 1 << 62 })) }, "ONNX W"},
		{"SetONNX NaN in W", func() error {
			return interop.SetONNX(good(), 1, onnx(func(o *interop.ONNXLayer) { o.W[5] = math.NaN() }))
		}, "ONNX W of layer 1: value 5"},
		{"SetONNX +Inf in R", func() error {
			return interop.SetONNX(good(), 1, onnx(func(o *interop.ONNXLayer) { o.R[0] = math.Inf(1) }))
		}, "ONNX R of layer 1: value 0"},
		{"SetONNX -Inf in B", func() error {
			return interop.SetONNX(good(), 1, onnx(func(o *interop.ONNXLayer) { o.B[len(o.B)-1] = math.Inf(-1) }))
		}, "ONNX B of layer 1"},
		{"ToPyTorch nil", func() error { _, err := interop.ToPyTorch(nil); return err }, "nil params"},
		{"ToPyTorch short Wh", func() error { _, err := interop.ToPyTorch(shortWh); return err }, "Cells[1].Wh"},
		{"SavePyTorch nil", func() error { return interop.SavePyTorch(filepath.Join(t.TempDir(), "x"), nil, gru.Float32) }, "nil params"},
		{"FromPyTorch NaN", func() error { return torch("weight_hh_l1", math.NaN()) }, "weight_hh_l1: value 47"},
		{"FromPyTorch Inf", func() error { return torch("bias_ih_l0", math.Inf(1)) }, "bias_ih_l0: value 11"},
		{"FromPyTorch nil maps", func() error { _, err := interop.FromPyTorch(cfg, nil, nil); return err }, "weight_ih_l0: missing"},
		{"LoadPyTorch NaN", func() error { return file("weight_ih_l1", math.NaN()) }, "weight_ih_l1: value 0"},
		{"LoadPyTorch -Inf", func() error { return file("bias_hh_l0", math.Inf(-1)) }, "bias_hh_l0: value 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}

	// A refused SetONNX changes nothing.
	p := good()
	before := p.Clone()
	if err := interop.SetONNX(p, 1, onnx(func(o *interop.ONNXLayer) { o.B[len(o.B)-1] = math.NaN() })); err == nil {
		t.Fatal("NaN accepted")
	}
	for i, s := range p.Flat() {
		for j := range s {
			if s[j] != before.Flat()[i][j] {
				t.Fatalf("a refused SetONNX changed tensor %d at %d", i, j)
			}
		}
	}
}

// pytorchShapes maps each PyTorch tensor name of cfg to its shape.
func pytorchShapes(cfg gru.Config) map[string][]int {
	shapes := map[string][]int{}
	for i := range cfg.Cells() {
		for k := range 4 {
			shapes[interop.PyTorchName(cfg, i, k)] = interop.PyTorchShape(cfg, i, k)
		}
	}
	return shapes
}
