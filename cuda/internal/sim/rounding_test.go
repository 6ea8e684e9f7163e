package sim

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
)

// The simulator's GEMM rounds float32 operands as the tensor cores do: bfloat16 to
// nearest with ties to even (cvt.rn.bf16.f32), TF32 to nearest with ties away
// (cvt.rna.tf32.f32), strict float32 not at all. A 1×1×1 GEMM of x and 1 returns
// the rounded x exactly, so each case checks the bits.
func TestSimGEMMRoundsOperands(t *testing.T) {
	cases := []struct {
		what    string
		math    device.GEMMMath
		in, out uint32
	}{
		{"bf16 exact", device.MathBF16, 0x3f810000, 0x3f810000},
		{"bf16 below half", device.MathBF16, 0x3f807fff, 0x3f800000},
		{"bf16 above half", device.MathBF16, 0x3f808001, 0x3f810000},
		{"bf16 tie to even, down", device.MathBF16, 0x3f808000, 0x3f800000},
		{"bf16 tie to even, up", device.MathBF16, 0x3f818000, 0x3f820000},
		{"bf16 carry into the exponent", device.MathBF16, 0x3fffffff, 0x40000000},
		{"bf16 tie carrying into the exponent", device.MathBF16, 0x3fff8000, 0x40000000},
		{"bf16 negative above half", device.MathBF16, 0xbf808001, 0xbf810000},
		{"bf16 negative tie to even, up", device.MathBF16, 0xbf818000, 0xbf820000},
		{"bf16 negative tie to even, down", device.MathBF16, 0xbf808000, 0xbf800000},
		{"bf16 subnormal tie to even, up", device.MathBF16, 0x00018000, 0x00020000},
		{"bf16 subnormal tie to even, down to zero", device.MathBF16, 0x00008000, 0x00000000},
		{"bf16 largest float overflows", device.MathBF16, 0x7f7fffff, 0x7f800000},
		{"bf16 +Inf", device.MathBF16, 0x7f800000, 0x7f800000},
		{"bf16 -Inf", device.MathBF16, 0xff800000, 0xff800000},
		{"tf32 tie away from zero", device.MathTF32, 0x3f801000, 0x3f802000},
		{"tf32 below half", device.MathTF32, 0x3f800fff, 0x3f800000},
		{"tf32 negative tie away", device.MathTF32, 0xbf801000, 0xbf802000},
		{"fp32 unrounded", device.MathFP32, 0x3f807fff, 0x3f807fff},
	}
	for _, c := range cases {
		got := simRoundTrip(t, c.math, math.Float32frombits(c.in))
		if math.Float32bits(got) != c.out {
			t.Errorf("%s: %#08x gave %#08x, want %#08x", c.what, c.in, math.Float32bits(got), c.out)
		}
	}
	// A NaN stays a NaN, even one whose payload sits only in the bits rounding drops
	// (a blind round or truncation would turn it into infinity).
	for _, m := range []device.GEMMMath{device.MathBF16, device.MathTF32} {
		for _, bits := range []uint32{0x7fc00000, 0x7f800001, 0xff800001} {
			if got := simRoundTrip(t, m, math.Float32frombits(bits)); !math.IsNaN(float64(got)) {
				t.Errorf("math %d: NaN %#08x gave %v (%#08x)", m, bits, got, math.Float32bits(got))
			}
		}
	}
}

// simRoundTrip returns 1·x + 0 through a 1×1×1 float32 GEMM on the simulator with
// math m, after poisoning the output with a value no case returns.
func simRoundTrip(t *testing.T, m device.GEMMMath, x float32) float32 {
	t.Helper()
	d := New(m)
	defer d.Close()
	var in [12]byte
	binary.LittleEndian.PutUint32(in[0:], math.Float32bits(x))
	binary.LittleEndian.PutUint32(in[4:], math.Float32bits(1))
	binary.LittleEndian.PutUint32(in[8:], math.Float32bits(12345))
	p, err := d.Alloc(len(in))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Free(p)
	if err := d.HtoD(p, in[:]); err != nil {
		t.Fatal(err)
	}
	if err := d.GEMM(false, false, false, 1, 1, 1, 1, p, 1, p+4, 1, 0, p+8, 1); err != nil {
		t.Fatal(err)
	}
	var out [4]byte
	if err := d.DtoH(out[:], p+8); err != nil {
		t.Fatal(err)
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(out[:]))
}
