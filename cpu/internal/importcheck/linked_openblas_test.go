//go:build openblas

package importcheck

// linkedOpenBLAS: a -tags openblas build links OpenBLAS, so the loader maps it at
// start whatever the program imports; the BLAS in use is still gonum's.
const linkedOpenBLAS = true
