package main

import (
	"bytes"
	bin "encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/internal/tensorfile"
)

// The end-to-end tests of what gru train promises about runs, checkpoints and
// writes (docs/safety.md): one table per family of failure.

// trainInto runs gru train with the small test model into dir and fails the test
// unless it exits with code 0.
func trainInto(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	out, errOut, code := gruRun(t, append(append([]string{"train", "--checkpoint", dir}, small...), extra...)...)
	if code != 0 {
		t.Fatalf("train %v: code %d\n%s", extra, code, errOut)
	}
	return out
}

// readFile returns path's bytes, or nil when it cannot be read.
func readFile(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

// storedHistory returns the learning curve stored in the checkpoint in dir.
func storedHistory(t *testing.T, dir string) []epochRecord {
	t.Helper()
	ck, err := checkpoint.Load(checkpointPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	var h []epochRecord
	if err := json.Unmarshal([]byte(ck.Meta["history"]), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// Family: a diverged run. A non-finite loss stops the run with an error naming
// the epoch and step; the last good checkpoint is kept and resumes (with a lower
// --lr); a run whose loss is finite but whose perplexity overflows to +Inf
// finishes, draws its curve, and its history is stored and read back.
func TestDivergence(t *testing.T) {
	for _, c := range []struct {
		name    string
		first   []string // a good run first, or nil
		args    []string
		code    int
		want    []string
		kept    bool // the first run's checkpoint must be unchanged
		resumes []string
	}{
		{name: "NaN before any checkpoint", args: []string{"--epochs", "3", "--lr", "1e30", "--clip", "0"}, code: 1,
			want: []string{"diverged", "epoch 1, step ", "the loss is NaN", "No checkpoint had been written yet"}},
		{name: "NaN after a checkpoint", first: []string{"--epochs", "2"},
			args: []string{"--resume", "--epochs", "4", "--lr", "1e10", "--clip", "0"}, code: 1,
			want: []string{"diverged", "epoch 3, step ", "the loss is NaN", "at epoch 2, is kept", "--resume"}, kept: true,
			resumes: []string{"--resume", "--epochs", "3", "--lr", "0.5"}},
		{name: "perplexity +Inf, loss finite", args: []string{"--epochs", "3", "--lr", "1000", "--clip", "0"}, code: 0,
			resumes: []string{"--resume", "--epochs", "4", "--lr", "1000", "--clip", "0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if c.first != nil {
				trainInto(t, dir, c.first...)
			}
			before := readFile(checkpointPath(dir))
			out, errOut, code := gruRun(t, append(append([]string{"train", "--checkpoint", dir}, small...), c.args...)...)
			if code != c.code {
				t.Fatalf("code %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("a crash:\n%s", errOut)
			}
			if c.kept && !bytes.Equal(before, readFile(checkpointPath(dir))) {
				t.Error("the last good checkpoint changed")
			}
			if c.code == 1 && c.first == nil {
				if _, err := os.Stat(checkpointPath(dir)); err == nil {
					t.Error("a diverged run wrote a checkpoint")
				}
			}
			if c.code == 0 {
				h := storedHistory(t, dir)
				if last := h[len(h)-1]; !math.IsInf(last.Perplexity, 1) || math.IsInf(last.Loss, 0) {
					t.Errorf("last epoch %+v: the test wants a finite loss and an infinite perplexity; retune it", last)
				}
				if _, err := os.Stat(filepath.Join(dir, "curve.png")); err != nil {
					t.Errorf("no curve: %v\n%s", err, errOut)
				}
			}
			if c.resumes != nil {
				trainInto(t, dir, c.resumes...)
				if h := storedHistory(t, dir); len(h) == 0 {
					t.Error("no history after the resume")
				}
			}
		})
	}
}

// The learning curve's JSON keeps NaN and ±Inf (as strings) in plain and pointer
// fields, reads them back bit for bit, and writes finite records as encoding/json
// would.
func TestHistoryJSONNonFinite(t *testing.T) {
	v := 2.5
	inf := math.Inf(-1)
	for _, r := range []epochRecord{
		{Epoch: 1, Loss: 3.25, Perplexity: math.Exp(3.25), TokensPerS: 100},
		{Epoch: 2, Loss: math.NaN(), Perplexity: math.Inf(1), TokensPerS: 0},
		{Epoch: 3, Loss: 800, Perplexity: math.Inf(1), ValidLoss: &v, ValidPerplexity: &inf},
	} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		var back epochRecord
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		same := func(a, b float64) bool {
			return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
		}
		samePtr := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && same(*a, *b) }
		if back.Epoch != r.Epoch || !same(back.Loss, r.Loss) || !same(back.Perplexity, r.Perplexity) || !same(back.TokensPerS, r.TokensPerS) ||
			!samePtr(back.ValidLoss, r.ValidLoss) || !samePtr(back.ValidPerplexity, r.ValidPerplexity) {
			t.Errorf("%+v became %+v through %s", r, back, b)
		}
		if r.Epoch == 1 {
			type plain epochRecord // the same fields, encoding/json's own encoding
			want, _ := json.Marshal(plain(r))
			if !bytes.Equal(b, want) {
				t.Errorf("finite record: %s, encoding/json writes %s", b, want)
			}
		}
	}
}

// Family: silent overwrites. A directory that holds a run is refused without
// --resume; --overwrite moves the run aside and says where; a second live run is
// refused by the lock; a bad directory is refused at start, before any training.
func TestRunNeverReplaced(t *testing.T) {
	root := t.TempDir()
	notDir := filepath.Join(root, "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		first bool   // train a run into the directory first
		dir   string // the directory, when not a fresh one
		args  []string
		code  int
		want  string
	}{
		{name: "a run, no flag", first: true, args: []string{"--epochs", "1"}, code: 1, want: "holds a run"},
		{name: "a run, --overwrite", first: true, args: []string{"--epochs", "1", "--overwrite"}, code: 0, want: "is now in"},
		{name: "a run, --resume", first: true, args: []string{"--epochs", "3", "--resume"}, code: 0, want: "resumed from"},
		{name: "a finished run, --resume", first: true, args: []string{"--epochs", "2", "--resume"}, code: 0, want: "nothing to do"},
		{name: "--resume, no run", args: []string{"--epochs", "1", "--resume"}, code: 1, want: "holds no checkpoint"},
		{name: "--resume and --overwrite", first: true, args: []string{"--resume", "--overwrite"}, code: 2, want: "excludes --resume"},
		{name: "--overwrite without --checkpoint", dir: "-", args: []string{"--overwrite"}, code: 2, want: "needs --checkpoint"},
		{name: "not a directory", dir: notDir, args: []string{"--epochs", "1"}, code: 1, want: "not a directory"},
		{name: "cannot be created", dir: filepath.Join(notDir, "sub"), args: []string{"--epochs", "1"}, code: 1, want: "cannot create"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := c.dir
			if dir == "" {
				dir = filepath.Join(t.TempDir(), "run")
			}
			if c.first {
				trainInto(t, dir, "--epochs", "2")
			}
			before := readFile(checkpointPath(dir))
			args := append([]string{"train"}, small...)
			if dir != "-" {
				args = append(args, "--checkpoint", dir)
			}
			start := time.Now()
			out, errOut, code := gruRun(t, append(args, c.args...)...)
			if code != c.code || !strings.Contains(out+errOut, c.want) || strings.Contains(out, "NaN") {
				t.Fatalf("code %d (want %d), output lacks %q or has NaN:\n%s%s", code, c.code, c.want, out, errOut)
			}
			if code != 0 {
				if strings.Contains(out, "epoch") || time.Since(start) > 20*time.Second {
					t.Errorf("refused only after training (%v):\n%s", time.Since(start), out)
				}
				if c.first && !bytes.Equal(before, readFile(checkpointPath(dir))) {
					t.Error("a refused run changed the checkpoint")
				}
			}
			if c.name == "a run, --overwrite" {
				i := strings.Index(out, "is now in ")
				aside := strings.TrimSpace(strings.SplitN(out[i+len("is now in "):], "\n", 2)[0])
				if !bytes.Equal(before, readFile(filepath.Join(aside, "checkpoint.safetensors"))) {
					t.Errorf("%s does not hold the previous checkpoint", aside)
				}
				if h := storedHistory(t, dir); len(h) != 1 {
					t.Errorf("the new run's history has %d epochs, want 1", len(h))
				}
			}
		})
	}

	// A second run while one is live: the first is a long one, stopped (by its pid)
	// once the second has been refused; the lock goes with it.
	dir := filepath.Join(root, "live")
	first := exec.Command(binary, append(append([]string{"train", "--checkpoint", dir}, small...), "--epochs", "1000000")...)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	for deadline := time.Now().Add(60 * time.Second); len(readFile(filepath.Join(dir, lockName))) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first run took no lock within a minute")
		}
	}
	_, errOut, code := gruRun(t, append(append([]string{"train", "--checkpoint", dir}, small...), "--epochs", "1")...)
	if code != 1 || !strings.Contains(errOut, "is in use") || !strings.Contains(errOut, "process ") {
		t.Errorf("second run: code %d, want 1 with \"is in use\" and the first's pid:\n%s", code, errOut)
	}
	must(t, first.Process.Kill())
	first.Wait()
	trainInto(t, dir, "--epochs", "1", "--overwrite") // the lock went with the first run
}

