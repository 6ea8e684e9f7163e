//go:build !openblas

package importcheck

// linkedOpenBLAS: this build does not link OpenBLAS, so a mapped copy would have
// been loaded by the import.
const linkedOpenBLAS = false
