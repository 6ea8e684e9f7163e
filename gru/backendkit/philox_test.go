package backendkit_test

import (
	"math"
	"testing"

	"github.com/gogru/gogru/gru/backendkit"
)

// TestPhilox4x32KnownAnswers checks Philox4x32-10 against the known-answer
// vectors of Random123 (kat_vectors: counter, key, expected output).
func TestPhilox4x32KnownAnswers(t *testing.T) {
	for _, kat := range []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := backendkit.Philox4x32(kat.ctr, kat.key); got != kat.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", kat.ctr, kat.key, got, kat.want)
		}
	}
}

// TestDropoutThreshold checks θ at the ends and the middle of [0, 1).
func TestDropoutThreshold(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want uint32
	}{{0, 0}, {0.5, 1 << 31}, {0.25, 1 << 30}, {1 - 1e-12, math.MaxUint32}, {math.Nextafter(1, 0), math.MaxUint32}} {
		if got := backendkit.DropoutThreshold(c.p); got != c.want {
			t.Errorf("DropoutThreshold(%v) = %d, want %d", c.p, got, c.want)
		}
	}
}

// TestDropoutDraw checks that element i takes word i mod 4 of block ⌊i/4⌋.
func TestDropoutDraw(t *testing.T) {
	key := backendkit.DropoutKey(0x0123456789abcdef)
	if key != [2]uint32{0x89abcdef, 0x01234567} {
		t.Fatalf("DropoutKey: %08x", key)
	}
	for i := range 12 {
		want := backendkit.Philox4x32([4]uint32{uint32(i / 4), 3, 9, 0}, key)[i%4]
		if got := backendkit.DropoutDraw(key, 3, 9, i); got != want {
			t.Errorf("element %d: %08x, want %08x", i, got, want)
		}
	}
}
