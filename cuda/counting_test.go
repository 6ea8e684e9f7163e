package cuda

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/cuda/internal/sim"
	"github.com/gogru/gogru/gru"
)

// countingDevice counts the host's calls into a device, by kind: every call that
// reaches the driver (allocations, copies, launches, GEMMs, waits, captures, graph
// launches, forks and joins; a stream switch is no driver call). The budget tests
// read it to bound the calls of a training step.
type countingDevice struct {
	device.Device
	calls map[string]int
}

// newCounting wraps dev.
func newCounting(dev device.Device) *countingDevice {
	return &countingDevice{Device: dev, calls: map[string]int{}}
}

// newSimDevice returns a simulator with strict float32 GEMMs and the host's memory.
func newSimDevice() *sim.Device { return sim.New(device.MathFP32) }

// newSimDeviceLimit returns a simulator with limit bytes of memory (see
// sim.Device.SetMemory).
func newSimDeviceLimit(limit int) *sim.Device {
	d := newSimDevice()
	d.SetMemory(limit)
	return d
}

// newTestBackend returns a backend of dtype on dev, which the test closes (and
// fails when Close does).
func newTestBackend(t *testing.T, dev device.Device, dtype gru.DType) *Backend {
	t.Helper()
	be, err := newBackend(dev, dtype)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := be.Close(); err != nil {
			t.Error(err)
		}
	})
	return be
}

// newCountingBackend returns a backend of dtype on dev behind a call counter.
func newCountingBackend(t *testing.T, dev device.Device, dtype gru.DType) (*Backend, *countingDevice) {
	t.Helper()
	c := newCounting(dev)
	return newTestBackend(t, c, dtype), c
}

// total is the number of calls counted since the last reset.
func (c *countingDevice) total() int {
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

// reset starts the count again.
func (c *countingDevice) reset() { clear(c.calls) }

// String lists the counts by kind, e.g. "dtoh 1, graphLaunch 1, htod 3".
func (c *countingDevice) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.calls)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, c.calls[k]))
	}
	return strings.Join(parts, ", ")
}

func (c *countingDevice) Alloc(bytes int) (device.Ptr, error) {
	c.calls["alloc"]++
	return c.Device.Alloc(bytes)
}

func (c *countingDevice) Free(p device.Ptr) error {
	c.calls["free"]++
	return c.Device.Free(p)
}

func (c *countingDevice) HtoD(dst device.Ptr, src []byte) error {
	c.calls["htod"]++
	return c.Device.HtoD(dst, src)
}

func (c *countingDevice) DtoH(dst []byte, src device.Ptr) error {
	c.calls["dtoh"]++
	return c.Device.DtoH(dst, src)
}

func (c *countingDevice) DtoD(dst, src device.Ptr, bytes int) error {
	c.calls["dtod"]++
	return c.Device.DtoD(dst, src, bytes)
}

func (c *countingDevice) MemsetZero(dst device.Ptr, bytes int) error {
	c.calls["memset"]++
	return c.Device.MemsetZero(dst, bytes)
}

func (c *countingDevice) Launch(k device.Kernel, lg device.LaunchGeom, args []uint64) error {
	c.calls["launch"]++
	return c.Device.Launch(k, lg, args)
}

func (c *countingDevice) GEMM(f64, transA, transB bool, m, n, k int, alpha float64, a device.Ptr, lda int, b device.Ptr, ldb int, beta float64, cp device.Ptr, ldc int) error {
	c.calls["gemm"]++
	return c.Device.GEMM(f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, cp, ldc)
}

func (c *countingDevice) Sync() error {
	c.calls["sync"]++
	return c.Device.Sync()
}

func (c *countingDevice) AvailableMemory() (int64, error) {
	c.calls["memGetInfo"]++
	return c.Device.AvailableMemory()
}

func (c *countingDevice) Fork() error {
	c.calls["fork"]++
	return c.Device.Fork()
}

func (c *countingDevice) Join() error {
	c.calls["join"]++
	return c.Device.Join()
}

func (c *countingDevice) BeginRecord() error {
	c.calls["beginRecord"]++
	return c.Device.BeginRecord()
}

func (c *countingDevice) EndRecord() (device.Recorded, error) {
	c.calls["endRecord"]++
	g, err := c.Device.EndRecord()
	if err != nil {
		return nil, err
	}
	return &countingRecording{Recorded: g, c: c}, nil
}

// countingRecording counts a graph's launches and its destruction.
type countingRecording struct {
	device.Recorded
	c *countingDevice
}

func (g *countingRecording) Launch() error {
	g.c.calls["graphLaunch"]++
	return g.Recorded.Launch()
}

func (g *countingRecording) Destroy() error {
	g.c.calls["graphDestroy"]++
	return g.Recorded.Destroy()
}
