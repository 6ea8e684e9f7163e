package cuda

import (
	"github.com/gogru/gogru/gru"
)

// AvailableMemory reports the bytes the device can still allocate (see
// gru.MemoryReporter): the driver's free memory on a GPU; on the simulator its
// limit less what is live, or the host's available memory.
func (be *Backend) AvailableMemory() (int64, bool, error) {
	if be.closed {
		return 0, false, gru.ErrClosed
	}
	n, err := be.dev.AvailableMemory()
	return n, false, err
}
