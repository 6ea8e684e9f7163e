// Package gru is gogru's API for users of the GRU cell: the configuration of a
// stack (Config, Variant, Layout), its parameters on the host (Params and their
// initialisers), the Backend on which stacks and tensors live and the Stack that
// runs forward and backward on it, and the errors they return. The backends are
// packages cpu and cuda; the package example runs a stack on the CPU.
//
// Other packages serve other readers. Those who implement a Backend find the
// argument checks every backend shares in gru/backendkit and the conformance suite
// in gru/grutest. Applications that train find the language model in gru/lm, the
// optimisers in gru/optim, checkpoints in gru/checkpoint and the conversions to
// and from PyTorch and ONNX in gru/interop.
//
// # The cell
//
// Both formulations are first-class. With σ the logistic sigmoid and ⊙ the
// elementwise product, for input X [B,D] and state H [B,H]:
//
//	R  = σ(X W_xr + b_xr + H W_hr + b_hr)
//	Z  = σ(X W_xz + b_xz + H W_hz + b_hz)
//	ResetBefore (D2L, Cho et al. v3, ONNX linear_before_reset=0):
//	  N = tanh(X W_xn + b_xn + (R ⊙ H) W_hn + b_hn)
//	ResetAfter (cuDNN, PyTorch, ONNX linear_before_reset=1):
//	  N = tanh(X W_xn + b_xn + R ⊙ (H W_hn + b_hn))
//	H' = Z ⊙ H + (1 − Z) ⊙ N
//
// # Storage
//
// Every matrix is row-major float data. The gate blocks of a weight or bias are
// stored in PyTorch's order r, z, n: W_x is [D, 3H] with columns
// [0,H) for r, [H,2H) for z and [2H,3H) for n, so X·W_x gives all three gates'
// input projections at once. PyTorch stores weight_ih as [3H, D]; W_x is its
// transpose. ONNX and Keras order the gates z, r, h; package gru/interop converts.
//
// Tensors are time-major [T, B, D] by default; Config.Layout selects batch-first
// [B, T, D]. Hidden states are always [layers·dirs, B, H], indexed
// layer·dirs + direction, as in PyTorch.
package gru
