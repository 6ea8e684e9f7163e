// Package lm is the token language model that gogru's command trains, for
// applications built on package gru: input (one-hot or a learned embedding) → GRU
// stack → linear layer → softmax cross-entropy, with its parameters, activations,
// gradients and optimiser state on one gru.Backend. A training step moves only
// the token ids in and the scalar loss out; a Trainer runs whole steps, and on a
// backend that records (the GPU) records each once per shape and replays it. It
// also estimates the memory a model
// and its training need, and refuses one that cannot fit before allocating it.
package lm
