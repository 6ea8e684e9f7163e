package sysmem

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMemAvailableParsesMeminfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meminfo")
	body := "MemTotal:       24604292 kB\nMemFree:         1000000 kB\nMemAvailable:   20971520 kB\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := memAvailable(path)
	if err != nil || got != 20971520<<10 {
		t.Fatalf("memAvailable = %d, %v; want %d", got, err, int64(20971520)<<10)
	}
	if err := os.WriteFile(path, []byte("MemTotal: 1 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := memAvailable(path); err != ErrUnknown {
		t.Fatalf("no MemAvailable line: err = %v, want ErrUnknown", err)
	}
}

func TestAvailableOnThisMachine(t *testing.T) {
	got, err := Available()
	if err == ErrUnknown {
		t.Skip("no /proc/meminfo here; runs on Linux")
	}
	if err != nil || got <= 0 {
		t.Fatalf("Available = %d, %v", got, err)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {512, "512 B"}, {1023, "1023 B"}, {1024, "1.00 KiB"}, {1536, "1.50 KiB"}, {1610612736, "1.50 GiB"}, {3 << 30, "3.00 GiB"}, {3 << 40, "3.00 TiB"}} {
		if got := Format(c.n); got != c.want {
			t.Errorf("Format(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
