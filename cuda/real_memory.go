//go:build cuda

package cuda

import "gorgonia.org/cu"

// availableMemory is the driver's free device memory (cuMemGetInfo).
func (d *realDevice) AvailableMemory() (int64, error) {
	var free int64
	err := d.do(func() error {
		f, _, err := cu.MemInfo()
		if err != nil {
			return driverError("cuMemGetInfo", err)
		}
		free = f
		return nil
	})
	return free, err
}
