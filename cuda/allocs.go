package cuda

import (
	"fmt"
	"sync"
)

// allocTracker is the bookkeeping both devices keep of their live allocations:
// each address with its size in bytes. It is safe for concurrent use. A device
// embeds it, which gives the device its live and frees methods, and calls add after each
// driver allocation, remove before each driver free and takeAll when it closes.
type allocTracker struct {
	mu    sync.Mutex
	sizes map[ptr]int
	bytes int    // the sum of sizes
	freed uint64 // the number of removes
}

// add records the allocation of bytes at p.
func (t *allocTracker) add(p ptr, bytes int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sizes == nil {
		t.sizes = map[ptr]int{}
	}
	t.sizes[p] = bytes
	t.bytes += bytes
}

// remove forgets the allocation at p before the driver frees it. An address that
// was never allocated, or was freed already, gives an *Error naming call (the
// driver's free, as the device reports it) and the address.
func (t *allocTracker) remove(p ptr, call string) error {
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

// frees counts the allocations removed so far.
func (t *allocTracker) frees() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.freed
}

// used reports the bytes allocated and not yet freed.
func (t *allocTracker) used() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.bytes
}

// live reports the number of allocations not yet freed.
func (t *allocTracker) live() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sizes)
}

// takeAll forgets every allocation and returns their addresses, for a device that
// closes to free.
func (t *allocTracker) takeAll() []ptr {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := make([]ptr, 0, len(t.sizes))
	for p := range t.sizes {
		ps = append(ps, p)
	}
	clear(t.sizes)
	t.bytes = 0
	t.freed += uint64(len(ps))
	return ps
}
