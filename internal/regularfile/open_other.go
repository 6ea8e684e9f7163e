//go:build !unix

package regularfile

import "os"

// openNonblocking opens path read-only; the platform has no FIFOs that block an open.
func openNonblocking(path string) (*os.File, error) { return os.Open(path) }
