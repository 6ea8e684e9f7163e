package device

import (
	"fmt"
	"sync"
)

// AllocTracker is the bookkeeping both devices keep of their live allocations:
// each address with its size in bytes. It is safe for concurrent use. A device
// embeds it, which gives the device its Live and Frees methods, and calls Add after each
// driver allocation, Remove before each driver free and TakeAll when it closes.
type AllocTracker struct {
	mu    sync.Mutex
	sizes map[Ptr]int
	bytes int    // the sum of sizes
	freed uint64 // the number of removes
}

// Add records the allocation of bytes at p.
func (t *AllocTracker) Add(p Ptr, bytes int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sizes == nil {
		t.sizes = map[Ptr]int{}
	}
	t.sizes[p] = bytes
	t.bytes += bytes
}

// Remove forgets the allocation at p before the driver frees it. An address that
// was never allocated, or was freed already, gives an *Error naming call (the
// driver's free, as the device reports it) and the address.
func (t *AllocTracker) Remove(p Ptr, call string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.sizes[p]
	if !ok {
		return &Error{Call: call, Status: 1, Detail: fmt.Sprintf("0x%x was not allocated", uintptr(p))}
	}
	delete(t.sizes, p)
	t.bytes -= n
	t.freed++
	return nil
}

// Frees counts the allocations removed so far.
func (t *AllocTracker) Frees() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.freed
}

// Used reports the bytes allocated and not yet freed.
func (t *AllocTracker) Used() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.bytes
}

// Live reports the number of allocations not yet freed.
func (t *AllocTracker) Live() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sizes)
}

// TakeAll forgets every allocation and returns their addresses, for a device that
// closes to free.
func (t *AllocTracker) TakeAll() []Ptr {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := make([]Ptr, 0, len(t.sizes))
	for p := range t.sizes {
		ps = append(ps, p)
	}
	clear(t.sizes)
	t.bytes = 0
	t.freed += uint64(len(ps))
	return ps
}
