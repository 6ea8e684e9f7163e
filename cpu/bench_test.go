package cpu_test

import (
	"fmt"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grubench"
)

// benchShapes are the default shapes plus the large one BENCHMARKS.md reports.
var benchShapes = append(append([]grubench.Shape{}, grubench.DefaultShapes...), grubench.Shape{B: 128, T: 50, D: 1024, H: 1024})

// benchEach runs body for every shape and variant on a float32 CPU backend and
// reports tokens/s and GEMM GFLOP/s, on the BLAS the gru command would use.
func benchEach(b *testing.B, train bool) {
	cpu.BenchBLAS(b)
	for _, s := range benchShapes {
		for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
			b.Run(fmt.Sprintf("%v/%v/impl=cpu-f32", s, v), func(b *testing.B) {
				be := cpu.New32()
				defer be.Close()
				c, err := grubench.NewCase(be, s, v)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				grubench.Loop(b, be, c, train)
			})
		}
	}
}

// BenchmarkForward times one forward pass over a batch.
func BenchmarkForward(b *testing.B) { benchEach(b, false) }

// BenchmarkTrainStep times forward, backward through time (with dx) and SGD.
func BenchmarkTrainStep(b *testing.B) { benchEach(b, true) }
