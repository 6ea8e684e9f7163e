package cpu

import (
	"runtime"
	"sync"
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
}

func newPool(workers int) *pool {
	p := &pool{workers: workers, work: make(chan chunk, 4*workers+4)}
	for range workers {
		go func() {
			for c := range p.work {
				c.task.runRange(c.lo, c.hi)
				c.task.done().Done()
			}
		}()
	}
	return p
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
	if parts == 1 {
		t.runRange(0, n)
		return
	}
	wg := t.done()
	wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		p.work <- chunk{t, i * n / parts, (i + 1) * n / parts}
	}
	t.runRange(0, n/parts)
	wg.Wait()
}

func (p *pool) close() {
	if p != nil {
		p.stop.Do(func() { close(p.work) })
	}
}
