package cpu

import "math"

// sigmoid is the logistic function 1/(1+e^−x), computed in float64.
func sigmoid[T Float](x T) T {
	return T(1 / (1 + math.Exp(-float64(x))))
}

// tanh is the hyperbolic tangent, computed in float64.
func tanh[T Float](x T) T {
	return T(math.Tanh(float64(x)))
}
