package grubench

import (
	"testing"

	"github.com/gogru/gogru/gru"
)

// Loop is the body of a Go benchmark of c: one untimed step to size the workspaces,
// then b.Loop over forward passes (or training steps when train), the backend
// synchronised before the clock stops, and tokens/s and GEMM GFLOP/s reported.
func Loop(b *testing.B, be gru.Backend, c *Case, train bool) {
	step, flops := c.Forward, c.ForwardFlops
	if train {
		step, flops = c.TrainStep, c.TrainStepFlops
	}
	if err := step(); err != nil {
		b.Fatal(err)
	}
	if err := be.Sync(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	if err := be.Sync(); err != nil {
		b.Fatal(err)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*c.Shape.B*c.Shape.T)/sec, "tokens/s")
	b.ReportMetric(float64(b.N)*flops/sec/1e9, "GFLOP/s")
}
