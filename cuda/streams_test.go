package cuda

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// streamDevice wraps a device and checks the streams of the work queued on it: every
// fork joined before the next fork and before any host traffic, stream 1 work only
// inside a fork, stream 0 current at each join and at the end, and both streams given
// work in each fork. Its order runs a fork's work in another order that the
// GPU's two streams may take, so results that do not change show the streams share
// nothing that either writes.
type streamDevice struct {
	device.Device
	order    streamOrder
	stream   int
	forked   bool
	forks    int
	work     [2]int            // device work queued on each stream
	forkWork [2]int            // the same, inside the open fork
	held     [2][]func() error // a fork's work on each stream, held until the join
	problems []string
}

// streamOrder is the order a streamDevice runs the work of a fork in.
type streamOrder int

const (
	issueOrder   streamOrder = iota // as queued: direction 0's, then direction 1's
	stream1First                    // all of stream 1's, then all of stream 0's
	interleaved                     // one call of each stream in turn
)

func (o streamOrder) String() string {
	return [...]string{"issueOrder", "stream1First", "interleaved"}[o]
}

func (d *streamDevice) problem(format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf(format, args...))
}

// queued counts a piece of device work on the current stream and runs it, or holds
// it back until the join.
func (d *streamDevice) queued(what string, run func() error) error {
	d.work[d.stream]++
	if d.forked {
		d.forkWork[d.stream]++
	} else if d.stream == 1 {
		d.problem("%s on stream 1 outside a fork", what)
	}
	if d.order != issueOrder && d.forked {
		d.held[d.stream] = append(d.held[d.stream], run)
		return nil
	}
	return run()
}

// release runs the work held in a fork, in the device's order.
func (d *streamDevice) release() error {
	var runs []func() error
	switch d.order {
	case stream1First:
		runs = append(d.held[1], d.held[0]...)
	case interleaved:
		for i := range max(len(d.held[0]), len(d.held[1])) {
			for _, h := range d.held {
				if i < len(h) {
					runs = append(runs, h[i])
				}
			}
		}
	}
	d.held = [2][]func() error{}
	for _, run := range runs {
		if err := run(); err != nil {
			return err
		}
	}
	return nil
}

// host notes a call that must not come inside a fork: the host would not wait
// for stream 1.
func (d *streamDevice) host(what string) {
	if d.forked {
		d.problem("%s inside a fork", what)
	}
}

func (d *streamDevice) DtoD(dst, src device.Ptr, bytes int) error {
	return d.queued("dtod", func() error { return d.Device.DtoD(dst, src, bytes) })
}

func (d *streamDevice) MemsetZero(dst device.Ptr, bytes int) error {
	return d.queued("memsetZero", func() error { return d.Device.MemsetZero(dst, bytes) })
}

func (d *streamDevice) Launch(k device.Kernel, lg device.LaunchGeom, args []uint64) error {
	args = slices.Clone(args)
	return d.queued("launch "+k.String(), func() error { return d.Device.Launch(k, lg, args) })
}

func (d *streamDevice) GEMM(f64, transA, transB bool, m, n, k int, alpha float64, a device.Ptr, lda int, b device.Ptr, ldb int, beta float64, c device.Ptr, ldc int) error {
	return d.queued("gemm", func() error { return d.Device.GEMM(f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) })
}

func (d *streamDevice) HtoD(dst device.Ptr, src []byte) error {
	d.host("htod")
	return d.Device.HtoD(dst, src)
}

func (d *streamDevice) DtoH(dst []byte, src device.Ptr) error {
	d.host("dtoh")
	return d.Device.DtoH(dst, src)
}

func (d *streamDevice) Sync() error {
	d.host("sync")
	return d.Device.Sync()
}

func (d *streamDevice) Alloc(bytes int) (device.Ptr, error) {
	d.host("alloc")
	return d.Device.Alloc(bytes)
}

func (d *streamDevice) Free(p device.Ptr) error {
	d.host("free")
	return d.Device.Free(p)
}

func (d *streamDevice) Fork() error {
	if d.forked {
		d.problem("a fork inside a fork")
	}
	if d.stream != 0 {
		d.problem("a fork from stream %d", d.stream)
	}
	d.forked, d.forks, d.forkWork = true, d.forks+1, [2]int{}
	return d.Device.Fork()
}

func (d *streamDevice) SetStream(s int) {
	if s != 0 && s != 1 {
		d.problem("setStream(%d)", s)
	}
	if s == 1 && !d.forked {
		d.problem("setStream(1) outside a fork")
	}
	d.stream = s
	d.Device.SetStream(s)
}

