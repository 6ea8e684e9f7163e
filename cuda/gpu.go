//go:build cuda

package cuda

import (
	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/cuda/internal/driver"
)

// openGPU opens GPU index for New, its float32 GEMMs computing with math m and
// its kernels loaded from fatbin ("" for the embedded ones).
func openGPU(index int, m device.GEMMMath, fatbin string) (device.Device, error) {
	d, err := driver.Open(index, m, fatbin)
	if err != nil {
		return nil, err // a nil interface, not a nil *driver.Device in one
	}
	return d, nil
}

// Devices lists the GPUs the driver reports.
func Devices() ([]Device, error) { return driver.Devices() }
