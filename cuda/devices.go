package cuda

import "github.com/gogru/gogru/cuda/internal/device"

// Device describes a GPU as the driver reports it: Index (as WithDevice numbers
// it), Name, the compute capability Major and Minor, MemoryBytes (total global
// memory) and Driver (the driver API version, e.g. 12040).
type Device = device.Info
