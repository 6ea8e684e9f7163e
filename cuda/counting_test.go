package cuda

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

// countingDevice counts the host's calls into a device, by kind: every call that
// reaches the driver (allocations, copies, launches, GEMMs, waits, captures, graph
// launches, forks and joins; a stream switch is no driver call). The budget tests
// read it to bound the calls of a training step.
type countingDevice struct {
	device
	calls map[string]int
}

// newCounting wraps dev.
func newCounting(dev device) *countingDevice {
	return &countingDevice{device: dev, calls: map[string]int{}}
}

// newTestBackend returns a backend of dtype on dev, which the test closes (and
// fails when Close does).
func newTestBackend(t *testing.T, dev device, dtype gru.DType) *Backend {
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
func newCountingBackend(t *testing.T, dev device, dtype gru.DType) (*Backend, *countingDevice) {
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

func (c *countingDevice) alloc(bytes int) (ptr, error) {
	c.calls["alloc"]++
	return c.device.alloc(bytes)
}

func (c *countingDevice) free(p ptr) error {
	c.calls["free"]++
	return c.device.free(p)
}

func (c *countingDevice) htod(dst ptr, src []byte) error {
	c.calls["htod"]++
	return c.device.htod(dst, src)
}

func (c *countingDevice) dtoh(dst []byte, src ptr) error {
	c.calls["dtoh"]++
	return c.device.dtoh(dst, src)
}

func (c *countingDevice) dtod(dst, src ptr, bytes int) error {
	c.calls["dtod"]++
	return c.device.dtod(dst, src, bytes)
}

func (c *countingDevice) memsetZero(dst ptr, bytes int) error {
	c.calls["memset"]++
	return c.device.memsetZero(dst, bytes)
}

func (c *countingDevice) launch(k kernel, lg launchGeom, args []uint64) error {
	c.calls["launch"]++
	return c.device.launch(k, lg, args)
}

func (c *countingDevice) gemm(f64, transA, transB bool, m, n, k int, alpha float64, a ptr, lda int, b ptr, ldb int, beta float64, cp ptr, ldc int) error {
	c.calls["gemm"]++
	return c.device.gemm(f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, cp, ldc)
}

func (c *countingDevice) sync() error {
	c.calls["sync"]++
	return c.device.sync()
}

func (c *countingDevice) availableMemory() (int64, error) {
	c.calls["memGetInfo"]++
	return c.device.availableMemory()
}

func (c *countingDevice) fork() error {
	c.calls["fork"]++
	return c.device.fork()
}

func (c *countingDevice) join() error {
	c.calls["join"]++
	return c.device.join()
}

func (c *countingDevice) beginRecord() error {
	c.calls["beginRecord"]++
	return c.device.beginRecord()
}

func (c *countingDevice) endRecord() (recorded, error) {
	c.calls["endRecord"]++
	g, err := c.device.endRecord()
	if err != nil {
		return nil, err
	}
	return &countingRecording{recorded: g, c: c}, nil
}

// countingRecording counts a graph's launches and its destruction.
type countingRecording struct {
	recorded
	c *countingDevice
}

func (g *countingRecording) launch() error {
	g.c.calls["graphLaunch"]++
	return g.recorded.launch()
}

func (g *countingRecording) destroy() error {
	g.c.calls["graphDestroy"]++
	return g.recorded.destroy()
}
