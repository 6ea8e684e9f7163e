package grutest

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// Tolerances of data-parallel training against one process at the same global
// batch, relative to the largest parameter, after the steps of DataParallel. Only
// the order of the sums differs (the gradient GEMMs add each replica's rows apart,
// then the replicas' sums), so float64 keeps about 1e-15 a step; float32's
// rounding grows through the recurrence and the optimiser's steps.
const (
	DataParallelTol64 = 1e-12
	DataParallelTol32 = 2e-4
)

// DataParallel checks that a Trainer whose Reducer averages over n replicas in
// this process (each on its own backend from open, training on its rows of every
// global batch, with its own carried state) ends where one Trainer ends on the
// whole batch: to DataParallelTol64 in float64 with SGD and with Adam, to
// DataParallelTol32 in float32, for n = 2 and 3, and that every replica holds the
// same parameters, bit for bit. The reducer stages through the host (HostReducer),
// so on a backend that records steps it checks the two-part recording too.
func DataParallel(t *testing.T, open func(gru.DType) (gru.Backend, error)) {
	for _, c := range []struct {
		dtype gru.DType
		adam  bool
		embed int
		tol   float64
	}{{gru.Float64, false, 0, DataParallelTol64}, {gru.Float64, true, 3, DataParallelTol64}, {gru.Float32, true, 0, DataParallelTol32}} {
		for _, n := range []int{2, 3} {
			name := fmt.Sprintf("%v/adam=%v/embed=%d/replicas=%d", c.dtype, c.adam, c.embed, n)
			t.Run(name, func(t *testing.T) {
				batches := parallelBatches(t)
				one, _ := trainReplicas(t, open, c.dtype, c.adam, c.embed, 1, batches)
				many, losses := trainReplicas(t, open, c.dtype, c.adam, c.embed, n, batches)
				for r := 1; r < n; r++ {
					for i := range many[0] {
						if many[r][i] != many[0][i] {
							t.Fatalf("replica %d's parameter %d is %v, replica 0's %v: the replicas drifted apart", r, i, many[r][i], many[0][i])
						}
					}
				}
				scale, worst, at := 0.0, 0.0, 0
				for i := range one[0] {
					scale = max(scale, math.Abs(one[0][i]))
					if d := math.Abs(many[0][i] - one[0][i]); d > worst {
						worst, at = d, i
					}
				}
				if worst > c.tol*scale {
					t.Errorf("parameter %d: %d replicas reach %v, one process %v: relative difference %.3g exceeds %g",
						at, n, many[0][at], one[0][at], worst/scale, c.tol)
				}
				if losses[0] == 0 || math.IsNaN(losses[0]) {
					t.Errorf("the reduced loss is %v", losses[0])
				}
				t.Logf("largest difference %.3g of the largest parameter", worst/scale)
			})
		}
	}
}

// The shape of DataParallel's runs: a vocabulary of parallelV, global batches of
// parallelB sequences of parallelT steps, parallelSteps of them.
const parallelV, parallelT, parallelB, parallelSteps = 7, 4, 6, 8

// parallelBatches cuts sequential batches from a seeded random text.
func parallelBatches(t *testing.T) []corpus.Batch {
	rng := gru.NewRand(11)
	ids := make([]int32, parallelB*parallelT*parallelSteps+parallelT+1)
	for i := range ids {
		ids[i] = int32(rng.IntN(parallelV))
	}
	bs, err := corpus.Epoch(ids, parallelB, parallelT, corpus.Sequential, gru.NewRand(12))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) < parallelSteps-1 {
		t.Fatalf("%d batches", len(bs))
	}
	return bs
}

