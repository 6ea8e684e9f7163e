//go:build !cgo

package cpu

// Without cgo the float32 activations are the Go loops.
func sigmoidRow32(v []float32)                           { sigmoidRow32Go(v) }
func tanhRow32(v []float32)                              { tanhRow32Go(v) }
func sum3SigmoidRow32(d, a, b, c []float32)              { sum3SigmoidRow32Go(d, a, b, c) }
func sum3TanhRow32(d, a, b, c []float32)                 { sum3TanhRow32Go(d, a, b, c) }
func afterCandidateRow32(d, hn, xp, r, hh, bh []float32) { afterCandidateRow32Go(d, hn, xp, r, hh, bh) }
func blendRow32(h, y, z, hp, c []float32)                { blendRow32Go(h, y, z, hp, c) }
func mulRow32(d, a, b []float32)                         { mulRow32Go(d, a, b) }
