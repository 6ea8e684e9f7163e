// Package atomicfile writes files so that a crash leaves the old content or the new,
// never a torn mix, and so that no write follows a symbolic link.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes b to path through a temporary file in the same directory,
// fsyncs it and renames it over path, so a crash leaves either the old file or the
// new one, never a torn one. The directory is created when missing.
func WriteFile(path string, b []byte) error {
	return Write(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// Write is WriteFile for content produced by write. When write fails,
// the temporary file is removed and path is left as it was.
//
// A destination that exists and is not a regular file (a symbolic link, a
// directory, a device, a FIFO) is refused with an error naming it, before
// anything is written: writing through a link would change a file elsewhere, and
// replacing the link would silently drop what the user set up. Even a link made
// between that check and the rename is replaced itself, never followed, since the
// rename acts on the name. The new file has mode 0644 (a temporary file would
// otherwise keep os.CreateTemp's 0600).
func Write(path string, write func(io.Writer) error) (err error) {
	if err := CheckDestination(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// CheckDestination returns nil when path is missing or a regular file, so that
// Write may replace it, and otherwise an error naming path and what it is.
// Callers use it to refuse a bad destination before long work, not only at the
// write.
func CheckDestination(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("atomicfile: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return fmt.Errorf("atomicfile: %s is a symbolic link (to %s); gogru writes no file through a link: remove it or choose another path", path, target)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("atomicfile: %s exists and is not a regular file (%v); remove it or choose another path", path, fi.Mode().Type())
	}
	return nil
}
