package cuda

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
)

// checkGridSync runs grid_sync_check on be over as many blocks as the device
// holds at once (at most blocks) and checks that every thread saw, after each
// barrier, what the same thread of the next block wrote before it, and that each
// block's dynamic shared memory was its own.
func checkGridSync(t *testing.T, be *Backend, blocks int) {
	t.Helper()
	const threads, rounds = 33, 5 // a block that is not a whole number of warps
	shared := 4 * threads
	resident, err := be.dev.ResidentBlocks(device.KernelGridSyncCheck, threads, shared)
	if err != nil {
		t.Fatal(err)
	}
	blocks = min(blocks, resident)
	if blocks < 2 {
		t.Fatalf("the device holds %d blocks at once; the check needs 2", resident)
	}
	n := blocks * threads
	vals, seen, bar := deviceInts(t, be, n), deviceInts(t, be, n), deviceInts(t, be, 2)
	q := be.queue()
	lg := device.LaunchGeom{Grid: device.Dim3{X: blocks, Y: 1, Z: 1}, Block: device.Dim3{X: threads, Y: 1, Z: 1}, Shared: shared}
	for range 2 { // the barrier is reusable: the second launch finds it as the first left it
		q.gridSyncCheck(lg, rounds, vals, seen, bar)
	}
	if err := q.Err(); err != nil {
		t.Fatal(err)
	}
	got := readInts(t, be, seen, n)
	for i, v := range got {
		peer, want := (i+threads)%n, 0
		for r := range rounds {
			want += r*n + peer
		}
		if v != want {
			t.Fatalf("%d blocks: thread %d saw %d, want %d (-1: its block's shared memory was overwritten)", blocks, i, v, want)
		}
	}
	if b := readInts(t, be, bar, 2); b[0] != 0 {
		t.Errorf("the barrier's count is %d after the launches, want 0", b[0])
	}
}

// deviceInts allocates n zeroed int32s on be, freed when the test ends (before
// the backend closes, when the test opened it first).
func deviceInts(t *testing.T, be *Backend, n int) device.Ptr {
	t.Helper()
	p, err := be.alloc("test ints", 4*n)
	if err == nil {
		err = be.dev.MemsetZero(p, 4*n)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.dev.Free(p) })
	return p
}

func readInts(t *testing.T, be *Backend, p device.Ptr, n int) []int {
	t.Helper()
	b := make([]byte, 4*n)
	if err := be.dev.DtoH(b, p); err != nil {
		t.Fatal(err)
	}
	v := make([]int, n)
	for i := range v {
		v[i] = int(int32(binary.LittleEndian.Uint32(b[4*i:])))
	}
	return v
}

// On the simulator, threads in different blocks of a cooperative launch see each
// other's writes after grid_sync, and each block has its own shared memory.
func TestSimulatedGridSync(t *testing.T) {
	checkGridSync(t, newRig(t).be, 4)
}

// The simulator refuses, as a GPU does, a cooperative launch of more blocks than
// it holds at once and more dynamic shared memory than a block may have.
func TestSimulatorRefusesOversizedCooperativeLaunch(t *testing.T) {
	be := newRig(t).be
	bar := deviceInts(t, be, 2)
	lim, _ := be.dev.CoopLimits()
	for _, c := range []struct {
		lg     device.LaunchGeom
		status int
	}{
		{device.LaunchGeom{Grid: device.Dim3{X: lim.Multiprocessors + 1, Y: 1, Z: 1}, Block: device.Dim3{X: 32, Y: 1, Z: 1}, Shared: 128}, 720},
		{device.LaunchGeom{Grid: device.Dim3{X: 2, Y: 1, Z: 1}, Block: device.Dim3{X: 32, Y: 1, Z: 1}, Shared: lim.SharedPerBlock + 1}, 1},
	} {
		q := be.queue()
		q.gridSyncCheck(c.lg, 1, bar, bar, bar)
		var e *Error
		if err := q.Err(); !errors.As(err, &e) || e.Status != c.status {
			t.Errorf("launch %+v: %v, want status %d", c.lg, err, c.status)
		}
	}
}
