package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/lm"
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
	kernel := fs.String("kernel", "gemm", kernelUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("--checkpoint is required")
	}
	if *n < 0 {
		return usagef("--n %d: must not be negative", *n)
	}
	if !(*temperature >= 0) || math.IsInf(*temperature, 1) {
		return usagef("--temperature %v: must be 0 (greedy) or positive and finite", *temperature)
	}
	ck, vocab, err := loadCheckpoint(*dir, stderr)
	if err != nil {
		return err
	}
	be, err := openBackend(*device, ck.DType.String(), *kernel, 0, io.Discard)
	if err != nil {
		return err
	}
	defer be.Close()
	m, err := lm.New(be, ck.Model, gru.NewRand(1))
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
	ids, note := encodePrefix(vocab, *prefix, lettersOnly(ck))
	if note != "" {
		fmt.Fprintln(stderr, "generate: "+note)
	}
	w := bufio.NewWriter(stdout)
	if err := continueText(m, vocab, ids, *n, *temperature, rng, w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return w.Flush()
}

// lettersOnly reports whether the checkpoint's model was trained on D2L's
// letters-only, lower-case text (the default; --raw turns it off).
func lettersOnly(ck *checkpoint.Checkpoint) bool {
	saved, err := storedOptions(ck)
	if err != nil {
		return true
	}
	return !saved.Raw
}

// encodePrefix preprocesses prefix as training preprocessed its text, keeps the
// characters the vocabulary knows, and returns their ids with a note saying what
// was changed or dropped (empty when nothing was). An empty result starts from a
// space, or from the most frequent token when the vocabulary has no space.
func encodePrefix(vocab *corpus.Vocab, prefix string, lettersOnly bool) ([]int32, string) {
	var notes []string
	text := corpus.Preprocess(prefix, lettersOnly)
	if text != prefix {
		notes = append(notes, fmt.Sprintf("--prefix %q reads %q after training's preprocessing (letters only, lower case)", prefix, text))
	}
	var ids []int32
	var dropped []string
	for _, r := range text {
		id := vocab.Encode(string(r))[0]
		if id == 0 {
			dropped = append(dropped, string(r))
			continue
		}
		ids = append(ids, id)
	}
	if len(dropped) > 0 {
		notes = append(notes, fmt.Sprintf("dropped %q from the prefix: not in the model's vocabulary", strings.Join(dropped, "")))
	}
	if len(ids) == 0 {
		start := int32(1) // the most frequent token
		if id := vocab.Encode(" ")[0]; id != 0 {
			start = id
		}
		ids = []int32{start}
		notes = append(notes, fmt.Sprintf("the prefix is empty; starting from %q", vocab.Tokens[start]))
	}
	return ids, strings.Join(notes, "; ")
}

// generate feeds prefix to the model and continues it by n tokens (see
// continueText), returning the prefix's known characters and the continuation.
func generate(m *lm.Model, vocab *corpus.Vocab, prefix string, lettersOnly bool, n int, temperature float64, rng *rand.Rand) (string, error) {
	ids, _ := encodePrefix(vocab, prefix, lettersOnly)
	var b strings.Builder
	err := continueText(m, vocab, ids, n, temperature, rng, &b)
	return b.String(), err
}

// continueText feeds the prefix ids to the model and writes them, then continues
// by n tokens, writing each as it is produced: greedy when temperature is 0, else
// sampled from softmax(logits/temperature). The unknown token is never produced.
func continueText(m *lm.Model, vocab *corpus.Vocab, ids []int32, n int, temperature float64, rng *rand.Rand, w io.Writer) error {
	m.ResetState()
	defer m.ResetState()
	var logits []float64
	var err error
	for _, id := range ids {
		if logits, err = m.Next(id); err != nil {
			return err
		}
		if _, err := io.WriteString(w, vocab.Tokens[id]); err != nil {
			return err
		}
	}
	flusher, _ := w.(interface{ Flush() error })
	for i := range n {
		logits[0] = math.Inf(-1) // never <unk>
		id := pick(logits, temperature, rng)
		if _, err := io.WriteString(w, vocab.Tokens[id]); err != nil {
			return err
		}
		if flusher != nil && i%256 == 255 {
			if err := flusher.Flush(); err != nil {
				return err
			}
		}
		if i < n-1 {
			if logits, err = m.Next(id); err != nil {
				return err
			}
		}
	}
	return nil
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
