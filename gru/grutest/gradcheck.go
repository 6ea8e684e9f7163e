package grutest

import (
	"math"
	"testing"

	"github.com/gogru/gogru/gru"
)

// testGradCheck checks the backend's analytic gradients of the loss
// Σ y⊙dy + Σ hN⊙dhN against central finite differences, for every parameter, every
// element of x and every element of h0, over the whole cross product.
func testGradCheck(t *testing.T, be gru.Backend) {
	if be.DType() != gru.Float64 {
		t.Skipf("finite differences need float64; %s is checked against the float64 oracle by the Oracle subtest", be.Name())
	}
	rng := gru.NewRand(4)
	for _, c := range Cases() {
		checkGradients(t, be, c.String(), NewProblem(rng, c.config(3, 4), 4, 3, c.Ragged, c.WithH0, true))
	}
}

// checkGradients checks the gradients of p on be (float64) against central
// finite differences, for every parameter and every element of x and h0.
func checkGradients(t *testing.T, be gru.Backend, what string, p *Problem) {
	t.Helper()
	got, err := Solve(be, p)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	fd, err := newFiniteDiff(be, p)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer fd.close()
	check := func(name string, v, analytic []float64, set func() error) {
		for i := range v {
			num, err := fd.derivative(&v[i], set)
			if err != nil {
				t.Fatalf("%s: %s[%d]: %v", what, name, i, err)
			}
			if d := math.Abs(num - analytic[i]); d > 1e-7*math.Max(1, math.Abs(num)) {
				t.Errorf("%s: d loss/d %s[%d]: analytic %.12g, finite difference %.12g", what, name, i, analytic[i], num)
			}
		}
	}
	names := gru.TensorNames(p.Cfg)
	grads := got.Grads.Flat()
	for k, v := range p.Params.Flat() {
		check(names[k], v, grads[k], func() error { return fd.st.SetParams(p.Params) })
	}
	check("x", p.X, got.DX, func() error { return be.Write(fd.x, p.X) })
	if p.H0 != nil {
		check("h0", p.H0, got.DH0, func() error { return be.Write(fd.h0, p.H0) })
	}
}

// finiteDiff evaluates the loss of a problem on a backend while one value varies.
type finiteDiff struct {
	be          gru.Backend
	p           *Problem
	st          gru.Stack
	x, h0, y, h gru.Tensor
	yv, hv      []float64
	step        gru.IDs // the dropout's step number, when p has dropout
}

func newFiniteDiff(be gru.Backend, p *Problem) (*finiteDiff, error) {
	cfg := p.Cfg
	st, err := be.NewStack(cfg, p.Params)
	if err != nil {
		return nil, err
	}
	fd := &finiteDiff{be: be, p: p, st: st}
	if fd.step, err = p.setDropout(be, st); err != nil {
		fd.close()
		return nil, err
	}
	var errs [4]error
	fd.x, errs[0] = upload(be, cfg.SeqShape(p.T, p.B, cfg.InputSize), p.X)
	if p.H0 != nil {
		fd.h0, errs[1] = upload(be, cfg.StateShape(p.B), p.H0)
	}
	fd.y, errs[2] = be.NewTensor(cfg.SeqShape(p.T, p.B, cfg.OutputSize())...)
	fd.h, errs[3] = be.NewTensor(cfg.StateShape(p.B)...)
	fd.yv, fd.hv = make([]float64, len(p.DY)), make([]float64, len(p.DHN))
	return fd, firstErr(errs[:]...)
}

func (fd *finiteDiff) loss() (float64, error) {
	if err := fd.st.Forward(fd.x, fd.h0, fd.p.Lengths, fd.y, fd.h); err != nil {
		return 0, err
	}
	if err := fd.be.Read(fd.yv, fd.y); err != nil {
		return 0, err
	}
	if err := fd.be.Read(fd.hv, fd.h); err != nil {
		return 0, err
	}
	var l float64
	for i, v := range fd.yv {
		l += v * fd.p.DY[i]
	}
	for i, v := range fd.hv {
		l += v * fd.p.DHN[i]
	}
	return l, nil
}

// derivative returns (loss(v+ε) − loss(v−ε)) / 2ε, where set pushes *v to the backend,
// and restores *v.
func (fd *finiteDiff) derivative(v *float64, set func() error) (float64, error) {
	const eps = 1e-5
	orig := *v
	defer func() { *v = orig; set() }()
	var l [2]float64
	for i, s := range []float64{1, -1} {
		*v = orig + s*eps
		if err := set(); err != nil {
			return 0, err
		}
		var err error
		if l[i], err = fd.loss(); err != nil {
			return 0, err
		}
	}
	return (l[0] - l[1]) / (2 * eps), nil
}

func (fd *finiteDiff) close() {
	for _, t := range []gru.Tensor{fd.x, fd.h0, fd.y, fd.h} {
		if t != nil {
			fd.be.Free(t)
		}
	}
	if fd.step != nil {
		fd.be.FreeIDs(fd.step)
	}
	fd.st.Close()
}
