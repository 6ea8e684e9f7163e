//go:build cuda

package cuda

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

// checkDeviceOOM checks that err is an *AllocError over cuMemAlloc's
// out-of-memory failure whose message names what and its size.
func checkDeviceOOM(t *testing.T, err error, what string) *AllocError {
	t.Helper()
	ae, _ := checkAllocError(t, err, what, "cuMemAlloc", "OutOfMemory")
	return ae
}

// On a real GPU, a tensor and a Forward workspace that cannot fit fail with an
// *AllocError naming the allocation and its size, leave nothing allocated, and the
// backend still computes a small problem correctly afterwards.
func TestGPUOutOfMemory(t *testing.T) {
	be, err := New()
	if err != nil {
		t.Skipf("no GPU: %v; runs where an NVIDIA GPU and its driver are, with go test -tags cuda (make gpu-check)", err)
	}
	defer be.Close()
	dev := be.dev
	rng := gru.NewRand(11)

	before := dev.Live()
	shape := []int{1 << 20, 1 << 18} // 1 TiB of float32
	_, err = be.NewTensor(shape...)
	checkDeviceOOM(t, err, fmt.Sprintf("tensor %v", shape))
	if n := dev.Live(); n != before {
		t.Errorf("%d live allocations after the failed NewTensor, %d before", n, before)
	}

	// D=8, H=1024, T=10000, B=256: x is 84 MB and y 10.5 GB, but the workspace
	// needs about 17 buffers' worth of [T·B, H]: some 178 GB, more than an H200 has.
	cfg := gru.Config{InputSize: 8, HiddenSize: 1024, Layers: 1}
	params, err := gru.InitParams(cfg, gru.InitPyTorch, rng)
	if err != nil {
		t.Fatal(err)
	}
	st, err := be.NewStack(cfg, params)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	T, B := 10000, 256
	x := randTensor(t, be, rng, cfg.SeqShape(T, B, cfg.InputSize)...)
	y, err := be.NewTensor(cfg.SeqShape(T, B, cfg.OutputSize())...)
	if err != nil {
		t.Fatal(err)
	}
	before = dev.Live()
	err = st.Forward(x, nil, nil, y, nil)
	ae := checkDeviceOOM(t, err, "workspace ")
	if !strings.HasPrefix(ae.What, "workspace ") {
		t.Errorf("What = %q, want a workspace buffer", ae.What)
	}
	if n := dev.Live(); n != before {
		t.Errorf("%d live allocations after the failed Forward, %d before", n, before)
	}
	for _, tt := range []gru.Tensor{x, y} {
		if err := be.Free(tt); err != nil {
			t.Fatal(err)
		}
	}

	// The GPU still works: a small Forward on the same stack gives finite outputs.
	T, B = 4, 3
	x = randTensor(t, be, rng, cfg.SeqShape(T, B, cfg.InputSize)...)
	y, err = be.NewTensor(cfg.SeqShape(T, B, cfg.OutputSize())...)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Forward(x, nil, nil, y, nil); err != nil {
		t.Fatalf("Forward at [%d, %d] after the failure: %v", T, B, err)
	}
	yv := make([]float64, T*B*cfg.OutputSize())
	if err := be.Read(yv, y); err != nil {
		t.Fatal(err)
	}
	nonzero := 0
	for _, v := range yv {
		if v != v || v > 1 || v < -1 {
			t.Fatalf("y holds %v after the failure; a GRU's outputs lie in (-1, 1)", v)
		}
		if v != 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Fatal("y is all zeros after the failure")
	}
}
