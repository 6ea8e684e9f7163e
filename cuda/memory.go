package cuda

import (
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/sysmem"
)

// AvailableMemory reports the bytes the device can still allocate (see
// gru.MemoryReporter): the driver's free memory on a GPU; on the simulator its
// limit less what is live, or the host's available memory.
func (be *Backend) AvailableMemory() (int64, bool, error) {
	if be.closed {
		return 0, false, gru.ErrClosed
	}
	n, err := be.dev.availableMemory()
	return n, false, err
}

// availableMemory is the simulator's limit less the live bytes, or, without a
// limit, the host's available memory.
func (d *simDevice) availableMemory() (int64, error) {
	if d.limit > 0 {
		return int64(d.limit - d.used()), nil
	}
	return sysmem.Available()
}
