package grutest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gogru/gogru/gru"
)

// Problem is one forward-and-backward run: a configuration, its parameters and
// every input, all host float64 in the configuration's layout.
type Problem struct {
	Cfg     gru.Config
	T, B    int
	Params  *gru.Params
	X       []float64 // [T,B,D] or [B,T,D]
	H0      []float64 // [cells,B,H] or nil
	Lengths []int     // nil for full length
	DY      []float64 // shaped like y
	DHN     []float64 // [cells,B,H] or nil
	Dropout Dropout   // between the layers; the zero value is none
}

// Dropout is the dropout between layers a Problem runs with (gru.Dropout, with
// the step number on the host).
type Dropout struct {
	P    float64
	Seed uint64
	Step int32
}

// setDropout sets p's dropout on st, with the step number in ids it allocates on
// be (nil when there is no dropout); the caller frees them.
func (p *Problem) setDropout(be gru.Backend, st gru.Stack) (gru.IDs, error) {
	if p.Dropout == (Dropout{}) {
		return nil, nil
	}
	step, err := be.NewIDs(1, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	if err := be.WriteIDs(step, []int32{p.Dropout.Step}); err != nil {
		return step, err
	}
	return step, st.SetDropout(gru.Dropout{P: p.Dropout.P, Seed: p.Dropout.Seed, Step: step})
}

// NewProblem draws a problem from rng: PyTorch-initialised weights scaled up so
// that the gates are not all near 0.5, x ~ N(0,1), and, when asked, h0 ~ N(0,½²)
// and ragged lengths that include T and 1.
func NewProblem(rng *rand.Rand, cfg gru.Config, T, B int, ragged, withH0, withDHN bool) *Problem {
	p, err := gru.InitParams(cfg, gru.InitPyTorch, rng)
	if err != nil {
		panic(err) // test configurations are valid
	}
	for _, s := range p.Flat() {
		for i := range s {
			s[i] *= 2
		}
	}
	pr := &Problem{Cfg: cfg, T: T, B: B, Params: p}
	pr.X = randn(rng, T*B*cfg.InputSize, 1)
	if withH0 {
		pr.H0 = randn(rng, cfg.Cells()*B*cfg.HiddenSize, 0.5)
	}
	if ragged {
		pr.Lengths = make([]int, B)
		for b := range B {
			pr.Lengths[b] = 1 + rng.IntN(T)
		}
		pr.Lengths[0] = T
		if B > 1 {
			pr.Lengths[B-1] = 1
		}
	}
	pr.DY = randn(rng, T*B*cfg.OutputSize(), 1)
	if withDHN {
		pr.DHN = randn(rng, cfg.Cells()*B*cfg.HiddenSize, 1)
	}
	return pr
}

func randn(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.NormFloat64()
	}
	return v
}

// Result is what a backend computed for a Problem.
type Result struct {
	Y, HN, DX, DH0 []float64
	Grads          *gru.Params
}

// Solve runs p on be: Forward, then Backward with accumulated gradients zeroed
// first. Every output tensor is poisoned with NaN before the run, and every input
// is read back afterwards to check that it was not modified.
func Solve(be gru.Backend, p *Problem) (*Result, error) {
	cfg := p.Cfg
	st, err := be.NewStack(cfg, p.Params)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	step, err := p.setDropout(be, st)
	if step != nil {
		defer be.FreeIDs(step)
	}
	if err != nil {
		return nil, err
	}
	seq := func(w int) []int { return cfg.SeqShape(p.T, p.B, w) }
	state := cfg.StateShape(p.B)

	var ins []inTensor
	in := func(name string, shape []int, v []float64) (gru.Tensor, error) {
		if v == nil {
			return nil, nil
		}
		t, err := upload(be, shape, v)
		if err != nil {
			return nil, err
		}
		ins = append(ins, inTensor{name, t, v})
		return t, nil
	}
	out := func(shape []int) (gru.Tensor, error) {
		t, err := be.NewTensor(shape...)
		if err != nil {
			return nil, err
		}
		return t, be.Fill(t, math.NaN())
	}
	x, err1 := in("x", seq(cfg.InputSize), p.X)
	h0, err2 := in("h0", state, p.H0)
	dy, err3 := in("dy", seq(cfg.OutputSize()), p.DY)
	dhN, err4 := in("dhN", state, p.DHN)
	y, err5 := out(seq(cfg.OutputSize()))
	hN, err6 := out(state)
	dx, err7 := out(seq(cfg.InputSize))
	dh0, err8 := out(state)
	if err := firstErr(err1, err2, err3, err4, err5, err6, err7, err8); err != nil {
		return nil, err
	}
	defer func() {
		for _, t := range []gru.Tensor{x, h0, dy, dhN, y, hN, dx, dh0} {
			if t != nil {
				be.Free(t)
			}
		}
	}()
	if err := st.ZeroGrads(); err != nil {
		return nil, err
	}
	if err := st.Forward(x, h0, p.Lengths, y, hN); err != nil {
		return nil, fmt.Errorf("Forward: %w", err)
	}
	if err := st.Backward(dy, dhN, dx, dh0); err != nil {
		return nil, fmt.Errorf("Backward: %w", err)
	}
	r := &Result{}
	if r.Y, err = download(be, y); err == nil {
		if r.HN, err = download(be, hN); err == nil {
			if r.DX, err = download(be, dx); err == nil {
				if r.DH0, err = download(be, dh0); err == nil {
					r.Grads, err = st.ReadGrads()
				}
			}
		}
	}
	if err != nil {
		return nil, err
	}
	for _, it := range ins {
		if err := it.unchanged(be); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// inTensor remembers an input so that Solve can check it was left alone.
type inTensor struct {
	name string
	t    gru.Tensor
	host []float64
}

func (it inTensor) unchanged(be gru.Backend) error {
	got, err := download(be, it.t)
	if err != nil {
		return err
	}
	want, err := roundTrip(be, it.host)
	if err != nil {
		return err
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			return fmt.Errorf("input %s was modified at %d: %v, was %v", it.name, i, got[i], want[i])
		}
	}
	return nil
}

// roundTrip returns v as the backend stores it (rounded to float32 on a float32 backend).
func roundTrip(be gru.Backend, v []float64) ([]float64, error) {
	if be.DType() == gru.Float32 {
		w := make([]float64, len(v))
		for i, f := range v {
			w[i] = float64(float32(f))
		}
		return w, nil
	}
	return v, nil
}

func upload(be gru.Backend, shape []int, v []float64) (gru.Tensor, error) {
	t, err := be.NewTensor(shape...)
	if err != nil {
		return nil, err
	}
	return t, be.Write(t, v)
}

func download(be gru.Backend, t gru.Tensor) ([]float64, error) {
	v := make([]float64, gru.Len(t.Shape()))
	return v, be.Read(v, t)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// RelErr is the norm-wise relative error ‖got − want‖₂ / max(‖want‖₂, 1e-300). It is
// +Inf when got holds a NaN or the lengths differ.
func RelErr(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var num, den float64
	for i := range got {
		if math.IsNaN(got[i]) {
			return math.Inf(1)
		}
		d := got[i] - want[i]
		num += d * d
		den += want[i] * want[i]
	}
	return math.Sqrt(num) / math.Max(math.Sqrt(den), 1e-300)
}
