package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gogru/gogru/internal/checked"
	"github.com/gogru/gogru/internal/regularfile"
)

// MaxFileBytes is the most ReadFile reads of a file: 1 GiB. The text, its
// preprocessed copy and its token ids take about six times that in memory.
const MaxFileBytes = 1 << 30

// WholeFileBytes is the size up to which ReadFile reads a file whole whatever
// maxTokens asks: reading it costs milliseconds, and the vocabulary then covers
// the whole text, as D2L's does.
const WholeFileBytes = 4 << 20

// chunkBytes is how much ReadFile reads at a time when it may stop early.
const chunkBytes = 64 << 10

// ReadFile reads and validates the text file at path. Only a regular file is
// read: a FIFO, a device or a directory is refused at once. A file up to
// WholeFileBytes, or any file when maxTokens is 0, is read whole; a larger one is
// read only until it holds maxTokens tokens after Preprocess(·, lettersOnly), so
// the first maxTokens tokens of the result are those of the whole file. A read
// that would pass MaxFileBytes is refused.
func ReadFile(path string, maxTokens int, lettersOnly bool) (string, error) {
	f, size, err := regularfile.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("corpus: %s: no such file", path)
		}
		return "", fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	var b []byte
	if maxTokens <= 0 || size <= WholeFileBytes {
		if size > MaxFileBytes {
			return "", fmt.Errorf("corpus: %s is %s, more than the %s read at most; keep fewer tokens (a positive maxTokens) to read only its start",
				path, checked.Count(size).Bytes(), checked.Count(MaxFileBytes).Bytes())
		}
		b = make([]byte, size)
		_, err = io.ReadFull(f, b)
	} else {
		b, err = readTokens(io.LimitReader(f, size), maxTokens, lettersOnly)
	}
	if err != nil {
		return "", fmt.Errorf("corpus: %s: %w", path, err)
	}
	if err := Validate(path, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// readTokens reads r until what it has read holds maxTokens tokens after
// Preprocess, or to its end, and returns whole characters. It refuses to read
// more than MaxFileBytes, and stops at the first NUL byte: that is no text.
func readTokens(r io.Reader, maxTokens int, lettersOnly bool) ([]byte, error) {
	var chunks [][]byte // joined once at the end: growing one slice would copy it again and again
	var tc tokenCounter
	tc.lettersOnly = lettersOnly
	read, eof := 0, false
	for tc.n < maxTokens && !eof {
		if read >= MaxFileBytes {
			return nil, fmt.Errorf("%s read without reaching %d tokens, and %s is the most read", checked.Count(read).Bytes(), maxTokens, checked.Count(MaxFileBytes).Bytes())
		}
		c := make([]byte, chunkBytes)
		n, err := io.ReadFull(r, c)
		c = c[:n]
		if i := bytes.IndexByte(c, 0); i >= 0 {
			return nil, fmt.Errorf("not text: NUL byte at offset %d", read+i)
		}
		tc.count(c)
		chunks = append(chunks, c)
		read += n
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			eof = true
		case err != nil:
			return nil, err
		}
	}
	b := bytes.Join(chunks, nil)
	if eof {
		return b, nil
	}
	// Stopped early: drop a character cut by the chunk's end.
	for i := len(b) - 1; i >= 0 && i >= len(b)-4; i-- {
		if c := b[i]; c < 0x80 {
			break
		} else if c >= 0xC0 { // the first byte of an encoded character
			if need := utf8Len(c); len(b)-i < need {
				b = b[:i]
			}
			break
		}
	}
	return b, nil
}

// utf8Len is the length of the UTF-8 encoding that starts with byte c (≥ 0xC0).
func utf8Len(c byte) int {
	switch {
	case c >= 0xF0:
		return 4
	case c >= 0xE0:
		return 3
	}
	return 2
}

// tokenCounter counts, byte by byte, the tokens (characters) Preprocess makes of
// the text fed to it so far: with lettersOnly, the ASCII letters of each line and
// one space for each run of other characters between two of them; without, every
// character.
type tokenCounter struct {
	lettersOnly bool
	n           int  // tokens so far
	letters     bool // the current line has a letter
	space       bool // other characters followed the line's last letter
}

// count feeds b to the counter.
func (tc *tokenCounter) count(b []byte) {
	for _, c := range b {
		switch {
		case !tc.lettersOnly:
			if c&0xC0 != 0x80 { // not a continuation byte: a character starts
				tc.n++
			}
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			if tc.space && tc.letters {
				tc.n++
			}
			tc.n++
			tc.letters, tc.space = true, false
		case c == '\n':
			tc.letters, tc.space = false, false
		default:
			tc.space = true
		}
	}
}
