package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// rangeTask is work over rows [lo, hi) that a pool can split.
type rangeTask interface {
	runRange(lo, hi int)
	done() *sync.WaitGroup
}

type chunk struct {
	task   rangeTask
	lo, hi int
}

// pool is a fixed set of worker goroutines that split row ranges. Sending a chunk
// allocates nothing, so the time loop can use it.
type pool struct {
	workers int
	work    chan chunk
	stop    sync.Once
	stats   atomic.Pointer[poolStats] // nil unless a test counts hand-offs (export_test.go)
}

// poolStats counts how the pool hands work over; tests read them to check how many
// hand-offs a time step makes and how the workers met them.
type poolStats struct {
	runs     atomic.Int64 // calls of run
	splits   atomic.Int64 // runs that handed work to the workers
	handoffs atomic.Int64 // chunks sent to the workers
	polled   atomic.Int64 // chunks a worker took while polling
	parked   atomic.Int64 // chunks a worker took after polling in vain and blocking
	waits    atomic.Int64 // splits whose caller finished its part before the workers
	pending  atomic.Int64 // chunks sent and not yet finished
}

func newPool(workers int) *pool {
	p := &pool{workers: workers, work: make(chan chunk, 4*workers+4)}
	for range workers {
		go p.serve()
	}
	return p
}

// spinPolls is how many times an idle worker polls for work, yielding between
// polls, before it blocks. A time step split by columns hands out work two to four
// times, tens of microseconds apart; a worker parked in the meantime costs a futex
// wake-up of about as long. (The packed small-batch forward hands out work once a
// sequence instead: packedsweep.go.)
// Polling keeps the wake-up off the step's critical path, as OpenMP's active wait
// does, and gives the core back after about 50 µs of no work.
const spinPolls = 2000

// serve runs chunks until the pool closes.
func (p *pool) serve() {
	for {
		var c chunk
		ok, got := false, false
		for range spinPolls {
			select {
			case c, ok = <-p.work:
				got = true
			default:
				runtime.Gosched()
				continue
			}
			break
		}
		if !got {
			c, ok = <-p.work
		}
		if !ok {
			return
		}
		st := p.stats.Load()
		switch {
		case st == nil:
		case got:
			st.polled.Add(1)
		default:
			st.parked.Add(1)
		}
		c.task.runRange(c.lo, c.hi)
		if st != nil {
			st.pending.Add(-1)
		}
		c.task.done().Done()
	}
}

// defaultWorkers is one helper per extra core.
func defaultWorkers() int { return max(runtime.GOMAXPROCS(0)-1, 0) }

// minRowsWork is the smallest rows·width worth splitting across goroutines.
const minRowsWork = 8192

// run calls t.runRange over [0, n), split across the workers and the caller when
// the work (n rows of width elements) is large enough to pay for it.
func (p *pool) run(t rangeTask, n, width int) {
	parts := 1
	if p != nil && p.workers > 0 && n > 1 && n*width >= minRowsWork {
		parts = min(p.workers+1, n)
	}
	st := p.statsOrNil()
	if st != nil {
		st.runs.Add(1)
	}
	if parts == 1 {
		t.runRange(0, n)
		return
	}
	wg := t.done()
	wg.Add(parts - 1)
	if st != nil {
		st.splits.Add(1)
		st.handoffs.Add(int64(parts - 1))
		st.pending.Add(int64(parts - 1))
	}
	for i := 1; i < parts; i++ {
		p.work <- chunk{t, i * n / parts, (i + 1) * n / parts}
	}
	t.runRange(0, n/parts)
	if st != nil && st.pending.Load() > 0 {
		st.waits.Add(1)
	}
	wg.Wait()
}

// statsOrNil returns the pool's counters, nil when nobody counts (or no pool).
func (p *pool) statsOrNil() *poolStats {
	if p == nil {
		return nil
	}
	return p.stats.Load()
}

func (p *pool) close() {
	if p != nil {
		p.stop.Do(func() { close(p.work) })
	}
}
