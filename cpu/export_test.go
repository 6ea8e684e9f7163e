package cpu

import (
	"os"
	"testing"
)

// BenchBLAS puts the benchmarks on the BLAS the gru command would use: OpenBLAS
// when it loads, unless GOGRU_BLAS=gonum; gonum's kernels come back after b.
// It logs which BLAS runs.
func BenchBLAS(b *testing.B) {
	if os.Getenv("GOGRU_BLAS") != "gonum" {
		if err := UseOpenBLAS(); err != nil {
			b.Logf("benchmarking gonum's kernels: %v", err)
		}
		b.Cleanup(UseGonum)
	}
	b.Logf("BLAS: %s", BLAS())
}

// PoolCounts is what a backend's worker pool counted (poolStats).
type PoolCounts struct{ Runs, Splits, Handoffs, Polled, Parked, Waits int64 }

// CountHandoffs makes be's pool count its hand-offs from now on and returns a
// function that reads the counts so far. Call it before be runs anything.
func CountHandoffs[T Float](be *Backend[T]) func() PoolCounts {
	st := &poolStats{}
	if be.pool != nil {
		be.pool.stats.Store(st)
	}
	return func() PoolCounts {
		return PoolCounts{st.runs.Load(), st.splits.Load(), st.handoffs.Load(), st.polled.Load(), st.parked.Load(), st.waits.Load()}
	}
}

// SetSweepMinBatch sets the smallest batch whose packed forward and backward run as row sweeps
// (packedsweep.go) and returns a function that restores it.
func SetSweepMinBatch(b int) (restore func()) {
	old := sweepMinBatch
	sweepMinBatch = b
	return func() { sweepMinBatch = old }
}

// HavePackedGemm reports whether the packed small GEMM runs here.
func HavePackedGemm() bool { return havePackedGemm }
