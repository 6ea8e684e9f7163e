package lm_test

import (
	"fmt"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// BenchmarkTrainerDropout times a whole training step (Trainer.Step: forward,
// backward, clipping, SGD) of a 2-layer language model on a float32 CPU backend,
// without dropout and with dropout between the layers and on the input, so that
// the difference is what dropout costs a step: drawing and applying the masks
// forward and backward. Run it on an idle machine:
//
//	go test ./gru/lm -run '^$' -bench TrainerDropout -benchtime 20x -count 5
func BenchmarkTrainerDropout(b *testing.B) {
	const V, B, T, E, H = 28, 32, 35, 32, 256 // D2L's batch over The Time Machine's 28 tokens
	for _, p := range []float64{0, 0.2} {
		b.Run(fmt.Sprintf("B=%d/T=%d/E=%d/H=%d/L=2/dropout=%v", B, T, E, H, p), func(b *testing.B) {
			be := cpu.New32()
			defer be.Close()
			mc := lm.Config{Vocab: V, Embed: E, GRU: gru.Config{InputSize: E, HiddenSize: H, Layers: 2, Variant: gru.ResetAfter}}
			m, err := lm.New(be, mc, gru.NewRand(1))
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			tr, err := lm.NewTrainer(m, &optim.SGD{LR: 0.1}, 1)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			if err := tr.SetDropout(p, p, 7); err != nil {
				b.Fatal(err)
			}
			rng := gru.NewRand(2)
			in, tg := make([]int32, T*B), make([]int32, T*B)
			for i := range in {
				in[i], tg[i] = int32(rng.IntN(V)), int32(rng.IntN(V))
			}
			for b.Loop() {
				m.ResetState()
				if _, err := tr.Step(in, tg, T, B); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(T*B*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
