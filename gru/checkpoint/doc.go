// Package checkpoint saves a training run's state and restores it, for
// applications that train an lm.Model: the model's parameters, the optimiser's
// state, the configuration and the caller's metadata, in one safetensors file
// written atomically, so that a resumed run continues bit for bit.
package checkpoint
