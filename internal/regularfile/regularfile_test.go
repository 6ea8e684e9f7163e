package regularfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadAll(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	os.WriteFile(path, []byte("hello"), 0o644)
	if b, err := ReadAll(path, 5); err != nil || string(b) != "hello" {
		t.Errorf("ReadAll at the limit: %q, %v", b, err)
	}
	var tl *TooLargeError
	if _, err := ReadAll(path, 4); !errors.As(err, &tl) || tl.Size != 5 || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadAll over the limit: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for _, c := range []struct{ path, want string }{
		{fifo, "FIFO"}, {"/dev/zero", "character device"}, {"/dev/urandom", "character device"}, {dir, "directory"},
	} {
		start := time.Now()
		_, err := ReadAll(c.path, 1<<40)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrNotRegular saying %q", c.path, err, c.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: refusing took %v", c.path, d)
		}
	}
	// Opening without blocking: a FIFO that appears only at the descriptor (as if
	// swapped in after the first look) must not hang either; Open on it returns
	// at once because the open itself does not wait for a writer.
	done := make(chan error, 1)
	go func() {
		f, err := openNonblocking(fifo)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("non-blocking open of a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a FIFO with no writer blocked")
	}
}
