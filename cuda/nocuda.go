//go:build !cuda

package cuda

import (
	"errors"

	"github.com/gogru/gogru/gru"
)

// ErrNotBuilt is returned by New and Devices in a build without the cuda tag.
var ErrNotBuilt = errors.New("cuda: this binary was built without GPU support; rebuild with -tags cuda (needs the CUDA toolkit; see make build-cuda)")

// New returns ErrNotBuilt: this build has no GPU path. NewSimulated works in every build.
func New(dtype gru.DType) (gru.Backend, error) { return nil, ErrNotBuilt }

// Devices returns ErrNotBuilt: this build has no GPU path.
func Devices() ([]Device, error) { return nil, ErrNotBuilt }

// NewTF32 returns ErrNotBuilt: this build has no GPU path.
func NewTF32() (gru.Backend, error) { return nil, ErrNotBuilt }

// NewBF16 returns ErrNotBuilt: this build has no GPU path.
func NewBF16() (gru.Backend, error) { return nil, ErrNotBuilt }

// UseGPU does nothing: this build has no GPU path.
func UseGPU(index int) {}
