package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru/checkpoint"
)

// readRun loads a checkpoint's history, stored options and epoch.
func readRun(t *testing.T, path string) ([]epochRecord, trainOptions, int) {
	t.Helper()
	ck, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var h []epochRecord
	if err := json.Unmarshal([]byte(ck.Meta["history"]), &h); err != nil {
		t.Fatal(err)
	}
	o, err := storedOptions(ck)
	if err != nil {
		t.Fatal(err)
	}
	epoch, err := strconv.Atoi(ck.Meta["epoch"])
	if err != nil {
		t.Fatal(err)
	}
	return h, o, epoch
}

// trainStraightAndSplit trains 4 epochs straight into one directory, and 2 then
// 2 more with --resume into another, checkpointing every epoch; every run gets
// the flags common, and the runs that start afresh fresh too. It returns the two
// directories and each run's stdout and stderr.
func trainStraightAndSplit(t *testing.T, common, fresh []string) (straight, split string, logs []string) {
	t.Helper()
	straight, split = t.TempDir(), t.TempDir()
	for _, c := range []struct {
		dir    string
		epochs string
		resume bool
	}{{straight, "4", false}, {split, "2", false}, {split, "4", true}} {
		args := append(append([]string{"train", "--epochs", c.epochs, "--checkpoint", c.dir, "--checkpoint-every", "1"}, common...), small...)
		if c.resume {
			args = append(args, "--resume")
		} else {
			args = append(args, fresh...)
		}
		out, errOut, code := gruRun(t, args...)
		if code != 0 {
			t.Fatalf("train %v: code %d\n%s\n%s", args, code, out, errOut)
		}
		logs = append(logs, out+errOut)
	}
	return straight, split, logs
}

// TestResumeExactWithSchedulesAndValidation trains 4 epochs straight and 2 + 2
// with a resume that gives none of the optimiser's flags (so the run's are
// taken), for SGD momentum with weight decay and a step schedule, and AdamW
// resumed in the middle of its warm-up, holding out a tenth of the corpus and keeping
// the best checkpoint; the checkpoints' tensors (optimiser state included), the
// losses and the validation losses must agree bit for bit, and DIR/best must be
// the epoch of the lowest validation perplexity.
func TestResumeExactWithSchedulesAndValidation(t *testing.T) {
	for _, flags := range [][]string{
		{"--optimizer", "momentum", "--lr", "0.5", "--weight-decay", "0.001", "--lr-schedule", "step", "--lr-step", "20", "--lr-gamma", "0.5", "--warmup", "5"},
		{"--optimizer", "adamw", "--lr", "0.01", "--warmup", "100"}, // the resume falls in the warm-up
	} {
		t.Run(flags[1], func(t *testing.T) {
			fresh := append([]string{"--valid-fraction", "0.1"}, flags...) // the resume takes the run's
			straight, split, logs := trainStraightAndSplit(t, []string{"--keep", "best"}, fresh)
			for _, l := range logs {
				if !strings.Contains(l, "valid_perplexity=") || !strings.Contains(l, "validation: perplexity") {
					t.Errorf("no validation perplexity logged:\n%s", l)
				}
			}
			ha, oa, _ := readRun(t, checkpointPath(straight))
			hb, ob, _ := readRun(t, checkpointPath(split))
			if len(ha) != 4 || len(hb) != 4 {
				t.Fatalf("histories of %d and %d epochs", len(ha), len(hb))
			}
			best, bestEpoch := math.Inf(1), 0
			for i := range ha {
				if ha[i].ValidLoss == nil || hb[i].ValidLoss == nil || ha[i].ValidPerplexity == nil {
					t.Fatalf("epoch %d: no validation loss stored", i+1)
				}
				if ha[i].Loss != hb[i].Loss || *ha[i].ValidLoss != *hb[i].ValidLoss {
					t.Errorf("epoch %d: loss %v, validation %v straight; %v, %v resumed",
						i+1, ha[i].Loss, *ha[i].ValidLoss, hb[i].Loss, *hb[i].ValidLoss)
				}
				if *ha[i].ValidPerplexity < best {
					best, bestEpoch = *ha[i].ValidPerplexity, ha[i].Epoch
				}
			}
			if oa.Optimizer != flags[1] || oa.LRSchedule != ob.LRSchedule || oa.Warmup != ob.Warmup || oa.LRTotal != ob.LRTotal ||
				oa.ValidFraction != 0.1 || ob.ValidFraction != 0.1 {
				t.Errorf("stored options differ: %+v and %+v", oa, ob)
			}
			for _, dir := range []string{"", "best"} {
				fa, err1 := os.ReadFile(checkpointPath(filepath.Join(straight, dir)))
				fb, err2 := os.ReadFile(checkpointPath(filepath.Join(split, dir)))
				if err1 != nil || err2 != nil {
					t.Fatalf("%v %v", err1, err2)
				}
				if !slices.Equal(withoutHistory(fa), withoutHistory(fb)) {
					t.Errorf("checkpoints %q differ in their tensors", dir)
				}
			}
			if _, _, e := readRun(t, checkpointPath(bestDir(straight))); e != bestEpoch {
				t.Errorf("DIR/best holds epoch %d; the best validation perplexity was at epoch %d", e, bestEpoch)
			}
		})
	}
}

