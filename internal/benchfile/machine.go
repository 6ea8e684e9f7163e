package benchfile

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// HostCPU describes this machine's processor for Row.Machine: the model name from
// /proc/cpuinfo and the count of logical CPUs, or the architecture where there is no
// /proc/cpuinfo.
func HostCPU() string {
	model := runtime.GOARCH
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				model = strings.Join(strings.Fields(v), " ")
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs", model, runtime.NumCPU())
}
