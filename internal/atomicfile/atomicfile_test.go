package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDestinations writes over every kind of destination: a missing file and a
// regular file are replaced; a symbolic link (to a file, to nothing, to a
// directory), a directory and a FIFO are refused with an error naming the path,
// and neither the link nor its target changes.
func TestDestinations(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	mk := map[string]func(p string) error{
		"missing":              func(string) error { return nil },
		"regular":              func(p string) error { return os.WriteFile(p, []byte("old"), 0o600) },
		"link to a file":       func(p string) error { return os.Symlink(target, p) },
		"dangling link":        func(p string) error { return os.Symlink(filepath.Join(dir, "nowhere"), p) },
		"link to a directory":  func(p string) error { return os.Symlink(dir, p) },
		"directory":            func(p string) error { return os.Mkdir(p, 0o755) },
		"fifo":                 func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"missing, parent made": func(string) error { return nil },
	}
	for _, c := range []struct {
		kind, want string
	}{
		{"missing", ""}, {"regular", ""}, {"missing, parent made", ""},
		{"link to a file", "symbolic link"}, {"dangling link", "symbolic link"}, {"link to a directory", "symbolic link"},
		{"directory", "not a regular file"}, {"fifo", "not a regular file"},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(c.kind, " ", "_"), "out.png")
		if c.kind == "missing, parent made" {
			p = filepath.Join(dir, "a", "b", "out.png")
		} else if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := mk[c.kind](p); err != nil {
			t.Fatal(err)
		}
		before, _ := os.Lstat(p)
		err := WriteFile(p, []byte("new"))
		if c.want == "" {
			b, rerr := os.ReadFile(p)
			fi, _ := os.Stat(p)
			if err != nil || rerr != nil || string(b) != "new" || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: %v, %v, content %q, mode %v; want it written with mode 0644", c.kind, err, rerr, b, fi.Mode())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s with %q", c.kind, err, p, c.want)
		}
		if after, _ := os.Lstat(p); after == nil || after.Mode() != before.Mode() {
			t.Errorf("%s: the destination changed", c.kind)
		}
		if entries, _ := os.ReadDir(filepath.Dir(p)); len(entries) != 1 {
			t.Errorf("%s: left %d entries, want only the destination", c.kind, len(entries))
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Errorf("a link's target became %q", b)
	}
}

// A write that fails half-way leaves the old content and no temporary file.
func TestFailedWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ck.safetensors")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := Write(p, func(w io.Writer) error {
		if _, err := w.Write([]byte("half of the new")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Write returned %v, want the writer's error", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("the destination holds %q after a failed write, want %q", b, "old")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed write left %d entries, want only the destination", len(entries))
	}
}
