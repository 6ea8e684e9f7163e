// Package grutest is the conformance suite every gru.Backend runs, for those who
// implement one, in the manner of gonum's blas/testblas: a backend's test file
// delegates to Run in one line.
//
// The suite compares a backend with the float64 CPU oracle over the cross product
// of variants, layer counts, directions, ragged lengths, h0 and layouts, at sizes
// that straddle blocking edges; checks the oracle's gradients by finite differences;
// checks ResetBefore against a textbook per-element reference and ResetAfter against
// PyTorch golden files; and checks every bad-input error. Inputs are seeded random
// draws, outputs are poisoned with NaN before each run, and inputs are checked to be
// unmodified afterwards.
package grutest