func (d *streamDevice) Join() error {
	if !d.forked {
		d.problem("a join without a fork")
	}
	if d.stream != 0 {
		d.problem("a join from stream %d", d.stream)
	}
	if d.forkWork[0] == 0 || d.forkWork[1] == 0 {
		d.problem("a fork with work %v on streams 0 and 1: want both busy", d.forkWork)
	}
	d.forked = false
	if err := d.release(); err != nil {
		return err
	}
	return d.Device.Join()
}

// check reports the problems seen, and a fork left open or stream 1 left current.
func (d *streamDevice) check(t *testing.T, what string) {
	t.Helper()
	if d.forked || d.stream != 0 {
		d.problem("at the end: forked %v, stream %d", d.forked, d.stream)
	}
	for _, p := range d.problems {
		t.Errorf("%s: %s", what, p)
	}
	d.problems = nil
}

// A bidirectional layer forks once in Forward and once in Backward, queues
// direction 1 on stream 1 and joins; a unidirectional stack never forks. Run with
// stream 1's work first, or the two streams' calls interleaved, every output and
// gradient is bit for bit what the simulator gives in the order of the calls,
// over every configuration the conformance suite crosses.
func TestBidirectionalStreams(t *testing.T) {
	const T, B, D, H = 4, 3, 5, 6
	plain := newTestBackend(t, newSimDevice(), gru.Float64)
	rng := gru.NewRand(31)
	for _, c := range grutest.Cases() {
		cfg := gru.Config{InputSize: D, HiddenSize: H, Layers: c.Layers, Bidirectional: c.Bidirectional, Variant: c.Variant, Layout: c.Layout}
		prob := grutest.NewProblem(rng, cfg, T, B, c.Ragged, c.WithH0, true)
		want, err := grutest.Solve(plain, prob)
		if err != nil {
			t.Fatal(err)
		}
		for _, order := range []streamOrder{issueOrder, stream1First, interleaved} {
			name := fmt.Sprintf("%v/%v", c, order)
			dev := &streamDevice{Device: newSimDevice(), order: order}
			be := newTestBackend(t, dev, gru.Float64)
			got, err := grutest.Solve(be, prob)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			dev.check(t, name)
			wantForks := 0
			if c.Bidirectional {
				wantForks = 2 * c.Layers
			}
			if dev.forks != wantForks || (wantForks == 0) != (dev.work[1] == 0) {
				t.Errorf("%s: %d forks, work %v on streams 0 and 1; want %d forks", name, dev.forks, dev.work, wantForks)
			}
			wantAll := [][]float64{want.Y, want.HN, want.DX, want.DH0}
			for i, g := range [][]float64{got.Y, got.HN, got.DX, got.DH0} {
				if !slices.Equal(g, wantAll[i]) {
					t.Errorf("%s: output %d differs from the plain simulator's", name, i)
				}
			}
			wf := want.Grads.Flat()
			for i, g := range got.Grads.Flat() {
				if !slices.Equal(g, wf[i]) {
					t.Errorf("%s: gradient %s differs from the plain simulator's", name, gru.TensorNames(cfg)[i])
				}
			}
		}
	}
}

// The persistent kernels keep both directions on stream 0: two cooperative kernels
// each sized for every multiprocessor could not be resident at once.
func TestPersistentDoesNotFork(t *testing.T) {
	sim := newSimDevice()
	dev := &streamDevice{Device: sim}
	be := newTestBackend(t, dev, gru.Float64)
	if err := be.SetRecurrentKernel(KernelPersistent); err != nil {
		t.Fatal(err)
	}
	cfg := gru.Config{InputSize: 3, HiddenSize: 7, Layers: 2, Bidirectional: true, Variant: gru.ResetAfter}
	prob := grutest.NewProblem(gru.NewRand(4), cfg, 4, 2, true, true, true)
	if _, err := grutest.Solve(be, prob); err != nil {
		t.Fatal(err)
	}
	dev.check(t, "persistent")
	if r := be.RecurrentRuns(); r.Persistent != 2*cfg.Cells() {
		t.Fatalf("RecurrentRuns %+v: want every pass persistent", r)
	}
	if dev.forks != 0 || dev.work[1] != 0 {
		t.Errorf("%d forks, work %v on streams 0 and 1; want none on stream 1", dev.forks, dev.work)
	}
}