// trainReplicas trains n replicas on their rows of batches (n = 1: one process
// without a Reducer) and returns each replica's parameters, flattened, and each
// step's loss as replica 0 read it.
func trainReplicas(t *testing.T, open func(gru.DType) (gru.Backend, error), dtype gru.DType, adam bool, embed, n int, batches []corpus.Batch) ([][]float64, []float64) {
	t.Helper()
	g := newReplicaGroup(n)
	params := make([][]float64, n)
	var losses []float64
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.mu.Lock()
			defer g.mu.Unlock()
			var ls []float64
			params[r], ls, errs[r] = trainReplica(open, dtype, adam, embed, batches, r, n, g)
			if errs[r] != nil {
				g.fail()
			}
			if r == 0 {
				losses = ls
			}
		}()
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("replica %d of %d: %v", r, n, err)
		}
	}
	return params, losses
}

// trainReplica trains replica r of n. It runs holding g.mu, which Sum gives up
// while it waits for the other replicas: one replica computes at a time.
func trainReplica(open func(gru.DType) (gru.Backend, error), dtype gru.DType, adam bool, embed int, batches []corpus.Batch, r, n int, g *replicaGroup) ([]float64, []float64, error) {
	be, err := open(dtype)
	if err != nil {
		return nil, nil, err
	}
	defer be.Close()
	in := parallelV
	if embed > 0 {
		in = embed
	}
	mc := lm.Config{Vocab: parallelV, Embed: embed, Init: gru.InitPyTorch,
		GRU: gru.Config{InputSize: in, HiddenSize: 5, Layers: 2, Variant: gru.ResetAfter}}
	m, err := lm.New(be, mc, gru.NewRand(13))
	if err != nil {
		return nil, nil, err
	}
	defer m.Close()
	var opt optim.Optimizer = &optim.SGD{LR: 1}
	if adam {
		if opt, err = optim.NewAdam(be, m.Params(), 0.02); err != nil {
			return nil, nil, err
		}
	}
	tr, err := lm.NewTrainer(m, opt, 1)
	if err != nil {
		return nil, nil, err
	}
	defer tr.Close()
	if n > 1 {
		tr.Reducer = &lm.HostReducer{Sum: func(buf []float64) error { return g.sum(r, buf) }, Processes: n}
	}
	rows := parallelB / n
	var losses []float64
	m.ResetState()
	for _, b := range batches {
		part, err := b.Rows(r*rows, (r+1)*rows)
		if err != nil {
			return nil, nil, err
		}
		loss, err := tr.Step(part.X, part.Y, part.T, part.B)
		if err != nil {
			return nil, nil, err
		}
		losses = append(losses, loss)
	}
	var flat []float64
	for _, p := range m.Params() {
		v := make([]float64, gru.Len(p.Shape()))
		if err := be.Read(v, p); err != nil {
			return nil, nil, err
		}
		flat = append(flat, v...)
	}
	return flat, losses, nil
}

// replicaGroup is an in-process all-reduce over n replicas, the stand-in for MPI:
// sum waits until every replica has given its buffer and adds them in rank order.
type replicaGroup struct {
	mu     sync.Mutex
	cond   *sync.Cond
	parts  [][]float64
	came   int
	round  int
	result []float64
	failed bool
}

func newReplicaGroup(n int) *replicaGroup {
	g := &replicaGroup{parts: make([][]float64, n)}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// sum is replica r's all-reduce; the caller holds g.mu.
func (g *replicaGroup) sum(r int, buf []float64) error {
	if g.failed {
		return fmt.Errorf("another replica failed")
	}
	g.parts[r] = buf
	g.came++
	round := g.round
	if g.came == len(g.parts) {
		g.result = make([]float64, len(buf))
		for _, p := range g.parts {
			if len(p) != len(buf) {
				return fmt.Errorf("replicas reduce %d and %d values", len(p), len(buf))
			}
			for i := range p {
				g.result[i] += p[i]
			}
		}
		g.came = 0
		g.round++
		g.cond.Broadcast()
	}
	for g.round == round && !g.failed {
		g.cond.Wait()
	}
	if g.failed {
		return fmt.Errorf("another replica failed")
	}
	copy(buf, g.result)
	return nil
}

// fail wakes the replicas waiting in sum, which then fail too; the caller holds g.mu.
func (g *replicaGroup) fail() {
	g.failed = true
	g.cond.Broadcast()
}
