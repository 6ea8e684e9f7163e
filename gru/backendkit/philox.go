package backendkit

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/gogru/gogru/gru"
)

// Philox4x32-10's multipliers and Weyl key increments (Salmon, Moraes, Dror and
// Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011; Random123).
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// Philox4x32 returns Philox4x32-10 of counter ctr under key: ten rounds of
//
//	(hi0, lo0) = M0·c0    (hi1, lo1) = M1·c2
//	c = (hi1 ⊕ c1 ⊕ k0, lo1, hi0 ⊕ c3 ⊕ k1, lo0)
//
// with the key advanced by (W0, W1) between rounds. kernels/dropout.cu computes
// the same on the GPU.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	for r := range 10 {
		if r > 0 {
			key[0] += philoxW0
			key[1] += philoxW1
		}
		hi0, lo0 := bits.Mul32(philoxM0, ctr[0])
		hi1, lo1 := bits.Mul32(philoxM1, ctr[2])
		ctr = [4]uint32{hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}
	}
	return ctr
}

// DropoutKey is the Philox key of a dropout seed: its low and high words.
func DropoutKey(seed uint64) [2]uint32 { return [2]uint32{uint32(seed), uint32(seed >> 32)} }

// DropoutThreshold is θ of gru.Ops.Dropout: an element is kept when its 32-bit
// draw is at least min(round(p·2³²), 2³²−1), which keeps it with probability
// 1 − p to within 2⁻³².
func DropoutThreshold(p float64) uint32 {
	return uint32(min(math.Round(p*(1<<32)), math.MaxUint32))
}

// DropoutDraw returns the 32-bit draw of element i of a dropout mask (see
// gru.Ops.Dropout): word i mod 4 of Philox4x32-10 of counter (⌊i/4⌋, stream,
// step, 0) under key.
func DropoutDraw(key [2]uint32, stream, step uint32, i int) uint32 {
	return Philox4x32([4]uint32{uint32(i >> 2), stream, step, 0}, key)[i&3]
}

// CheckDropout checks the arguments of gru.Ops.Dropout and Stack.SetDropout
// (op names the call): p in [0, 1), a stream that fits 32 bits, and step one id.
func CheckDropout(op string, p float64, stream int, step gru.IDs) error {
	if !(p >= 0 && p < 1) {
		return fmt.Errorf("gru: %s: dropout probability must be in [0, 1), got %v", op, p)
	}
	if stream < 0 || stream > math.MaxUint32 {
		return fmt.Errorf("gru: %s: stream must be in [0, 2³²), got %d", op, stream)
	}
	if step == nil {
		if p == 0 {
			return nil
		}
		return fmt.Errorf("gru: %s: nil step", op)
	}
	if step.Len() != 1 {
		return shapeError(op+": step", []int{1}, []int{step.Len()})
	}
	return nil
}

// CheckDropoutOp checks every argument of gru.Ops.Dropout but the tensors'
// owner: dst and src of one length (their shapes given), then as CheckDropout.
func CheckDropoutOp(dst, src []int, p float64, stream int, step gru.IDs) error {
	if err := CheckSameLen("Dropout", "src", dst, src); err != nil {
		return err
	}
	return CheckDropout("Dropout", p, stream, step)
}
