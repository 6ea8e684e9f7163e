package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Non-finite or negative values of float flags are usage errors, and resuming a
// run that is already finished says so instead of printing NaN figures.
func TestFloatFlagsAndFinishedRuns(t *testing.T) {
	ck := filepath.Join(t.TempDir(), "ck")
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "1", "--checkpoint", ck}, small...)...); code != 0 {
		t.Fatalf("train: code %d\n%s", code, errOut)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"temperature NaN", []string{"generate", "--checkpoint", ck, "--temperature", "NaN"}, 2, "--temperature NaN"},
		{"temperature Inf", []string{"generate", "--checkpoint", ck, "--temperature", "Inf"}, 2, "--temperature +Inf"},
		{"temperature -Inf", []string{"generate", "--checkpoint", ck, "--temperature", "-Inf"}, 2, "--temperature -Inf"},
		{"temperature negative", []string{"generate", "--checkpoint", ck, "--temperature", "-0.5"}, 2, "--temperature -0.5"},
		{"n negative", []string{"generate", "--checkpoint", ck, "--n", "-1"}, 2, "--n -1"},
		{"lr Inf", append([]string{"train", "--lr", "Inf"}, small...), 2, "--lr +Inf"},
		{"lr NaN", append([]string{"train", "--lr", "NaN"}, small...), 2, "--lr NaN"},
		{"clip Inf", append([]string{"train", "--clip", "Inf"}, small...), 2, "--clip +Inf"},
		{"clip NaN", append([]string{"train", "--clip", "NaN"}, small...), 2, "--clip NaN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errOut, code := gruRun(t, c.args...)
			if code != c.code || crashed(errOut) || !strings.Contains(errOut, c.want) {
				t.Errorf("exit code %d (want %d), stderr %q; want it to contain %q", code, c.code, errOut, c.want)
			}
		})
	}
	// A finite temperature still samples.
	if out, errOut, code := gruRun(t, "generate", "--checkpoint", ck, "--temperature", "0.8", "--n", "20"); code != 0 || len(out) < 20 {
		t.Errorf("--temperature 0.8: code %d, %q, %q", code, out, errOut)
	}
	// Resuming the finished run (epoch 1 of --epochs 1) has nothing to do.
	out, errOut, code := gruRun(t, append([]string{"train", "--epochs", "1", "--checkpoint", ck, "--resume"}, small...)...)
	if code != 0 || !strings.Contains(out, "nothing to do") || strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
		t.Errorf("resuming a finished run: code %d\n%s\n%s", code, out, errOut)
	}
}
