package cpu

import "github.com/gogru/gogru/internal/sysmem"

// AvailableMemory reports the host memory a process can still allocate (see
// gru.MemoryReporter): the CPU backend's tensors live there.
func (be *Backend[T]) AvailableMemory() (int64, bool, error) {
	n, err := sysmem.Available()
	return n, true, err
}
