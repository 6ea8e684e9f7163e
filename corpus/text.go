package corpus

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Validate checks that b is usable text: not empty, valid UTF-8 and free of NUL
// bytes, so binary files are refused with a clear message.
func Validate(name string, b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return fmt.Errorf("corpus: %s is empty", name)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return fmt.Errorf("corpus: %s is not text: NUL byte at offset %d", name, i)
	}
	if !utf8.Valid(b) {
		return fmt.Errorf("corpus: %s is not valid UTF-8 text", name)
	}
	return nil
}

// Preprocess applies D2L's read_time_machine to every line: runs of characters
// other than A–Z and a–z become one space, the line is trimmed and lower-cased.
// The lines are then concatenated without separators, as D2L's corpus is.
// With lettersOnly false the text is kept as it is.
func Preprocess(text string, lettersOnly bool) string {
	if !lettersOnly {
		return text
	}
	var out strings.Builder
	for _, line := range strings.Split(text, "\n") {
		var b strings.Builder
		space := false
		for _, r := range line {
			if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				b.WriteRune(r)
			} else {
				space = true
			}
		}
		out.WriteString(strings.ToLower(b.String()))
	}
	return out.String()
}
