// Package backendkit is for those who implement gru.Backend, not for users of a
// backend: the argument checks that every backend shares, so that the CPU, the GPU
// and any later backend report a bad call with the same *gru.ShapeError (or, for
// what is not a shape, the same error) and change nothing.
//
// CheckForward and CheckBackward check the arguments of a gru.Stack's Forward and
// Backward; MatMulDims, CheckRowIDs, CheckRowVector and the other Check functions
// check those of the gru.Ops and of a backend's NewTensor, Write and Read. Matrix
// is the 2-D view of a tensor that the operations work on. The checks allocate
// nothing unless they fail, so a backend can run them in every training step.
// BackwardPlan is the GEMM plan of a stack's Backward, named by Operand, which each
// backend maps to buffers of its own.
// Package grutest is the conformance suite that holds a backend to them.
package backendkit
