//go:build !cgo

package distributed

import "errors"

// Library is the shared object Init loads in a build with cgo.
const Library = "libmpi.so.40"

// errNoCgo is every MPI call's error in a build without cgo.
var errNoCgo = errors.New("distributed: this binary was built without cgo (CGO_ENABLED=0), so it cannot load Open MPI; rebuild with cgo to run under mpirun")

// Available returns an error: a build without cgo cannot load MPI.
func Available() (string, error) { return "", errNoCgo }

// Init returns an error: a build without cgo cannot load MPI.
func Init() (*Comm, error) { return nil, errNoCgo }

func (c *Comm) sumF64([]float64) error             { return errNoCgo }
func (c *Comm) bcast([]byte, int) error            { return errNoCgo }
func (c *Comm) allGather([]byte) ([][]byte, error) { return nil, errNoCgo }
func (c *Comm) abort(int)                          {}
func (c *Comm) finalize() error                    { return errNoCgo }
