package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru/lm"
)

// splitValid holds out the tail of ids for validation: the last round(f·len)
// ids, cut into sequential batches of --steps steps and at most --batch rows
// (fewer when the tail is short). f = 0 holds out nothing.
func splitValid(ids []int32, f float64, batch, steps int) (train []int32, valid []corpus.Batch, err error) {
	if f == 0 {
		return ids, nil, nil
	}
	k := int(math.Round(f * float64(len(ids))))
	if k < steps+1 {
		return nil, nil, usagef("--valid-fraction %v holds out %d of %d tokens, fewer than one sequence of --steps %d (+1)", f, k, len(ids), steps)
	}
	rows := min(batch, (k-1)/steps)
	if valid, err = corpus.SequentialBatches(ids[len(ids)-k:], rows, steps); err != nil {
		return nil, nil, err
	}
	return ids[:len(ids)-k], valid, nil
}

// scoreValid returns the mean cross-entropy over the validation batches, the
// state carried from batch to batch from zero, as the held-out text is read in
// order. It computes no gradient and changes no parameter; the model's state
// is reset afterwards.
func scoreValid(tr *lm.Trainer, m *lm.Model, batches []corpus.Batch) (float64, error) {
	m.ResetState()
	defer m.ResetState()
	var sum float64
	var n int
	for _, b := range batches {
		loss, err := tr.Loss(b.X, b.Y, b.T, b.B)
		if err != nil {
			return 0, fmt.Errorf("validation: %w", err)
		}
		sum += loss * float64(len(b.X))
		n += len(b.X)
	}
	return sum / float64(n), nil
}

// bestDir is where --keep best keeps the checkpoint of the best validation
// perplexity: DIR/best, itself a checkpoint directory (gru generate --checkpoint
// DIR/best reads it).
func bestDir(dir string) string { return filepath.Join(dir, "best") }

// keepBestPath is the checkpoint file --keep best writes, "" without it.
func keepBestPath(o *trainOptions) string {
	if o.Keep != "best" || o.Checkpoint == "" {
		return ""
	}
	return checkpointPath(bestDir(o.Checkpoint))
}

// bestSoFar is the lowest validation perplexity in history, +Inf when none.
func bestSoFar(history []epochRecord) float64 {
	best := math.Inf(1)
	for _, r := range history {
		if r.ValidPerplexity != nil && *r.ValidPerplexity < best {
			best = *r.ValidPerplexity
		}
	}
	return best
}

// reportValid prints the last and the best validation perplexity, and where
// --keep best kept the best.
func reportValid(w io.Writer, o *trainOptions, history []epochRecord) {
	last := history[len(history)-1]
	if last.ValidPerplexity == nil {
		return
	}
	bestEpoch, best := 0, bestSoFar(history)
	for _, r := range history {
		if r.ValidPerplexity != nil && *r.ValidPerplexity == best {
			bestEpoch = r.Epoch
			break
		}
	}
	line := fmt.Sprintf("validation: perplexity %.3f at the end, best %.3f at epoch %d", *last.ValidPerplexity, best, bestEpoch)
	if p := keepBestPath(o); p != "" {
		line += ", kept in " + filepath.Dir(p)
	}
	fmt.Fprintln(w, line)
}

// resumeValidation settles --valid-fraction on --resume: left out, it takes the
// run's; given, it must equal it, since the split decides which tokens the run
// trains on. --keep best then needs a run that held some out.
func (o *trainOptions) resumeValidation(saved trainOptions, path string) error {
	if err := adopt(o, path, "valid-fraction", &o.ValidFraction, saved.ValidFraction); err != nil {
		return err
	}
	if o.Keep == "best" && o.ValidFraction == 0 {
		return fmt.Errorf("%s: --keep best needs a validation split, and the run held out nothing (--valid-fraction 0)", path)
	}
	return nil
}
