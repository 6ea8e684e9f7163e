// Package grubench holds the workloads that gogru's speed is measured on, for those
// who compare backends: shared by the Go benchmarks and `gru bench` so that both
// time the same thing.
package grubench

import (
	"fmt"
	"slices"
	"time"

	"github.com/gogru/gogru/gru"
)

// Shape is a benchmark shape: B sequences of T steps, input width D, hidden H.
type Shape struct{ B, T, D, H int }

// String formats the shape as the benchmark names do.
func (s Shape) String() string { return fmt.Sprintf("B=%d/T=%d/D=%d/H=%d", s.B, s.T, s.D, s.H) }

// DefaultShapes are the shapes every speed claim is quoted at on a CPU.
var DefaultShapes = []Shape{{32, 35, 28, 256}, {64, 100, 256, 256}, {64, 100, 512, 512}}

// Case is a one-layer stack with seeded random input and output gradient.
type Case struct {
	be             gru.Backend
	st             gru.Stack
	x, y, dy, dx   gru.Tensor
	lr             gru.Tensor // [1]: SGD's learning rate, 1e-3
	params, grads  []gru.Tensor
	Shape          Shape
	Config         gru.Config
	ForwardFlops   float64
	TrainStepFlops float64
}

// NewCase allocates a case on be.
func NewCase(be gru.Backend, s Shape, v gru.Variant) (*Case, error) {
	cfg := gru.Config{InputSize: s.D, HiddenSize: s.H, Layers: 1, Variant: v}
	rng := gru.NewRand(1)
	p, err := gru.InitParams(cfg, gru.InitPyTorch, rng)
	if err != nil {
		return nil, err
	}
	c := &Case{be: be, Shape: s, Config: cfg,
		ForwardFlops: gru.GEMMFlops(cfg, s.T, s.B, false), TrainStepFlops: gru.GEMMFlops(cfg, s.T, s.B, true)}
	if c.st, err = be.NewStack(cfg, p); err != nil {
		return nil, err
	}
	for _, t := range []struct {
		dst   *gru.Tensor
		shape []int
	}{{&c.x, []int{s.T, s.B, s.D}}, {&c.y, []int{s.T, s.B, s.H}}, {&c.dy, []int{s.T, s.B, s.H}}, {&c.dx, []int{s.T, s.B, s.D}}} {
		if *t.dst, err = be.NewTensor(t.shape...); err != nil {
			c.Close()
			return nil, err
		}
		v := make([]float64, gru.Len(t.shape))
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		if err := be.Write(*t.dst, v); err != nil {
			c.Close()
			return nil, err
		}
	}
	if c.lr, err = be.NewTensor(1); err == nil {
		err = be.Write(c.lr, []float64{1e-3})
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.params, c.grads = c.st.Params(), c.st.Grads()
	return c, nil
}

// Forward runs one forward pass.
func (c *Case) Forward() error { return c.st.Forward(c.x, nil, nil, c.y, nil) }

// TrainStep runs forward, backward through time with dx, and SGD on every parameter,
// as PyTorch's peer script does.
func (c *Case) TrainStep() error {
	if err := c.st.ZeroGrads(); err != nil {
		return err
	}
	if err := c.Forward(); err != nil {
		return err
	}
	if err := c.st.Backward(c.dy, nil, c.dx, nil); err != nil {
		return err
	}
	for i := range c.params {
		if err := c.be.SGDMomentum(c.params[i], c.grads[i], nil, c.lr, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// Close frees the case's tensors and stack.
func (c *Case) Close() {
	for _, t := range []gru.Tensor{c.x, c.y, c.dy, c.dx, c.lr} {
		if t != nil {
			c.be.Free(t)
		}
	}
	if c.st != nil {
		c.st.Close()
	}
}

// Timing is the spread of a set of timed runs.
type Timing struct {
	Median, Min, Max time.Duration
}

// MaxRuns bounds Measure's runs: it keeps every run's time to take the median.
const MaxRuns = 1 << 20

// Measure runs f warmup times, then runs times (at most MaxRuns) with the backend
// synchronised before each stop of the clock, and returns the median, fastest and
// slowest run.
func Measure(be gru.Backend, f func() error, warmup, runs int) (Timing, error) {
	if runs > MaxRuns {
		return Timing{}, fmt.Errorf("gru: Measure: %d runs, more than the %d it keeps timings for", runs, MaxRuns)
	}
	for range warmup {
		if err := f(); err != nil {
			return Timing{}, err
		}
	}
	if err := be.Sync(); err != nil {
		return Timing{}, err
	}
	ds := make([]time.Duration, max(runs, 1))
	for i := range ds {
		t0 := time.Now()
		if err := f(); err != nil {
			return Timing{}, err
		}
		if err := be.Sync(); err != nil {
			return Timing{}, err
		}
		ds[i] = time.Since(t0)
	}
	slices.Sort(ds)
	return Timing{Median: ds[len(ds)/2], Min: ds[0], Max: ds[len(ds)-1]}, nil
}
