package main

import (
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	"github.com/gogru/gogru/gru/checkpoint"
)

// TestD2LRecipeLearns runs D2L's recipe (all defaults: reset-before, hidden 256,
// batch 32, 35 steps, SGD lr 1, clip 1, 10000 tokens) on The Time Machine for 40
// epochs instead of 500, and requires perplexity to fall from about 25 to below 13.
// (The full run reaches about 1.1; see BENCHMARKS.md.)
func TestD2LRecipeLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("a 40-epoch training run; skipped with -short (run go test without -short to run it)")
	}
	data := timeMachine(t)
	var o trainOptions
	dir := t.TempDir()
	if err := parse(trainFlags(&o, io.Discard), []string{"--data", data, "--epochs", "40", "--device", "cpu",
		"--checkpoint", dir, "--checkpoint-every", "40", "--sample-every", "0", "--progress", "log", "--log-every", "1000"}); err != nil {
		t.Fatal(err)
	}
	if err := train(&o, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(filepath.Join(dir, "checkpoint.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	var h []epochRecord
	if err := json.Unmarshal([]byte(ck.Meta["history"]), &h); err != nil {
		t.Fatal(err)
	}
	first, last := h[0].Perplexity, h[len(h)-1].Perplexity
	t.Logf("perplexity %.2f at epoch 1, %.2f at epoch %d", first, last, len(h))
	if !(first > 20) || !(last < 13) {
		t.Errorf("perplexity %.2f at epoch 1 and %.2f at epoch 40; want above 20, then below 13", first, last)
	}
}
