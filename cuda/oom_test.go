package cuda

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda/internal/sim"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

// oomLimit is the simulated device memory of these tests: 16 MiB.
const oomLimit = 16 << 20

// newLimitedBackend returns a float32 backend on a simulator with limit bytes.
func newLimitedBackend(t *testing.T, limit int) (*Backend, *sim.Device) {
	t.Helper()
	dev := newSimDeviceLimit(limit)
	return newTestBackend(t, dev, gru.Float32), dev
}

// checkAllocError checks that err is an *AllocError over a driver *Error from
// call, whose message names what, its size in bytes and each of also, and returns
// both.
func checkAllocError(t *testing.T, err error, what, call string, also ...string) (*AllocError, *Error) {
	t.Helper()
	if err == nil {
		t.Fatal("allocation past the device's memory succeeded")
	}
	var ae *AllocError
	if !errors.As(err, &ae) {
		t.Fatalf("error %q (%T) is not an *AllocError", err, err)
	}
	var de *Error
	if !errors.As(err, &de) || de.Call != call {
		t.Fatalf("%q does not wrap a failed %s", err, call)
	}
	msg := err.Error()
	for _, want := range append([]string{what, fmt.Sprintf("(%d bytes)", ae.Bytes)}, also...) {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not contain %q", msg, want)
		}
	}
	t.Logf("error: %v", err)
	return ae, de
}

// checkOOM checks that err is an *AllocError over the simulator's out-of-memory
// *Error, whose message names what and its size, and returns it.
func checkOOM(t *testing.T, err error, what string) *AllocError {
	t.Helper()
	ae, de := checkAllocError(t, err, what, "simAlloc", "out of memory")
	if de.Status != 2 {
		t.Errorf("%q: status %d, want 2 (CUDA_ERROR_OUT_OF_MEMORY)", err, de.Status)
	}
	return ae
}

func randTensor(t *testing.T, be *Backend, rng *rand.Rand, shape ...int) gru.Tensor {
	t.Helper()
	x, err := be.NewTensor(shape...)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float64, gru.Len(shape))
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	if err := be.Write(x, v); err != nil {
		t.Fatal(err)
	}
	return x
}

// newBackend names the buffer it could not allocate, and a backend it could not
// make leaves nothing allocated and the device closed.
func TestNewBackendOutOfMemory(t *testing.T) {
	dev := newSimDeviceLimit(8*8 + 100) // scratch fits, partial does not
	_, err := newBackend(dev, gru.Float32)
	checkOOM(t, err, fmt.Sprintf("partial [%d] float64", partialCap))
	if n := dev.Live(); n != 0 || !dev.Closed() {
		t.Errorf("after the failure: %d live allocations, device closed %v", n, dev.Closed())
	}
	dev = newSimDevice()
	if _, err := newBackend(dev, gru.DType(7)); err == nil || !dev.Closed() {
		t.Errorf("unsupported dtype: error %v, device closed %v", err, dev.Closed())
	}
}

// A tensor larger than the device's memory fails with an *AllocError that names its
// shape and size, and allocates nothing.
func TestNewTensorOutOfMemory(t *testing.T) {
	be, dev := newLimitedBackend(t, oomLimit)
	before := dev.Live()
	shape := []int{2048, 4096} // 32 MiB of float32
	_, err := be.NewTensor(shape...)
	ae := checkOOM(t, err, fmt.Sprintf("tensor %v", shape))
	if want := 4 * 2048 * 4096; ae.Bytes != want || !strings.Contains(err.Error(), fmt.Sprint(want)) {
		t.Errorf("%q: want %d bytes", err, want)
	}
	if n := dev.Live(); n != before {
		t.Errorf("%d live allocations after the failure, %d before", n, before)
	}
	// The memory is still usable up to the limit.
	x := randTensor(t, be, gru.NewRand(1), 1024, 1024) // 4 MiB
	if err := be.Free(x); err != nil {
		t.Fatal(err)
	}
}

