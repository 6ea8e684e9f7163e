package cpu

import (
	"math"
	"unsafe"
)

// sigmoid is the logistic function 1/(1+e^−x): exact to rounding in float64, and
// through exp32 in float32 (absolute error at most sigmoidMaxErr32, tested).
func sigmoid[T Float](x T) T {
	if unsafe.Sizeof(x) == 4 { // a constant per instantiation: the branch compiles away
		return T(1 / (1 + exp32(-float32(x))))
	}
	return T(1 / (1 + math.Exp(-float64(x))))
}

// tanh is the hyperbolic tangent: math.Tanh in float64, and 1 − 2/(e^{2|x|}+1) with
// the sign restored in float32 (absolute error at most tanhMaxErr32, tested).
func tanh[T Float](x T) T {
	if unsafe.Sizeof(x) == 4 {
		return T(tanh32(float32(x)))
	}
	return T(math.Tanh(float64(x)))
}

// The float32 activations' maximum absolute errors against float64, checked over a
// dense sweep of [−20, 20] by TestActivationErrors.
const (
	sigmoidMaxErr32 = 1.2e-7
	tanhMaxErr32    = 2.4e-7
)

// exp32 computes e^x in float32: x = n·ln2 + f with |f| ≤ ln2/2 (Cody–Waite
// reduction with ln2 split in two), e^f by its Taylor polynomial to degree 7
// (truncation below 5e-9), and 2^n put into the exponent bits. Inputs beyond
// float32's range give +Inf or 0.
func exp32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	if x > 88.37626 {
		return float32(math.Inf(1))
	}
	if x < -87.33654 {
		return 0
	}
	t := x * log2e
	if t < 0 {
		t -= 0.5
	} else {
		t += 0.5
	}
	n := float32(int32(t)) // x·log2(e) rounded to nearest
	f := x - n*ln2hi - n*ln2lo
	p := 1 + f*(1+f*(1.0/2+f*(1.0/6+f*(1.0/24+f*(1.0/120+f*(1.0/720+f*(1.0/5040)))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// tanh32 is tanh in float32 through exp32.
func tanh32(x float32) float32 {
	a := x
	if a < 0 {
		a = -a
	}
	if a > 9 { // tanh(9) rounds to 1 in float32
		a = 1
	} else {
		a = 1 - 2/(exp32(2*a)+1)
	}
	if x < 0 {
		return -a
	}
	return a
}
