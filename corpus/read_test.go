package corpus

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// The counter agrees with Preprocess on every prefix of seeded random texts that
// mix letters, punctuation, newlines and multi-byte characters.
func TestTokenCounterMatchesPreprocess(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "Z", "q", " ", "  ", "\n", "\n\n", ",", "é", "日本", "!?", "\r\n", "x"}
	for trial := range 200 {
		var b strings.Builder
		for range rng.IntN(60) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		text := b.String()
		for _, letters := range []bool{true, false} {
			var tc tokenCounter
			tc.lettersOnly = letters
			for i := 0; i <= len(text); i++ {
				if i > 0 {
					tc.count([]byte{text[i-1]})
				}
				if !utf8.ValidString(text[:i]) {
					continue
				}
				if want := utf8.RuneCountInString(Preprocess(text[:i], letters)); tc.n != want {
					t.Fatalf("trial %d, lettersOnly %v, prefix %q: counted %d, Preprocess gives %d", trial, letters, text[:i], tc.n, want)
				}
			}
		}
	}
}

// A large file is read only as far as maxTokens needs, the tokens kept are those
// of the whole file, and a small file is read whole.
func TestReadFileStopsEarly(t *testing.T) {
	dir := t.TempDir()
	line := "The Time Traveller (for so it will be convenient to speak of him) — é\n"
	big := strings.Repeat(line, WholeFileBytes/len(line)+1000)
	path := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		maxTokens int
		letters   bool
		whole     bool
	}{{10000, true, false}, {10000, false, false}, {1, true, false}, {0, true, true}, {math.MaxInt, true, true}} {
		got, err := ReadFile(path, c.maxTokens, c.letters)
		if err != nil {
			t.Fatal(err)
		}
		if c.whole != (len(got) == len(big)) {
			t.Errorf("maxTokens %d: read %d of %d bytes", c.maxTokens, len(got), len(big))
		}
		if !c.whole && len(got) > 2*chunkBytes {
			t.Errorf("maxTokens %d: read %d bytes, more than needed", c.maxTokens, len(got))
		}
		if !utf8.ValidString(got) {
			t.Errorf("maxTokens %d: cut inside a character", c.maxTokens)
		}
		n := min(c.maxTokens, 1<<20)
		if c.maxTokens == 0 {
			n = 1 << 20
		}
		have, all := Preprocess(got, c.letters), Preprocess(big, c.letters)
		if utf8.RuneCountInString(have) < min(n, utf8.RuneCountInString(all)) || !strings.HasPrefix(all, have) {
			t.Errorf("maxTokens %d: the text read is not the start of the file's tokens", c.maxTokens)
		}
	}
	small := filepath.Join(dir, "small.txt")
	os.WriteFile(small, []byte(line), 0o644)
	if got, err := ReadFile(small, 3, true); err != nil || got != line {
		t.Errorf("a small file is read whole: %q, %v", got, err)
	}
}

// Only regular files are read: a FIFO with no writer, a device and a directory are
// refused at once, with what they are.
func TestReadFileRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink("/dev/zero", link)
	for _, c := range []struct{ path, want string }{
		{fifo, "FIFO"}, {"/dev/zero", "character device"}, {"/dev/null", "character device"},
		{link, "character device"}, {dir, "directory"}, {filepath.Join(dir, "absent"), "no such file"},
	} {
		for _, maxTokens := range []int{0, 10} {
			start := time.Now()
			_, err := ReadFile(c.path, maxTokens, true)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
				t.Errorf("%s: %v, want an error naming it and saying %q", c.path, err, c.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: refusing took %v", c.path, d)
			}
		}
	}
}