// TestOptimizerFlagErrors checks that contradictory optimiser, schedule and
// validation flags are refused as usage errors naming the flag, and that a resume
// refuses a changed schedule.
func TestOptimizerFlagErrors(t *testing.T) {
	ck := t.TempDir()
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "1", "--checkpoint", ck, "--lr-schedule", "cosine"}, small...)...); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown optimizer", []string{"--optimizer", "rmsprop"}, 2, "--optimizer"},
		{"momentum with sgd", []string{"--momentum", "0.5"}, 2, "--momentum is for --optimizer momentum"},
		{"momentum of 1", []string{"--optimizer", "momentum", "--momentum", "1"}, 2, "--momentum"},
		{"adam with weight decay", []string{"--optimizer", "adam", "--weight-decay", "0.1"}, 2, "adamw"},
		{"negative weight decay", []string{"--weight-decay", "-1"}, 2, "--weight-decay"},
		{"unknown schedule", []string{"--lr-schedule", "linear"}, 2, "--lr-schedule"},
		{"step without --lr-step", []string{"--lr-schedule", "step"}, 2, "--lr-step"},
		{"--lr-gamma without step", []string{"--lr-gamma", "0.5"}, 2, "--lr-schedule step"},
		{"negative warm-up", []string{"--warmup", "-1"}, 2, "--warmup"},
		{"warm-up past the cosine", []string{"--lr-schedule", "cosine", "--warmup", "100000", "--epochs", "1"}, 2, "--warmup"},
		{"valid fraction of 1", []string{"--valid-fraction", "1"}, 2, "--valid-fraction"},
		{"a tiny validation split", []string{"--valid-fraction", "0.001"}, 2, "fewer than one sequence"},
		{"keep best without validation", []string{"--keep", "best", "--checkpoint", t.TempDir()}, 2, "--valid-fraction"},
		{"unknown keep", []string{"--keep", "all"}, 2, "--keep"},
		{"resume with another schedule", []string{"--resume", "--checkpoint", ck, "--epochs", "2", "--lr-schedule", "constant"}, 1, "--lr-schedule cosine"},
		{"resume lengthening a cosine", []string{"--resume", "--checkpoint", ck, "--epochs", "2"}, 1, "cosine schedule spans"},
		{"resume with another optimizer", []string{"--resume", "--checkpoint", ck, "--epochs", "1", "--optimizer", "adamw"}, 1, "--optimizer sgd"},
		{"resume with another validation split", []string{"--resume", "--checkpoint", ck, "--epochs", "1", "--valid-fraction", "0.1"}, 1, "--valid-fraction 0"},
		{"resume keeping the best of a run without validation", []string{"--resume", "--checkpoint", ck, "--epochs", "1", "--keep", "best"}, 1, "held out nothing"},
	} {
		args := append(append([]string{"train"}, small...), c.args...)
		_, errOut, code := gruRun(t, args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: code %d, want %d with %q:\n%s", c.name, code, c.code, c.want, errOut)
		}
	}
}

// TestValidationLeavesTrainingAlone trains with a tenth of 3000 tokens held out,
// and without validation on the first 2700 tokens, and requires the same training
// losses bit for bit: scoring the held-out tail touches no parameter, optimiser
// state or RNG.
func TestValidationLeavesTrainingAlone(t *testing.T) {
	with, without := t.TempDir(), t.TempDir()
	base := []string{"train", "--epochs", "2", "--optimizer", "adamw", "--lr-schedule", "cosine", "--warmup", "3"}
	for _, c := range []struct {
		dir  string
		args []string
	}{{with, []string{"--max-tokens", "3000", "--valid-fraction", "0.1"}}, {without, []string{"--max-tokens", "2700"}}} {
		args := append(append(append(append([]string{}, base...), small...), c.args...), "--checkpoint", c.dir)
		if out, errOut, code := gruRun(t, args...); code != 0 {
			t.Fatalf("train %v: code %d\n%s\n%s", args, code, out, errOut)
		}
	}
	ha, _, _ := readRun(t, checkpointPath(with))
	hb, _, _ := readRun(t, checkpointPath(without))
	if len(ha) != 2 || len(hb) != 2 {
		t.Fatalf("histories of %d and %d epochs", len(ha), len(hb))
	}
	for i := range ha {
		if ha[i].Loss != hb[i].Loss || ha[i].ValidLoss == nil || hb[i].ValidLoss != nil {
			t.Errorf("epoch %d: loss %v with validation (%v), %v without (%v)", i+1, ha[i].Loss, ha[i].ValidLoss, hb[i].Loss, hb[i].ValidLoss)
		}
	}
}
