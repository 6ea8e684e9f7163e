package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru"
)

func exp(x float64) float64   { return math.Exp(x) }
func round(x float64) float64 { return math.Round(x*1000) / 1000 }

func runGenerate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("generate", "Continues --prefix with a checkpoint written by gru train.",
		`gru generate --checkpoint runs/tm --prefix "time traveller" --n 100 --temperature 0.8`, stderr)
	dir := fs.String("checkpoint", "", "checkpoint directory (or file) written by gru train")
	prefix := fs.String("prefix", "time traveller", "text to continue")
	n := fs.Int("n", 50, "characters to generate")
	temperature := fs.Float64("temperature", 0, "sampling temperature; 0 is greedy")
	seed := fs.Uint64("seed", 1, "seed for sampling")
	device := fs.String("device", "cpu", "cpu, cuda or auto")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("--checkpoint is required")
	}
	if *n < 0 || *temperature < 0 {
		return usagef("--n and --temperature must not be negative")
	}
	path := *dir
	if fi, err := statDir(path); err == nil && fi {
		path = checkpointPath(path)
	}
	ck, err := gru.LoadCheckpoint(path)
	if err != nil {
		return err
	}
	vocab, err := checkpointVocab(ck)
	if err != nil {
		return err
	}
	be, err := openBackend(*device, ck.DType.String(), io.Discard)
	if err != nil {
		return err
	}
	defer be.Close()
	m, err := gru.NewModel(be, ck.Model, gru.NewRand(1))
	if err != nil {
		return err
	}
	defer m.Close()
	if err := ck.Restore(m, nil); err != nil {
		return err
	}
	var rng *rand.Rand
	if *temperature > 0 {
		rng = gru.NewRand(*seed)
	}
	out, err := generate(m, vocab, *prefix, *n, *temperature, rng)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, out)
	return nil
}

// generate feeds prefix to the model and continues it by n tokens: greedy when
// temperature is 0, else sampled from softmax(logits/temperature). It returns the
// prefix and its continuation.
func generate(m *gru.Model, vocab *corpus.Vocab, prefix string, n int, temperature float64, rng *rand.Rand) (string, error) {
	ids := vocab.Encode(prefix)
	if len(ids) == 0 {
		ids = []int32{0}
	}
	m.ResetState()
	var logits []float64
	var err error
	for _, id := range ids {
		if logits, err = m.Next(id); err != nil {
			return "", err
		}
	}
	out := append([]int32(nil), ids...)
	for range n {
		id := pick(logits, temperature, rng)
		out = append(out, id)
		if logits, err = m.Next(id); err != nil {
			return "", err
		}
	}
	m.ResetState()
	return vocab.Decode(out)
}

// pick chooses the next token: the argmax, or a draw at the given temperature.
func pick(logits []float64, temperature float64, rng *rand.Rand) int32 {
	best := 0
	for i, v := range logits {
		if v > logits[best] {
			best = i
		}
	}
	if temperature == 0 || rng == nil {
		return int32(best)
	}
	var z float64
	p := make([]float64, len(logits))
	for i, v := range logits {
		p[i] = math.Exp((v - logits[best]) / temperature)
		z += p[i]
	}
	u := rng.Float64() * z
	for i, v := range p {
		if u -= v; u <= 0 {
			return int32(i)
		}
	}
	return int32(len(p) - 1)
}
