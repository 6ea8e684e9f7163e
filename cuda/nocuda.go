//go:build !cuda

package cuda

import (
	"errors"

	"github.com/gogru/gogru/cuda/internal/device"
)

// ErrNotBuilt is returned by New and Devices in a build without the cuda tag.
var ErrNotBuilt = errors.New("cuda: this binary was built without GPU support; rebuild with -tags cuda (needs the CUDA toolkit; see make build-cuda)")

// openGPU returns ErrNotBuilt: this build has no GPU path. New(Simulated())
// works in every build.
func openGPU(int, device.GEMMMath, string) (device.Device, error) { return nil, ErrNotBuilt }

// Devices returns ErrNotBuilt: this build has no GPU path.
func Devices() ([]Device, error) { return nil, ErrNotBuilt }
