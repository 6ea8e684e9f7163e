package cpu

import (
	"fmt"
	"unsafe"

	"github.com/gogru/gogru/gru"

	"github.com/gogru/gogru/internal/sysmem"
)

// AvailableMemory reports the host memory a process can still allocate (see
// gru.MemoryReporter): the CPU backend's tensors live there.
func (be *Backend[T]) AvailableMemory() (int64, bool, error) {
	n, err := sysmem.Available()
	return n, true, err
}

// checkAlloc refuses, with an error instead of the runtime's fatal out-of-memory,
// a tensor of this shape that the host cannot give. Small tensors are not checked:
// reading the host's figure costs more than they do. It allocates nothing unless
// it refuses.
func checkAlloc[T Float](shape []int) error {
	var zero T
	bytes := int64(gru.Len(shape)) * int64(unsafe.Sizeof(zero))
	if bytes < 64<<20 {
		return nil
	}
	if avail, err := sysmem.Available(); err == nil && bytes > avail {
		return fmt.Errorf("cpu: not enough memory: tensor %v needs %s, more than the %s available on the host",
			shape, sysmem.Format(bytes), sysmem.Format(avail))
	}
	return nil
}
