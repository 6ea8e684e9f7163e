package cuda

// Device describes a GPU as the driver reports it.
type Device struct {
	Index        int
	Name         string
	Major, Minor int   // compute capability
	MemoryBytes  int64 // total global memory
	Driver       int   // driver API version, e.g. 12040
}
