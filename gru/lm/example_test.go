package lm_test

import (
	"fmt"
	"log"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
)

// Training steps of a character-level model on the CPU: a vocabulary of 8 tokens
// through an embedding of 4, one GRU layer of 32 and a linear layer, updated by
// Adam on a sequence that repeats every 8 tokens. A Trainer runs each whole step;
// on a GPU it records the step once and replays it.
func Example() {
	be := cpu.New32()
	defer be.Close()
	mc := lm.Config{Vocab: 8, Embed: 4, GRU: gru.Config{InputSize: 4, HiddenSize: 32, Layers: 1}}
	m, err := lm.New(be, mc, gru.NewRand(1))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	opt, err := optim.NewAdam(be, m.Params(), 0.01)
	if err != nil {
		log.Fatal(err)
	}
	tr, err := lm.NewTrainer(m, opt, 1) // gradients clipped to a global norm of 1
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()

	// T steps of B sequences, time-major: token t of sequence b is at [t·B + b],
	// and each target is the token that follows its input.
	const T, B = 16, 4
	inputs, targets := make([]int32, T*B), make([]int32, T*B)
	for t := range T {
		for b := range B {
			inputs[t*B+b] = int32((t + 3*b) % 8)
			targets[t*B+b] = int32((t + 3*b + 1) % 8)
		}
	}
	for step := range 30 {
		m.ResetState()                              // each batch starts from a zero state
		loss, err := tr.Step(inputs, targets, T, B) // forward, backward, clipping, Adam
		if err != nil {
			log.Fatal(err)
		}
		if step%10 == 0 {
			fmt.Printf("step %2d: loss %.1f\n", step, loss)
		}
	}
	// Output:
	// step  0: loss 2.1
	// step 10: loss 1.3
	// step 20: loss 0.2
}
