package grutest

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

// foreign is a tensor no backend made.
type foreign struct{ shape []int }

func (f foreign) Shape() []int { return f.shape }

// testBadInput checks every argument error: the error names the argument (and for
// shapes, the expected and received shapes), and no output or parameter changes.
func testBadInput(t *testing.T, be gru.Backend) {
	const T, B, D, H = 5, 2, 3, 4
	cfg := gru.Config{InputSize: D, HiddenSize: H, Layers: 2, Bidirectional: true}
	rng := gru.NewRand(6)
	p, _ := gru.InitParams(cfg, gru.InitPyTorch, rng)
	must := func(tn gru.Tensor, err error) gru.Tensor {
		if err != nil {
			t.Fatal(err)
		}
		return tn
	}
	filled := func(v float64, shape ...int) gru.Tensor {
		tn := must(be.NewTensor(shape...))
		if err := be.Fill(tn, v); err != nil {
			t.Fatal(err)
		}
		return tn
	}
	x := must(upload(be, []int{T, B, D}, randn(rng, T*B*D, 1)))
	h0 := filled(0.25, 4, B, H)
	dy := filled(1, T, B, 2*H)
	y, hN := filled(math.NaN(), T, B, 2*H), filled(math.NaN(), 4, B, H)
	dx, dh0 := filled(math.NaN(), T, B, D), filled(math.NaN(), 4, B, H)

	st, err := be.NewStack(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Backward(dy, nil, dx, dh0); !errors.Is(err, gru.ErrNoForward) {
		t.Errorf("Backward before Forward: got %v, want ErrNoForward", err)
	}
	untouched := func(name string) {
		t.Helper()
		for _, o := range []struct {
			n string
			t gru.Tensor
		}{{"y", y}, {"hN", hN}, {"dx", dx}, {"dh0", dh0}} {
			v, _ := download(be, o.t)
			for i := range v {
				if !math.IsNaN(v[i]) {
					t.Errorf("%s: output %s[%d] was written (%v) by a call that failed", name, o.n, i, v[i])
					break
				}
			}
		}
		g, _ := st.ReadGrads()
		for _, s := range g.Flat() {
			for _, v := range s {
				if v != 0 {
					t.Errorf("%s: a gradient changed in a call that failed", name)
					return
				}
			}
		}
	}
	// wantErr checks err names arg, and for a shape error, the two shapes.
	wantErr := func(name string, err error, arg string, want, got []int) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		if !strings.Contains(err.Error(), arg) {
			t.Errorf("%s: error %q does not name %q", name, err, arg)
		}
		if want != nil {
			var se *gru.ShapeError
			if !errors.As(err, &se) || se.Arg != arg || !slices.Equal(se.Want, want) || !slices.Equal(se.Got, got) {
				t.Errorf("%s: error %q, want a ShapeError for %s with want %v got %v", name, err, arg, want, got)
			}
		}
		untouched(name)
	}

	forward := []struct {
		name             string
		x, h0, y, hN     gru.Tensor
		lengths          []int
		arg              string
		wantSh, gotShape []int
	}{
		{"x wrong D", filled(0, T, B, D+1), nil, y, hN, nil, "x", []int{T, B, D}, []int{T, B, D + 1}},
		{"x rank 2", filled(0, T, B), nil, y, hN, nil, "x", []int{-1, -1, D}, []int{T, B}},
		{"x nil", nil, nil, y, hN, nil, "x", nil, nil},
		{"x foreign", foreign{[]int{T, B, D}}, nil, y, hN, nil, "x", nil, nil},
		{"y wrong width", x, nil, filled(math.NaN(), T, B, H), hN, nil, "y", []int{T, B, 2 * H}, []int{T, B, H}},
		{"y wrong T", x, nil, filled(math.NaN(), T-1, B, 2*H), hN, nil, "y", []int{T, B, 2 * H}, []int{T - 1, B, 2 * H}},
		{"h0 wrong batch", x, filled(0, 4, B+1, H), y, hN, nil, "h0", []int{4, B, H}, []int{4, B + 1, H}},
		{"h0 one layer's worth", x, filled(0, 2, B, H), y, hN, nil, "h0", []int{4, B, H}, []int{2, B, H}},
		{"hN wrong H", x, h0, y, filled(0, 4, B, H+1), nil, "hN", []int{4, B, H}, []int{4, B, H + 1}},
		{"lengths count", x, h0, y, hN, []int{T}, "lengths", []int{B}, []int{1}},
		{"length zero", x, h0, y, hN, []int{0, T}, "lengths[0]", nil, nil},
		{"length past T", x, h0, y, hN, []int{T, T + 1}, "lengths[1]", nil, nil},
		{"length negative", x, h0, y, hN, []int{-1, T}, "lengths[0]", nil, nil},
	}
	for _, c := range forward {
		err := st.Forward(c.x, c.h0, c.lengths, c.y, c.hN)
		if c.y != y { // a wrong-shaped y must not be written either
			v, _ := download(be, c.y)
			if !math.IsNaN(v[0]) {
				t.Errorf("%s: wrong-shaped y was written", c.name)
			}
		}
		wantErr("Forward "+c.name, err, c.arg, c.wantSh, c.gotShape)
	}

	// A valid Forward into scratch outputs, then bad Backward calls.
	ys, hs := filled(0, T, B, 2*H), filled(0, 4, B, H)
	if err := st.Forward(x, h0, []int{T, 2}, ys, hs); err != nil {
		t.Fatal(err)
	}
	backward := []struct {
		name             string
		dy, dhN, dx, dh0 gru.Tensor
		arg              string
		wantSh, gotShape []int
	}{
		{"dy wrong width", filled(1, T, B, 2*H-1), nil, dx, dh0, "dy", []int{T, B, 2 * H}, []int{T, B, 2*H - 1}},
		{"dy nil", nil, nil, dx, dh0, "dy", nil, nil},
		{"dhN wrong cells", dy, filled(1, 3, B, H), dx, dh0, "dhN", []int{4, B, H}, []int{3, B, H}},
		{"dx wrong D", dy, nil, filled(math.NaN(), T, B, D-1), dh0, "dx", []int{T, B, D}, []int{T, B, D - 1}},
		{"dh0 wrong batch", dy, nil, dx, filled(math.NaN(), 4, 1, H), "dh0", []int{4, B, H}, []int{4, 1, H}},
		{"dy foreign", foreign{[]int{T, B, 2 * H}}, nil, dx, dh0, "dy", nil, nil},
	}
	for _, c := range backward {
		wantErr("Backward "+c.name, st.Backward(c.dy, c.dhN, c.dx, c.dh0), c.arg, c.wantSh, c.gotShape)
	}

	// Parameters whose layer or direction count does not match the stack.
	before, _ := st.ReadParams()
	oneLayer, _ := gru.InitParams(gru.Config{InputSize: D, HiddenSize: H, Layers: 1, Bidirectional: true}, gru.InitPyTorch, rng)
	wantErr("SetParams 1 layer for 2", st.SetParams(oneLayer), "layers", nil, nil)
	uni, _ := gru.InitParams(gru.Config{InputSize: D, HiddenSize: H, Layers: 2}, gru.InitPyTorch, rng)
	wantErr("SetParams 1 direction for 2", st.SetParams(uni), "directions", nil, nil)
	short := p.Clone()
	short.Cells[3].Wh = short.Cells[3].Wh[1:]
	wantErr("SetParams short Wh", st.SetParams(short), "Cells[3].Wh", nil, nil)
	after, _ := st.ReadParams()
	for i, s := range after.Flat() {
		if RelErr(s, before.Flat()[i]) != 0 {
			t.Errorf("a failed SetParams changed %s", gru.TensorNames(cfg)[i])
		}
	}
	if _, err := be.NewStack(cfg, oneLayer); err == nil || !strings.Contains(err.Error(), "layers") {
		t.Errorf("NewStack with 1-layer params for a 2-layer config: %v", err)
	}
	for _, bad := range []struct {
		cfg  gru.Config
		name string
	}{
		{gru.Config{InputSize: 0, HiddenSize: H, Layers: 1}, "InputSize"},
		{gru.Config{InputSize: D, HiddenSize: 0, Layers: 1}, "HiddenSize"},
		{gru.Config{InputSize: D, HiddenSize: H, Layers: 0}, "Layers"},
		{gru.Config{InputSize: D, HiddenSize: H, Layers: 1, Variant: 7}, "Variant"},
	} {
		if _, err := be.NewStack(bad.cfg, p); err == nil || !strings.Contains(err.Error(), bad.name) {
			t.Errorf("NewStack with bad %s: %v", bad.name, err)
		}
	}

	// A closed stack refuses work.
	st2, _ := be.NewStack(cfg, p)
	st2.Close()
	if err := st2.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := st2.Forward(x, nil, nil, ys, nil); !errors.Is(err, gru.ErrClosed) {
		t.Errorf("Forward on a closed stack: %v", err)
	}
}
