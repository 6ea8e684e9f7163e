//go:build !cgo && !openblas

package cpu

import "errors"

// UseOpenBLAS reports that this build cannot use OpenBLAS: it was built without
// cgo, so the library can be neither linked nor loaded. gonum stays in use.
func UseOpenBLAS() error {
	blasMu.Lock()
	defer blasMu.Unlock()
	blasReason = "built without cgo, so OpenBLAS cannot be loaded at run time; a cgo build (the default with gcc) loads it when libopenblas0 is installed"
	return errors.New("cpu: built without cgo, so OpenBLAS cannot be loaded")
}

// SetOpenBLASThreads reports that this build has no OpenBLAS whose threads to set.
func SetOpenBLASThreads(n int) error {
	return errors.New("cpu: built without cgo, so there is no OpenBLAS")
}
