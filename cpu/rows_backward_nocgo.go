//go:build !cgo

package cpu

// Without cgo the float32 backward row operations are the Go loops.
func bwdAfterRow32(dgx, dgh, dh, g, hp, dy []float32)    { bwdAfterRow32Go(dgx, dgh, dh, g, hp, dy) }
func bwdBefore1Row32(dgx, dh, g, hp, dy []float32)       { bwdBefore1Row32Go(dgx, dh, g, hp, dy) }
func bwdBefore2Row32(dgx, dh, g, hp, drh []float32)      { bwdBefore2Row32Go(dgx, dh, g, hp, drh) }
func sumRows32(dst, dst2, src []float32, rows, cols int) { sumRows32Go(dst, dst2, src, rows, cols) }