// A Forward whose workspace does not fit fails with an *AllocError that names the
// workspace buffer, frees the buffers it got, and leaves the stack and backend
// working for a shape that fits.
func TestForwardWorkspaceOutOfMemory(t *testing.T) {
	be, dev := newLimitedBackend(t, oomLimit)
	rng := gru.NewRand(7)
	cfg := gru.Config{InputSize: 8, HiddenSize: 32, Layers: 2, Bidirectional: true}
	params, err := gru.InitParams(cfg, gru.InitPyTorch, rng)
	if err != nil {
		t.Fatal(err)
	}
	st, err := be.NewStack(cfg, params)
	if err != nil {
		t.Fatal(err)
	}
	s := st.(*stack)

	// [T, B] = [256, 32]: x and y take 2.25 MiB, the workspace about 46 MiB, so it
	// fails part way through, after several buffers were allocated.
	T, B := 256, 32
	x := randTensor(t, be, rng, cfg.SeqShape(T, B, cfg.InputSize)...)
	y, err := be.NewTensor(cfg.SeqShape(T, B, cfg.OutputSize())...)
	if err != nil {
		t.Fatal(err)
	}
	before := dev.Live()
	err = st.Forward(x, nil, nil, y, nil)
	ae := checkOOM(t, err, "workspace ")
	if !strings.HasPrefix(ae.What, "workspace ") {
		t.Errorf("What = %q, want a workspace buffer", ae.What)
	}
	if n := dev.Live(); n != before {
		t.Errorf("%d live allocations after the failed Forward, %d before", n, before)
	}
	if s.ws != nil {
		t.Error("the stack kept a workspace from the failed Forward")
	}
	for _, tt := range []gru.Tensor{x, y} {
		if err := be.Free(tt); err != nil {
			t.Fatal(err)
		}
	}

	// A shape that fits works on the same stack: Forward matches the reference,
	// Backward runs.
	T, B = 5, 3
	runSmall := func() {
		t.Helper()
		x := randTensor(t, be, rng, cfg.SeqShape(T, B, cfg.InputSize)...)
		dy := randTensor(t, be, rng, cfg.SeqShape(T, B, cfg.OutputSize())...)
		y, err := be.NewTensor(cfg.SeqShape(T, B, cfg.OutputSize())...)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, tt := range []gru.Tensor{x, dy, y} {
				be.Free(tt)
			}
		}()
		if err := st.Forward(x, nil, nil, y, nil); err != nil {
			t.Fatalf("Forward at [%d, %d] after the failure: %v", T, B, err)
		}
		xv := make([]float64, T*B*cfg.InputSize)
		yv := make([]float64, T*B*cfg.OutputSize())
		if err := be.Read(xv, x); err != nil {
			t.Fatal(err)
		}
		if err := be.Read(yv, y); err != nil {
			t.Fatal(err)
		}
		want, _ := grutest.Reference(cfg, params, xv, nil, nil, T, B)
		if e, tol := grutest.RelErr(yv, want), grutest.TolerancesFor(gru.Float32).Forward; e > tol {
			t.Errorf("y after the failure: relative error %.3g > %.3g", e, tol)
		}
		if err := st.Backward(dy, nil, nil, nil); err != nil {
			t.Fatalf("Backward at [%d, %d] after the failure: %v", T, B, err)
		}
	}
	runSmall()

	// Now the stack holds a workspace and a saved Forward. A Forward at the large
	// shape frees that workspace and fails; Backward must then refuse, not use it.
	x = randTensor(t, be, rng, cfg.SeqShape(256, 32, cfg.InputSize)...)
	y, err = be.NewTensor(cfg.SeqShape(256, 32, cfg.OutputSize())...)
	if err != nil {
		t.Fatal(err)
	}
	before = dev.Live() - len(s.ws.allocs) // Forward frees the old workspace first
	err = st.Forward(x, nil, nil, y, nil)
	checkOOM(t, err, "workspace ")
	if n := dev.Live(); n != before {
		t.Errorf("%d live allocations after the second failed Forward, want %d", n, before)
	}
	dy := randTensor(t, be, rng, cfg.SeqShape(256, 32, cfg.OutputSize())...)
	if err := st.Backward(dy, nil, nil, nil); !errors.Is(err, gru.ErrNoForward) {
		t.Errorf("Backward after a failed Forward: got %v, want gru.ErrNoForward", err)
	}
	for _, tt := range []gru.Tensor{x, y, dy} {
		if err := be.Free(tt); err != nil {
			t.Fatal(err)
		}
	}
	runSmall()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// A growable buffer (here rowLoss) that does not fit fails with an *AllocError that
// names it; the backend holds no buffer then and works for a smaller call.
func TestGrowOutOfMemory(t *testing.T) {
	be, dev := newLimitedBackend(t, oomLimit)
	rng := gru.NewRand(3)
	rows, cols := 1<<16, 8 // logits 2 MiB, ids 256 KiB, rowLoss 512 KiB
	logits := randTensor(t, be, rng, rows, cols)
	targets := make([]int32, rows)
	for i := range targets {
		targets[i] = int32(rng.IntN(cols))
	}
	uploadIDs := func(v []int32) gru.IDs {
		ids, err := be.NewIDs(len(v), cols)
		if err != nil {
			t.Fatal(err)
		}
		if err := be.WriteIDs(ids, v); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	ids := uploadIDs(targets)
	loss, err := be.NewTensor(1)
	if err != nil {
		t.Fatal(err)
	}
	dev.SetMemory(dev.Used() + 8*rows - 1) // no room for rowLoss
	before := dev.Live()
	err = be.SoftmaxCrossEntropy(logits, ids, nil, loss)
	checkOOM(t, err, fmt.Sprintf("rowLoss [%d] float64", rows))
	if be.rowLoss != 0 || be.rowLossCap != 0 {
		t.Error("rowLoss still set after its allocation failed")
	}
	if n := dev.Live(); n != before {
		t.Errorf("%d live allocations after the failure, want %d", n, before)
	}
	small := randTensor(t, be, rng, 4, cols)
	if err := be.SoftmaxCrossEntropy(small, uploadIDs(targets[:4]), nil, loss); err != nil {
		t.Fatalf("SoftmaxCrossEntropy after the failure: %v", err)
	}
	v := make([]float64, 1)
	if err := be.Read(v, loss); err != nil || !(v[0] > 0) {
		t.Fatalf("loss after the failure: %v, %v", v[0], err)
	}
}

func TestAllocErrorText(t *testing.T) {
	e := &AllocError{What: "workspace gates (cell 0) [T·B, 4H] = [98304, 4096]", Bytes: 1610612736,
		Err: &Error{Call: "cuMemAlloc", Status: -1, Detail: "out of memory"}}
	want := "cuda: allocating workspace gates (cell 0) [T·B, 4H] = [98304, 4096] of 1.50 GiB (1610612736 bytes): cuda: cuMemAlloc failed: out of memory (status -1)"
	if got := e.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !errors.Is(e, e.Err) {
		t.Error("AllocError does not unwrap to its driver error")
	}
}
