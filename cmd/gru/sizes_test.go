package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// crashed reports whether stderr shows a Go crash instead of an error message.
func crashed(stderr string) bool {
	for _, s := range []string{"panic:", "goroutine ", "fatal error", "runtime error"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// negativeCount finds a negative figure quoted in parentheses or before "parameters":
// the sign of an overflowed estimate.
var negativeCount = regexp.MustCompile(`\(-\d|-\d+ parameters`)

// Every size flag of train, up to 2^63−1, is refused quickly with an error that
// quotes true (non-negative, unwrapped) figures, and nothing is allocated first.
func TestTrainRefusesHugeSizes(t *testing.T) {
	const max = "9223372036854775807"
	base := []string{"train", "--data", "builtin", "--device", "cpu", "--epochs", "1", "--sample-every", "0", "--progress", "log"}
	for _, c := range []struct {
		flag, value string
		want        string   // in stderr
		extra       []string // more flags
	}{
		{"--batch", "1000000000000000", "need about", nil},
		{"--batch", max, "need about", nil},
		{"--steps", max, "need about", nil},
		{"--steps", "4611686018427387904", "need about", nil},
		{"--steps", "20000", "too few for one batch", []string{"--batch", "1"}},
		{"--hidden", "1000000000000000", "3e+30 parameters", nil},
		{"--hidden", "4611686018427387904", "need about", nil},
		{"--hidden", max, "need about", nil},
		{"--layers", "10000000000", "need about", nil},
		{"--layers", max, "need about", nil},
		{"--embed", "1000000000000000", "need about", nil},
		{"--embed", max, "need about", nil},
		{"--hidden", "9223372036854775808", "invalid value", nil},
	} {
		t.Run(c.flag+"="+c.value, func(t *testing.T) {
			start := time.Now()
			_, errOut, code := gruRun(t, append(append(base, c.flag, c.value), c.extra...)...)
			d := time.Since(start)
			if code == 0 || crashed(errOut) {
				t.Fatalf("exit code %d, want a refusal; stderr:\n%s", code, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr %q lacks %q", errOut, c.want)
			}
			if c.want == "need about" && !strings.Contains(errOut, c.flag+" "+c.value) {
				t.Errorf("stderr %q does not quote %s %s", errOut, c.flag, c.value)
			}
			if negativeCount.MatchString(errOut) {
				t.Errorf("stderr quotes a negative figure: %q", errOut)
			}
			// A second on an idle machine; the bound is loose for a busy one, and
			// still far below what allocating or looping over the size would take.
			if d > 15*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
}

// bench makes train's memory check: a shape that cannot fit, up to 2^63−1 in any
// dimension, is refused before anything is allocated or timed.
func TestBenchRefusesShapesThatCannotFit(t *testing.T) {
	const max = "9223372036854775807"
	for _, c := range []struct {
		shapes string
		code   int
		want   string
	}{
		{"1x1x1x40000", 1, "need about"},
		{"100000000x100x28x256", 1, "need about"},
		{"8x4x4x8," + max + "x1x1x1", 1, "shape B=" + max + "/T=1/D=1/H=1"},
		{"1x" + max + "x1x1", 1, "need about"},
		{"1x1x" + max + "x1", 1, "need about"},
		{"1x1x1x" + max, 1, "need about"},
		{max + "x" + max + "x" + max + "x" + max, 1, "need about"},
		{"1x1x1x9223372036854775808", 2, "not a positive integer"},
	} {
		t.Run(c.shapes, func(t *testing.T) {
			start := time.Now()
			out, errOut, code := gruRun(t, "bench", "--device", "cpu", "--runs", "1", "--warmup", "0", "--shapes", c.shapes)
			if code != c.code || crashed(errOut) {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, c.code, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr %q lacks %q", errOut, c.want)
			}
			if strings.Contains(out, "B=8/T=4/D=4/H=8") {
				t.Errorf("a shape was timed before the refusal: %q", out)
			}
			if negativeCount.MatchString(errOut) {
				t.Errorf("stderr quotes a negative figure: %q", errOut)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
	if _, errOut, code := gruRun(t, "bench", "--device", "cpu", "--runs", max, "--shapes", "2x3x4x5"); code != 2 || !strings.Contains(errOut, "--runs must be from 1 to") {
		t.Errorf("--runs %s: code %d, %q", max, code, errOut)
	}
	// A shape that fits still runs.
	out, errOut, code := gruRun(t, "bench", "--device", "cpu", "--runs", "1", "--warmup", "0", "--shapes", "2x3x4x5", "--variant", "reset-after")
	if code != 0 || !strings.Contains(out, "B=2/T=3/D=4/H=5") {
		t.Errorf("a small shape: code %d\n%s\n%s", code, out, errOut)
	}
}
