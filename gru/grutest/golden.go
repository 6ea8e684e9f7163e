package grutest

import (
	"embed"
	"encoding/json"
	"path"
	"testing"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/interop"
)

// golden holds nn.GRU's results made by scripts/gen_golden.py with python3-torch.
//
//go:embed testdata/golden/*.json
var golden embed.FS

// fixture is one golden file; see scripts/gen_golden.py.
type fixture struct {
	Name          string               `json:"name"`
	InputSize     int                  `json:"input_size"`
	HiddenSize    int                  `json:"hidden_size"`
	Layers        int                  `json:"layers"`
	Bidirectional bool                 `json:"bidirectional"`
	BatchFirst    bool                 `json:"batch_first"`
	Steps         int                  `json:"T"`
	Batch         int                  `json:"B"`
	Lengths       []int                `json:"lengths"`
	X             []float64            `json:"x"`
	H0            []float64            `json:"h0"`
	DY            []float64            `json:"dy"`
	DHN           []float64            `json:"dhN"`
	Weights       map[string][]float64 `json:"weights"`
	Shapes        map[string][]int     `json:"shapes"`
	Y             []float64            `json:"y"`
	HN            []float64            `json:"hN"`
	DX            []float64            `json:"dx"`
	DH0           []float64            `json:"dh0"`
	Grads         map[string][]float64 `json:"grads"`
}

// Fixtures loads every golden file.
func Fixtures() ([]*fixture, error) {
	entries, err := golden.ReadDir("testdata/golden")
	if err != nil {
		return nil, err
	}
	var fs []*fixture
	for _, e := range entries {
		b, err := golden.ReadFile(path.Join("testdata/golden", e.Name()))
		if err != nil {
			return nil, err
		}
		f := &fixture{}
		if err := json.Unmarshal(b, f); err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return fs, nil
}

func (f *fixture) config() gru.Config {
	cfg := gru.Config{InputSize: f.InputSize, HiddenSize: f.HiddenSize, Layers: f.Layers,
		Bidirectional: f.Bidirectional, Variant: gru.ResetAfter}
	if f.BatchFirst {
		cfg.Layout = gru.BatchFirst
	}
	return cfg
}

func testGolden(t *testing.T, be gru.Backend) {
	tol := TolerancesFor(be.DType()).Golden
	fs, err := Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 {
		t.Fatal("no golden files embedded")
	}
	for _, f := range fs {
		cfg := f.config()
		params, err := interop.FromPyTorch(cfg, f.Weights, f.Shapes)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		p := &Problem{Cfg: cfg, T: f.Steps, B: f.Batch, Params: params, X: f.X, H0: f.H0,
			Lengths: f.Lengths, DY: f.DY, DHN: f.DHN}
		got, err := Solve(be, p)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		wantGrads, err := interop.FromPyTorch(cfg, f.Grads, f.Shapes)
		if err != nil {
			t.Fatalf("%s: grads: %v", f.Name, err)
		}
		want := &Result{Y: f.Y, HN: f.HN, DX: f.DX, DH0: f.DH0, Grads: wantGrads}
		if f.H0 == nil {
			want.DH0 = got.DH0 // PyTorch has no dh0 when h0 is nil; nothing to compare
		}
		compare(t, "golden "+f.Name, got, want, tol, tol)
	}
}
