package cpu

import (
	"math"
	"unsafe"
)

// The fused passes apply the activations a row at a time, so that the float32
// path runs one tight loop per row instead of a call per element.

// sigmoidRow sets v[i] = 1/(1+e^−v[i]): math.Exp in float64; in float32 through
// the inlined exp below, with absolute error at most sigmoidMaxErr32 (tested).
func sigmoidRow[T Float](v []T) {
	if unsafe.Sizeof(v[0]) == 4 { // a constant per instantiation: the branch compiles away
		sigmoidRow32(*(*[]float32)(unsafe.Pointer(&v)))
		return
	}
	for i, x := range v {
		v[i] = T(1 / (1 + math.Exp(-float64(x))))
	}
}

// tanhRow sets v[i] = tanh(v[i]): math.Tanh in float64; in float32 as
// sign·(1 − 2/(e^{2|x|}+1)), absolute error at most tanhMaxErr32 (tested).
func tanhRow[T Float](v []T) {
	if unsafe.Sizeof(v[0]) == 4 {
		tanhRow32(*(*[]float32)(unsafe.Pointer(&v)))
		return
	}
	for i, x := range v {
		v[i] = T(math.Tanh(float64(x)))
	}
}

// The float32 activations' maximum absolute errors against float64, checked over a
// dense sweep of [−20, 20] by TestActivationErrors.
const (
	sigmoidMaxErr32 = 1.2e-7
	tanhMaxErr32    = 2.4e-7
)

// exp32 computes e^x in float32 for x in [−87.3, 88.3] (callers clamp): x = n·ln2 + f
// with |f| ≤ ln2/2 (n rounded by the 1.5·2²³ trick, ln2 split in two for an exact
// reduction), e^f by its Taylor polynomial to degree 7 (truncation below 5e-9),
// and 2^n written into the exponent bits. It is small enough to inline.
func exp32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
		round = 12582912 // 1.5·2²³: adding and subtracting it rounds to an integer
	)
	n := (x*log2e + round) - round
	f := x - n*ln2hi - n*ln2lo
	p := 1 + f*(1+f*(1.0/2+f*(1.0/6+f*(1.0/24+f*(1.0/120+f*(1.0/720+f*(1.0/5040)))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// clampExp keeps exp32's argument where the result is finite and normal.
func clampExp(x float32) float32 {
	if x > 88.3 {
		return 88.3
	}
	if x < -87.3 {
		return -87.3
	}
	return x
}

// sigmoidRow32Go and tanhRow32Go are the float32 activations in Go: the build
// without cgo uses them, and the tests hold the C versions (activation_cgo.go) to
// the same errors.
func sigmoidRow32Go(v []float32) {
	for i, x := range v {
		v[i] = 1 / (1 + exp32(clampExp(-x)))
	}
}

func tanhRow32Go(v []float32) {
	for i, x := range v {
		a := x
		if a < 0 {
			a = -a
		}
		a = min(a, 9) // tanh(9) rounds to 1 in float32
		t := 1 - 2/(exp32(2*a)+1)
		if x < 0 {
			t = -t
		}
		v[i] = t
	}
}
