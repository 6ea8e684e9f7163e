//go:build unix

package regularfile

import (
	"os"
	"syscall"
)

// openNonblocking opens path read-only with O_NONBLOCK, which returns at once
// even for a FIFO that has no writer. On a regular file the flag changes nothing.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
