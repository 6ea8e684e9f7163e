package cpu_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gogru/gogru/cpu"
)

// BenchmarkDropout times Ops.Dropout in place on a float32 CPU backend over one
// layer's output of D2L's batch (T·B·H = 35·32·256) and of a larger one, with
// ns/element: a training step with --dropout applies it twice (forward and
// backward) to each layer's output but the last's. Run it on an idle machine:
//
//	go test ./cpu -run '^$' -bench Dropout -count 5
func BenchmarkDropout(b *testing.B) {
	for _, n := range []int{35 * 32 * 256, 50 * 128 * 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			be := cpu.New32()
			defer be.Close()
			x, err := be.NewTensor(n)
			if err != nil {
				b.Fatal(err)
			}
			step, err := be.NewIDs(1, math.MaxInt32)
			if err != nil {
				b.Fatal(err)
			}
			if err := be.Fill(x, 1); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := be.Dropout(x, x, 0.2, 7, 1, step); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/element")
		})
	}
}