// Family: checkpoint integrity. One flipped bit in the tensors or the metadata is
// refused by every command that loads the checkpoint, naming the file and changing
// nothing; a checkpoint written before checksums loads with a notice.
func TestCheckpointIntegrity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	trainInto(t, dir, "--epochs", "2")
	good := readFile(checkpointPath(dir))
	data := 8 + int(bin.LittleEndian.Uint64(good))
	epochAt := bytes.Index(good[:data], []byte(`"epoch":"2"`)) + len(`"epoch":"`)
	flipped := func(off int, bit byte) []byte {
		b := bytes.Clone(good)
		b[off] ^= bit
		return b
	}
	unsummed, err := tensorfile.WithoutChecksum(good) // as gogru wrote it before checksums
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		bytes []byte
		code  int
		want  string
	}{
		{"first tensor byte", flipped(data, 0x01), 1, "checksum mismatch"},
		{"last tensor byte", flipped(len(good)-1, 0x80), 1, "checksum mismatch"},
		{"the epoch in the metadata", flipped(epochAt, 0x01), 1, "checksum mismatch"},
		{"no checksum (older gogru)", unsummed, 0, "loaded unverified"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.bytes == nil || epochAt < len(`"epoch":"`) {
				t.Fatal("the test could not build its file")
			}
			d := filepath.Join(t.TempDir(), "run")
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			path := checkpointPath(d)
			if err := os.WriteFile(path, c.bytes, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"generate", "--checkpoint", d, "--n", "5"},
				{"info", "--checkpoint", d},
				append(append([]string{"train", "--checkpoint", d}, small...), "--resume", "--epochs", "2"),
			} {
				out, errOut, code := gruRun(t, args...)
				if code != c.code {
					t.Errorf("%s: code %d, want %d\n%s", args[0], code, c.code, errOut)
				}
				if c.code != 0 && (!strings.Contains(errOut, c.want) || !strings.Contains(errOut, path)) {
					t.Errorf("%s: stderr lacks %q and %s:\n%s", args[0], c.want, path, errOut)
				}
				if c.code == 0 && args[0] != "info" && !strings.Contains(errOut, c.want) {
					t.Errorf("%s: no notice %q:\n%s", args[0], c.want, errOut)
				}
				if c.code == 0 && args[0] == "info" && !strings.Contains(out, "no checksum") {
					t.Errorf("info does not say the checkpoint is unverified:\n%s", out)
				}
			}
			if c.code != 0 && !bytes.Equal(c.bytes, readFile(path)) {
				t.Error("a refused checkpoint was changed")
			}
		})
	}
}

