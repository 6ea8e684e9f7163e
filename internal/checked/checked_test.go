package checked

import (
	"math"
	"testing"
)

func TestMulAddProduct(t *testing.T) {
	for _, c := range []struct {
		name   string
		got    func() (int, bool)
		want   int
		wantOK bool
	}{
		{"Mul small", func() (int, bool) { return Mul(6, 7) }, 42, true},
		{"Mul zero by max", func() (int, bool) { return Mul(0, math.MaxInt) }, 0, true},
		{"Mul at the edge", func() (int, bool) { return Mul(1<<31, 1<<31) }, 1 << 62, true},
		{"Mul just over", func() (int, bool) { return Mul(1<<32, 1<<31) }, 0, false},
		{"Mul max by 2", func() (int, bool) { return Mul(math.MaxInt, 2) }, 0, false},
		{"Mul negative", func() (int, bool) { return Mul(-1, 2) }, 0, false},
		{"Product none", func() (int, bool) { return Product() }, 1, true},
		{"Product", func() (int, bool) { return Product(2, 3, 7) }, 42, true},
		{"Product wraps to positive", func() (int, bool) { return Product(1<<32, 1<<32, 3) }, 0, false},
		{"Product with a zero after overflow", func() (int, bool) { return Product(1<<40, 1<<40, 0) }, 0, false},
		{"Product negative", func() (int, bool) { return Product(4, -2) }, 0, false},
	} {
		got, ok := c.got()
		if got != c.want || ok != c.wantOK {
			t.Errorf("%s: got %d, %v; want %d, %v", c.name, got, ok, c.want, c.wantOK)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		c          Count
		str, bytes string
		intOK      bool
	}{
		{Of(6, 7), "42", "42 B", true},
		{Of(3, 1000000000000000, 1000000000000000), "3e+30", "3e+30 bytes", false},
		{Of(1536), "1536", "1.50 KiB", true},
		{Of(math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64), "7.24e+75", "7.24e+75 bytes", false},
	} {
		if got := c.c.String(); got != c.str {
			t.Errorf("Count(%g).String() = %q, want %q", float64(c.c), got, c.str)
		}
		if got := c.c.Bytes(); got != c.bytes {
			t.Errorf("Count(%g).Bytes() = %q, want %q", float64(c.c), got, c.bytes)
		}
	}
}
