package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Only regular files are read: --data and --checkpoint naming a FIFO with no
// writer, a device or a directory are refused at once, with what the path is; a
// large --data file is read only as far as --max-tokens needs.
func TestReadsAreBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	ckDir := filepath.Join(dir, "ck")
	os.Mkdir(ckDir, 0o755)
	if err := syscall.Mkfifo(filepath.Join(ckDir, "checkpoint.safetensors"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Sparse files that claim more than any read may take: 1 TiB and 2 GiB.
	huge, large := filepath.Join(dir, "huge.safetensors"), filepath.Join(dir, "large.txt")
	for _, f := range []struct {
		path string
		size int64
	}{{huge, 1 << 40}, {large, 2 << 30}} {
		if err := os.WriteFile(f.path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(f.path, f.size); err != nil {
			t.Skipf("no sparse files here: %v", err)
		}
	}
	train := []string{"train", "--device", "cpu", "--epochs", "1", "--hidden", "8", "--sample-every", "0", "--progress", "log"}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"train --data FIFO", append(train, "--data", fifo), "FIFO"},
		{"train --data /dev/zero", append(train, "--data", "/dev/zero"), "character device"},
		{"train --data /dev/urandom", append(train, "--data", "/dev/urandom", "--max-tokens", "0"), "character device"},
		{"train --data DIR", append(train, "--data", dir), "directory"},
		{"generate --checkpoint FIFO", []string{"generate", "--checkpoint", fifo}, "FIFO"},
		{"generate --checkpoint DIR/FIFO", []string{"generate", "--checkpoint", ckDir}, "FIFO"},
		{"generate --checkpoint /dev/zero", []string{"generate", "--checkpoint", "/dev/zero"}, "character device"},
		{"train --resume FIFO", append(train, "--data", "builtin", "--resume", "--checkpoint", ckDir), "regular file"},
		{"info --checkpoint FIFO", []string{"info", "--checkpoint", ckDir}, "FIFO"},
		{"generate --checkpoint 1 TiB", []string{"generate", "--checkpoint", huge}, "more than the"},
		{"train --data 2 GiB --max-tokens 0", append(train, "--data", large, "--max-tokens", "0"), "more than the 1.00 GiB read at most"},
		{"train --data 2 GiB of NULs", append(train, "--data", large, "--max-tokens", "100"), "NUL byte"},
		{"train --init-from FIFO", append(train, "--data", "builtin", "--init-from", fifo), "FIFO"},
		{"plot bench FIFO", []string{"plot", "bench", fifo, "-o", filepath.Join(dir, "c.png")}, "FIFO"},
		{"plot curve FIFO", []string{"plot", "curve", ckDir, "-o", filepath.Join(dir, "c.png")}, "FIFO"},
		{"export --checkpoint FIFO", []string{"export", "--checkpoint", ckDir, "--format", "pytorch", "--out", filepath.Join(dir, "w.safetensors")}, "FIFO"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, errOut, code := gruRun(t, c.args...)
			if code == 0 || crashed(errOut) || !strings.Contains(errOut, c.want) {
				t.Errorf("exit code %d, stderr %q; want a refusal saying %q", code, errOut, c.want)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}

	// 8 MiB of text, of which --max-tokens 500 keeps the first 500 tokens.
	big := filepath.Join(dir, "big.txt")
	line := "the time traveller for so it will be convenient to speak of him\n"
	if err := os.WriteFile(big, []byte(strings.Repeat(line, (8<<20)/len(line))), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := gruRun(t, append(train, "--data", big, "--max-tokens", "500", "--batch", "4", "--steps", "5")...)
	if code != 0 || !strings.Contains(out, "500 tokens") {
		t.Errorf("a large file with --max-tokens 500: code %d\n%s\n%s", code, out, errOut)
	}
}