// Family: resuming on another corpus. The same corpus resumes; another is refused
// unless --fine-tune asks for it; and even then characters outside the run's
// vocabulary are refused, never turned into <unk>.
func TestResumeChecksCorpus(t *testing.T) {
	root := t.TempDir()
	text := func(name, s string) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(strings.Repeat(s, 30)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := text("a.txt", "the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us ")
	b := text("b.txt", "the traveller was speaking of time to us and he was convincing in his manner as he spoke ")
	q := text("q.txt", "the quick brown fox jumps over the lazy dog ") // q, j, z, y: not in a's vocabulary
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"the same corpus", []string{"--data", a, "--resume"}, 0, "resumed from"},
		{"another corpus", []string{"--data", b, "--resume"}, 1, "trained on another corpus"},
		{"another corpus, --fine-tune", []string{"--data", b, "--fine-tune"}, 0, "fine-tuning on"},
		{"characters outside the vocabulary", []string{"--data", q, "--fine-tune"}, 1, "outside the run's vocabulary"},
		{"another --max-tokens", []string{"--data", a, "--resume", "--max-tokens", "500"}, 1, "another corpus"},
		{"a checkpoint from before corpus hashes", []string{"--data", b, "--resume"}, 0, "predates corpus hashes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			trainInto(t, dir, "--data", a, "--epochs", "1")
			if strings.Contains(c.name, "before corpus hashes") {
				rewriteMeta(t, checkpointPath(dir), checkpointPath(dir), func(meta map[string]string) {
					var o map[string]any
					must(t, json.Unmarshal([]byte(meta["options"]), &o))
					delete(o, "corpus_sha256")
					b, _ := json.Marshal(o)
					meta["options"] = string(b)
				})
			}
			before := readFile(checkpointPath(dir))
			out, errOut, code := gruRun(t, append(append([]string{"train", "--checkpoint", dir}, small...), append(c.args, "--epochs", "2")...)...)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Fatalf("code %d (want %d), output lacks %q:\n%s%s", code, c.code, c.want, out, errOut)
			}
			if code != 0 && !bytes.Equal(before, readFile(checkpointPath(dir))) {
				t.Error("a refused resume changed the checkpoint")
			}
			if c.name == "characters outside the vocabulary" {
				for _, r := range "qjzy" {
					if !strings.ContainsRune(errOut, r) {
						t.Errorf("the error does not show %q:\n%s", r, errOut)
					}
				}
			}
		})
	}
}

