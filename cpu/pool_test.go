package cpu

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// markTask records which rows its parts covered, and can hold the parts that do
// not start at row 0 (the workers') back for a while.
type markTask struct {
	wg     sync.WaitGroup
	seen   []atomic.Int32
	holdUp time.Duration
}

func (m *markTask) done() *sync.WaitGroup { return &m.wg }

func (m *markTask) runRange(lo, hi int) {
	if lo > 0 {
		time.Sleep(m.holdUp)
	}
	for i := lo; i < hi; i++ {
		m.seen[i].Add(1)
	}
}

// TestPoolRunCoversEveryRowOnce runs split work many times, with the workers'
// parts sometimes held back and with gaps between runs long enough for the
// workers to stop polling and park, so that the workers are met both polling and
// parked and the caller both waits for them and finds them done: every row must
// be done exactly once, and run must not return before the workers' parts are done.
func TestPoolRunCoversEveryRowOnce(t *testing.T) {
	p := newPool(3)
	defer p.close()
	st := &poolStats{}
	p.stats.Store(st)
	const n, runs = 64, 40
	for i := range runs {
		m := &markTask{seen: make([]atomic.Int32, n)}
		if i%4 == 3 {
			m.holdUp = 3 * time.Millisecond
		}
		p.run(m, n, minRowsWork)
		for r := range m.seen {
			if got := m.seen[r].Load(); got != 1 {
				t.Fatalf("run %d: row %d done %d times, want once (run returned before its parts were done, or split them wrong)", i, r, got)
			}
		}
		if i%5 == 4 {
			time.Sleep(5 * time.Millisecond) // past the workers' polling: they park
		}
	}
	if st.splits.Load() != runs || st.handoffs.Load() != 3*runs {
		t.Errorf("%d splits and %d hand-offs, want %d and %d", st.splits.Load(), st.handoffs.Load(), runs, 3*runs)
	}
	if st.polled.Load()+st.parked.Load() != 3*runs {
		t.Errorf("the workers took %d chunks polling and %d parked, want %d in all", st.polled.Load(), st.parked.Load(), 3*runs)
	}
	if st.parked.Load() == 0 {
		t.Errorf("no worker was met parked, though 8 gaps between runs were 5 ms long")
	}
}
