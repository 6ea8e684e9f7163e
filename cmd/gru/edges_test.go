package main

import (
	"bufio"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
)

// A model far too large for any machine is refused before anything is allocated,
// with the estimate, the limit and the flags to change; a library caller gets a
// *lm.MemoryError from lm.New.
func TestTrainRefusesModelThatCannotFit(t *testing.T) {
	// --hidden 400000: about 4.8e11 parameters, terabytes in any precision.
	start := time.Now()
	_, errOut, code := gruRun(t, "train", "--data", "builtin", "--hidden", "400000", "--device", "cpu", "--epochs", "1")
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr %q", code, errOut)
	}
	for _, want := range []string{"--hidden 400000", "need about", "TiB", "available on", "lower --hidden"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "fatal error") {
		t.Errorf("a crash instead of an error:\n%s", errOut)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("refusing took %v: something was allocated first", d)
	}

	be := cpu.New32()
	defer be.Close()
	cfg := gru.Config{InputSize: 28, HiddenSize: 400000, Layers: 1}
	_, err := lm.New(be, lm.Config{Vocab: 28, GRU: cfg}, gru.NewRand(1))
	var me *lm.MemoryError
	if !errors.As(err, &me) || me.Need <= float64(me.Available) {
		t.Fatalf("lm.New: %v, want a *lm.MemoryError", err)
	}
}

// generate preprocesses --prefix as training did, says what it changed or
// dropped, never prints <unk>, and starts an empty prefix sensibly.
func TestGeneratePrefixEdges(t *testing.T) {
	ck := filepath.Join(t.TempDir(), "ck")
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "2", "--checkpoint", ck}, small...)...); code != 0 {
		t.Fatalf("train: code %d\n%s", code, errOut)
	}
	for _, c := range []struct {
		prefix, out, note string
	}{
		{"ZZ9 Plural Z Alpha!", "zz plural z alpha", `reads "zz plural z alpha"`},
		{"time traveller", "time traveller", ""},
		{"1234 !!", "", "starting from"},
	} {
		out, errOut, code := gruRun(t, "generate", "--checkpoint", ck, "--prefix", c.prefix, "--n", "40")
		if code != 0 {
			t.Fatalf("prefix %q: code %d\n%s", c.prefix, code, errOut)
		}
		if strings.Contains(out, "<unk>") || strings.Contains(out, "unk") {
			t.Errorf("prefix %q: output holds <unk>: %q", c.prefix, out)
		}
		if !strings.HasPrefix(out, c.out) || len(strings.TrimRight(out, "\n")) < len(c.out)+40 {
			t.Errorf("prefix %q: output %q does not start with %q followed by 40 characters", c.prefix, out, c.out)
		}
		if c.note == "" && errOut != "" || !strings.Contains(errOut, c.note) {
			t.Errorf("prefix %q: stderr %q, want a note containing %q", c.prefix, errOut, c.note)
		}
	}
}

// A long generation streams: the first characters arrive long before it ends.
func TestGenerateStreams(t *testing.T) {
	ck := filepath.Join(t.TempDir(), "ck")
	if _, errOut, code := gruRun(t, append([]string{"train", "--epochs", "1", "--checkpoint", ck}, small...)...); code != 0 {
		t.Fatalf("train: code %d\n%s", code, errOut)
	}
	cmd := exec.Command(binary, "generate", "--checkpoint", ck, "--n", "100000000")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	got := make(chan int, 1)
	go func() {
		buf := make([]byte, 1000)
		n, _ := bufio.NewReader(stdout).Read(buf)
		got <- n
	}()
	select {
	case n := <-got:
		if n == 0 {
			t.Fatal("no output")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no output within 10 s of a 100,000,000-character generation: not streamed")
	}
}
