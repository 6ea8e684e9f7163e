// Package interop converts a GRU's parameters to and from other systems' layouts,
// for applications that exchange weights with them: PyTorch's nn.GRU (its
// state_dict names and shapes, and safetensors files of them) and ONNX's GRU
// operator (W, R and B). For whole language models of package lm it writes a
// PyTorch state_dict (SavePyTorchLM, read back by LoadPyTorchLM) and one runnable
// ONNX model (ONNXLM), both carrying the configuration and the vocabulary.
//
// Our gate order is PyTorch's r, z, n with W_x and W_h stored transposed against
// PyTorch's weight_ih and weight_hh (see package gru); ONNX and Keras order the
// gates z, r, h. PyTorch's cell is gru.ResetAfter, so importing PyTorch weights
// selects it; ONNX's linear_before_reset says which cell its tensors are for.
package interop
