package main

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestDropoutResumeExact trains 4 epochs straight and 2 + 2 with a resume that
// leaves the dropout flags out (so the run's are taken), with dropout between two
// layers and on an embedding: the losses and the checkpoints' tensors agree bit
// for bit, and differ from the run without dropout; generation runs from the
// checkpoint (evaluation never drops, which the library's tests check).
func TestDropoutResumeExact(t *testing.T) {
	common := []string{"--layers", "2", "--embed", "8"}
	straight, split, logs := trainStraightAndSplit(t, common, []string{"--dropout", "0.3", "--input-dropout", "0.1"})
	for i, l := range logs[:2] {
		if !strings.Contains(l, "dropout: 0.3 between layers, 0.1 on the input") {
			t.Errorf("run %d: no dropout line:\n%s", i, l)
		}
	}
	ha, oa, _ := readRun(t, checkpointPath(straight))
	hb, ob, _ := readRun(t, checkpointPath(split))
	if oa.Dropout != 0.3 || ob.Dropout != 0.3 || ob.InputDropout != 0.1 {
		t.Errorf("stored dropout %v/%v and %v/%v", oa.Dropout, oa.InputDropout, ob.Dropout, ob.InputDropout)
	}
	if len(ha) != 4 || len(hb) != 4 {
		t.Fatalf("histories of %d and %d epochs", len(ha), len(hb))
	}
	for i := range ha {
		if ha[i].Loss != hb[i].Loss {
			t.Errorf("epoch %d: loss %v straight, %v resumed", i+1, ha[i].Loss, hb[i].Loss)
		}
	}
	fa, _ := os.ReadFile(checkpointPath(straight))
	fb, _ := os.ReadFile(checkpointPath(split))
	if !slices.Equal(withoutHistory(fa), withoutHistory(fb)) {
		t.Error("final checkpoints differ in their tensors")
	}
	plain := t.TempDir()
	if _, errOut, code := gruRun(t, append(append([]string{"train", "--epochs", "1", "--checkpoint", plain}, common...), small...)...); code != 0 {
		t.Fatalf("train without dropout: %s", errOut)
	}
	hp, _, _ := readRun(t, checkpointPath(plain))
	if hp[0].Loss == ha[0].Loss {
		t.Errorf("epoch 1: loss %v with dropout and without", ha[0].Loss)
	}
	if out, errOut, code := gruRun(t, "generate", "--checkpoint", straight, "--n", "10"); code != 0 || len(strings.TrimSpace(out)) < 10 {
		t.Errorf("generate: code %d, %q %s", code, out, errOut)
	}
}

// TestDropoutFlagErrors checks that probabilities outside [0, 1) are usage
// errors naming the flag, and that a resume refuses a changed dropout.
func TestDropoutFlagErrors(t *testing.T) {
	for _, args := range [][]string{{"--dropout", "1"}, {"--dropout", "-0.2"}, {"--input-dropout", "1.5"}, {"--dropout", "NaN"}} {
		_, errOut, code := gruRun(t, append(append([]string{"train", "--epochs", "1"}, args...), small...)...)
		if code != 2 || !strings.Contains(errOut, args[0]) || !strings.Contains(errOut, "[0, 1)") {
			t.Errorf("%v: code %d, %s", args, code, errOut)
		}
	}
	ck := t.TempDir()
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "1", "--checkpoint", ck, "--layers", "2", "--dropout", "0.2"}, small...)...); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	_, errOut, code := gruRun(t, append([]string{"train", "--epochs", "2", "--checkpoint", ck, "--resume", "--layers", "2", "--dropout", "0.4"}, small...)...)
	if code == 0 || !strings.Contains(errOut, "the run used --dropout 0.2") {
		t.Errorf("resume with another --dropout: code %d, %s", code, errOut)
	}
}
