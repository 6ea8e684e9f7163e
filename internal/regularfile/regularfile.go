// Package regularfile opens and reads only regular files, and reads them bounded.
// A FIFO, a device such as /dev/zero, a socket or a directory is refused at once:
// the file is looked at before it is opened, opened without blocking (so a FIFO
// with no writer cannot hang the open), and looked at again through the open
// descriptor, so a file swapped in between is refused too. A read never takes
// more than the size the file had when it was opened, nor more than a limit.
package regularfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gogru/gogru/internal/checked"
)

// ErrNotRegular is wrapped by the error for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError reports a file larger than a read's limit.
type TooLargeError struct {
	Path        string
	Size, Limit int64
}

// Error names the file, its size and the limit.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %s, more than the %s this read allows", e.Path, checked.Count(e.Size).Bytes(), checked.Count(e.Limit).Bytes())
}

// Open opens path for reading if it is a regular file (a symlink to one is
// followed), and returns it with its size at the time of opening. Anything else
// gives an error wrapping ErrNotRegular that says what the path is.
func Open(path string) (*os.File, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := regular(path, fi); err != nil {
		return nil, 0, err
	}
	f, err := openNonblocking(path)
	if err != nil {
		return nil, 0, err
	}
	fi2, err := f.Stat()
	if err == nil {
		err = regular(path, fi2)
	}
	if err == nil && !os.SameFile(fi, fi2) {
		err = fmt.Errorf("%s changed while it was opened", path)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi2.Size(), nil
}

// regular returns nil for a regular file and otherwise an error naming its kind.
func regular(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	kind := "a special file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: it is %s", ErrNotRegular, kind)}
}

// ReadAll reads the regular file at path whole. A file larger than limit bytes
// is refused with a *TooLargeError before anything is read; bytes appended while
// it is read are not taken.
func ReadAll(path string, limit int64) ([]byte, error) {
	f, size, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > limit {
		return nil, &TooLargeError{Path: path, Size: size, Limit: limit}
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%s: %w (it was %d bytes when opened)", path, err, size)
	}
	return b, nil
}
