package device

import "testing"

// The tracker both devices share counts live allocations and bytes, refuses to
// free an address twice, and hands everything back on close.
func TestAllocTracker(t *testing.T) {
	var tr AllocTracker
	tr.Add(0x100, 64)
	tr.Add(0x200, 8)
	if tr.Live() != 2 || tr.Used() != 72 {
		t.Fatalf("live %d, used %d; want 2, 72", tr.Live(), tr.Used())
	}
	if err := tr.Remove(0x100, "testFree"); err != nil {
		t.Fatal(err)
	}
	err := tr.Remove(0x100, "testFree")
	if e, ok := err.(*Error); !ok || e.Call != "testFree" {
		t.Fatalf("second free: %v, want an *Error from testFree", err)
	}
	if ps := tr.TakeAll(); len(ps) != 1 || ps[0] != 0x200 || tr.Live() != 0 || tr.Used() != 0 {
		t.Fatalf("TakeAll gave %v and left live %d, used %d", ps, tr.Live(), tr.Used())
	}
}
