// Package checked does the size arithmetic of estimates and allocations without
// silent overflow. Each integer result says whether it is exact; Count carries a
// size too large for an int as a float64, so that an error can still quote it.
package checked

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// Mul returns a·b and true, or 0 and false when a or b is negative or the product
// does not fit in an int.
func Mul(a, b int) (int, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt {
		return 0, false
	}
	return int(lo), true
}

// Product returns the product of dims (1 for none) and true, or 0 and false when
// a dimension is negative or the product does not fit in an int: the number of
// elements of a shape.
func Product(dims ...int) (int, bool) {
	n := 1
	for _, d := range dims {
		var ok bool
		if n, ok = Mul(n, d); !ok {
			return 0, false
		}
	}
	return n, true
}

// Count is a non-negative size computed in float64: exact below 2^53 and within a
// relative 2^-52 above, it cannot overflow for any product of a few int64 sizes,
// so estimates made with it compare and print their true magnitude.
type Count float64

// Of returns the product of dims as a Count.
func Of(dims ...int) Count {
	c := Count(1)
	for _, d := range dims {
		c *= Count(d)
	}
	return c
}

// String prints c exactly when it is below 2^53, else in scientific notation
// with three significant digits (3e+30, 4.8e+31).
func (c Count) String() string {
	if c >= 0 && c < 1<<53 && c == Count(math.Trunc(float64(c))) {
		return strconv.FormatInt(int64(c), 10)
	}
	return fmt.Sprintf("%.3g", float64(c))
}

// Bytes prints c as a byte count in binary units with two decimals ("1.50 GiB"),
// in scientific notation beyond the exbibytes.
func (c Count) Bytes() string {
	const unit = 1024
	if c < unit {
		return fmt.Sprintf("%s B", c)
	}
	v, i := float64(c), -1
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	if v >= unit {
		return fmt.Sprintf("%.3g bytes", float64(c))
	}
	return fmt.Sprintf("%.2f %ciB", v, "KMGTPE"[i])
}
