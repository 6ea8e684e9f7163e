// Package importcheck holds the test that importing package cpu changes nothing in
// the process: no library is loaded, gonum's BLAS stays gonum's, no environment
// variable is set. It lives apart from cpu's own tests, which switch the BLAS, so
// that its test binary imports cpu and nothing that might ask for OpenBLAS.
package importcheck
