// Package sysmem reports how much memory this machine can still give a process,
// for refusing work that cannot fit before it is attempted.
package sysmem

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gogru/gogru/internal/checked"
)

// ErrUnknown is returned where the platform gives no figure.
var ErrUnknown = errors.New("sysmem: available memory unknown on this platform")

// Available returns the bytes the kernel estimates a process can still allocate
// without swapping (Linux's MemAvailable, capped by a cgroup v2 memory.max when
// one is set), or ErrUnknown.
func Available() (int64, error) {
	avail, err := memAvailable("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	if limit, used, ok := cgroupLimit(); ok && limit-used < avail {
		avail = max(limit-used, 0)
	}
	return avail, nil
}

// memAvailable reads the MemAvailable line of a meminfo file.
func memAvailable(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, ErrUnknown
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("sysmem: %s: %q: %w", path, sc.Text(), err)
			}
			return kb << 10, nil
		}
	}
	return 0, ErrUnknown
}

// cgroupLimit returns the cgroup v2 memory limit and current use of this process's
// cgroup, when it has a finite one.
func cgroupLimit() (limit, used int64, ok bool) {
	read := func(name string) (int64, bool) {
		b, err := os.ReadFile("/sys/fs/cgroup/" + name)
		if err != nil {
			return 0, false
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return v, err == nil
	}
	limit, ok1 := read("memory.max") // "max" when unlimited: not a number
	used, ok2 := read("memory.current")
	return limit, used, ok1 && ok2
}

// Format prints a byte count in binary units with two decimals, e.g. "1.50 GiB".
func Format(bytes int64) string { return checked.Count(bytes).Bytes() }
