//go:build cuda

package driver

import "gorgonia.org/cu"

// AvailableMemory is the driver's free device memory (cuMemGetInfo).
func (d *Device) AvailableMemory() (int64, error) {
	var free int64
	err := d.Do(func() error {
		f, _, err := cu.MemInfo()
		if err != nil {
			return driverError("cuMemGetInfo", err)
		}
		free = f
		return nil
	})
	return free, err
}
