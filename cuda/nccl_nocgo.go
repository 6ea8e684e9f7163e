//go:build !cgo

package cuda

import (
	"errors"

	"github.com/gogru/gogru/gru"
)

// errNoNCCL is every NCCL call's error in a build without cgo.
var errNoNCCL = errors.New("cuda: NCCL is loaded through cgo, and this binary was built without it; rebuild with CGO_ENABLED=1")

// NCCLAvailable returns an error: without cgo NCCL cannot be loaded.
func NCCLAvailable() error { return errNoNCCL }

// NCCL is the NCCL gradient reducer, which needs cgo; in this build it cannot be made.
type NCCL struct{}

// NewNCCL returns an error: without cgo NCCL cannot be loaded.
func NewNCCL(*Backend, int, int, func([]byte) error) (*NCCL, error) { return nil, errNoNCCL }

// Average returns an error: without cgo NCCL cannot be loaded.
func (*NCCL) Average(gru.Backend, []gru.Tensor) error { return errNoNCCL }

// DeviceOnly reports true, as the real reducer does.
func (*NCCL) DeviceOnly() bool { return true }

// Close does nothing.
func (*NCCL) Close() error { return nil }