// Family: writes through symbolic links. A link (or other non-regular file) where
// train would write its curve or checkpoint is refused at start, and the file it
// points to is unchanged; bench --plot refuses one too.
func TestWritesNeverFollowLinks(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, dir, victim string) []string // makes the trap, returns extra flags
		cmd   string
		want  string
	}{
		{"curve.png a link", func(t *testing.T, dir, victim string) []string {
			must(t, os.Symlink(victim, filepath.Join(dir, "curve.png")))
			return nil
		}, "train", "symbolic link"},
		{"curve.png a dangling link", func(t *testing.T, dir, victim string) []string {
			must(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "curve.png")))
			return nil
		}, "train", "symbolic link"},
		{"--plot a link", func(t *testing.T, dir, victim string) []string {
			p := filepath.Join(filepath.Dir(dir), "plot.png")
			must(t, os.Symlink(victim, p))
			return []string{"--plot", p}
		}, "train", "symbolic link"},
		{"--plot a link, no --checkpoint", func(t *testing.T, dir, victim string) []string {
			p := filepath.Join(dir, "plot.png")
			must(t, os.Symlink(victim, p))
			return []string{"--plot", p, "--checkpoint", ""}
		}, "train", "symbolic link"},
		{"checkpoint a link", func(t *testing.T, dir, victim string) []string {
			must(t, os.Symlink(victim, checkpointPath(dir)))
			return []string{"--resume"}
		}, "train", "symbolic link"},
		{"curve.png a directory", func(t *testing.T, dir, victim string) []string {
			must(t, os.Mkdir(filepath.Join(dir, "curve.png"), 0o755))
			return nil
		}, "train", "not a regular file"},
		{"bench --plot a link", func(t *testing.T, dir, victim string) []string {
			p := filepath.Join(dir, "bench.png")
			must(t, os.Symlink(victim, p))
			return []string{"--plot", p}
		}, "bench", "symbolic link"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			victim := filepath.Join(root, "precious.txt")
			must(t, os.WriteFile(victim, []byte("precious"), 0o644))
			dir := filepath.Join(root, "run")
			must(t, os.MkdirAll(dir, 0o755))
			extra := c.setup(t, dir, victim)
			var args []string
			if c.cmd == "train" {
				args = append(append([]string{"train", "--checkpoint", dir, "--epochs", "1"}, small...), extra...)
			} else {
				args = append([]string{"bench", "--device", "cpu", "--shapes", "2x3x4x5", "--runs", "1"}, extra...)
			}
			out, errOut, code := gruRun(t, args...)
			if code != 1 || !strings.Contains(errOut, c.want) {
				t.Errorf("code %d (want 1), stderr lacks %q:\n%s%s", code, c.want, out, errOut)
			}
			if c.cmd == "train" && strings.Contains(out, "epoch") {
				t.Errorf("refused only after training:\n%s", out)
			}
			if b := readFile(victim); string(b) != "precious" {
				t.Errorf("the link's target became %q", b)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Family: malformed checkpoint metadata. A negative epoch, a history longer than
// the epochs, and other broken fields written by hand (with a valid checksum) are
// refused on resume with an error that names the file and the field.
func TestMalformedCheckpointMeta(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	trainInto(t, dir, "--epochs", "2")
	for _, c := range []struct {
		key, value, want string
	}{
		{"epoch", "-3", `bad epoch "-3"`},
		{"epoch", "two", `bad epoch "two"`},
		{"epoch", "99999999999999999999999", "bad epoch"},
		{"epoch", "1", "2 epochs recorded"},
		{"history", `[{"epoch":1,"loss":"lots"}]`, "bad history"},
		{"rng", "not base64!", "bad RNG state"},
		{"options", "{", "bad stored options"},
		{"vocab", `["<unk>"]`, "no usable vocabulary"},
	} {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "run")
			rewriteMeta(t, checkpointPath(dir), checkpointPath(d), func(meta map[string]string) { meta[c.key] = c.value })
			_, errOut, code := gruRun(t, append(append([]string{"train", "--checkpoint", d}, small...), "--resume", "--epochs", "4")...)
			if code != 1 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, checkpointPath(d)) {
				t.Errorf("code %d (want 1), stderr lacks %q or the file:\n%s", code, c.want, errOut)
			}
		})
	}
}

// rewriteMeta saves the checkpoint at src to dst with its metadata edited (and a
// valid checksum). The run's optimiser must be sgd, which has no state.
func rewriteMeta(t *testing.T, src, dst string, edit func(map[string]string)) {
	t.Helper()
	ck, err := checkpoint.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	be := cpu.New32()
	defer be.Close()
	m, err := lm.New(be, ck.Model, gru.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	must(t, ck.Restore(m, nil))
	edit(ck.Meta)
	must(t, checkpoint.Save(dst, m, nil, ck.Meta))
}
