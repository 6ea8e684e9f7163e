// Package cuda is the GPU backend of gogru: a gru.Backend that runs the GRU's
// GEMMs on cuBLAS and its pointwise work on the kernels in ../kernels. It arrives
// with its own issue; until then the package holds only this description.
package cuda
