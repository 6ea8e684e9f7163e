//go:build !cgo

package cpu

// Without cgo the float32 activations are the Go loops.
func sigmoidRow32(v []float32) { sigmoidRow32Go(v) }
func tanhRow32(v []float32)    { tanhRow32Go(v) }
