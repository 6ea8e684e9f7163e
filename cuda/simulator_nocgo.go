//go:build !cgo

package cuda

import (
	"errors"

	"github.com/gogru/gogru/cuda/internal/device"
)

// errNoSimulator is New(Simulated())'s error in a build without cgo.
var errNoSimulator = errors.New("cuda: the simulator runs the kernels as C++ through cgo, and this binary was built without it; rebuild with CGO_ENABLED=1 and a C++ compiler")

// openSimulator returns errNoSimulator: the simulator needs cgo.
func openSimulator(device.GEMMMath) (device.Device, error) { return nil, errNoSimulator }
