//go:build cgo && !openblas

package cpu

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// UseOpenBLAS loads the library when it is installed and says why not when it is
// not; UseGonum goes back to the default.
func TestUseOpenBLASAndBack(t *testing.T) {
	err := UseOpenBLAS()
	t.Cleanup(UseGonum)
	if openBLASInstalled() != (err == nil) {
		t.Fatalf("OpenBLAS installed %v, but UseOpenBLAS returned %v", openBLASInstalled(), err)
	}
	if err != nil {
		if !strings.Contains(BLASReason(), "no OpenBLAS shared library") || BLAS() != gonumName {
			t.Errorf("after a failed UseOpenBLAS: BLAS %q, reason %q", BLAS(), BLASReason())
		}
		t.Skipf("no OpenBLAS here (%v); install Debian's libopenblas0 to run the rest", err)
	}
	if !strings.Contains(BLAS(), "loaded at run time") || tileGemm || blas64.Implementation() != (openBLAS{}) {
		t.Errorf("after UseOpenBLAS: BLAS %q, tileGemm %v, blas64 %T", BLAS(), tileGemm, blas64.Implementation())
	}
	if err := SetOpenBLASThreads(2); err != nil {
		t.Error(err)
	}
	if err := SetOpenBLASThreads(0); err == nil {
		t.Error("SetOpenBLASThreads(0) succeeded")
	}
	if err := UseOpenBLAS(); err != nil { // a second call keeps the loaded library
		t.Errorf("second UseOpenBLAS: %v", err)
	}
	UseGonum()
	if BLAS() != gonumName || !tileGemm || blas32.Implementation() != (gonum.Implementation{}) {
		t.Errorf("after UseGonum: BLAS %q, tileGemm %v, blas32 %T", BLAS(), tileGemm, blas32.Implementation())
	}
}

// openBLASInstalled reports whether one of openBLASLibs is in the usual library
// directories, so the test knows which outcome it should see.
func openBLASInstalled() bool {
	for _, dir := range []string{"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib", "/lib"} {
		for _, lib := range openBLASLibs {
			if _, err := os.Stat(dir + "/" + lib); err == nil {
				return true
			}
		}
	}
	return false
}

// The loaded OpenBLAS GEMMs agree with gonum's for every transpose combination,
// padded leading dimensions and beta ≠ 0, in both precisions.
func TestOpenBLASGemmMatchesGonum(t *testing.T) {
	if err := UseOpenBLAS(); err != nil {
		t.Skipf("%v; install Debian's libopenblas0 to compare its GEMMs with gonum's", err)
	}
	t.Cleanup(UseGonum)
	rng := rand.New(rand.NewPCG(7, 11))
	const m, n, k, pad = 13, 9, 17, 3
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			ar, ac := m, k
			if tA == blas.Trans {
				ar, ac = k, m
			}
			br, bc := k, n
			if tB == blas.Trans {
				br, bc = n, k
			}
			a64 := randSlice(rng, ar*(ac+pad))
			b64 := randSlice(rng, br*(bc+pad))
			c64 := randSlice(rng, m*(n+pad))
			want := append([]float64(nil), c64...)
			gonum.Implementation{}.Dgemm(tA, tB, m, n, k, 0.7, a64, ac+pad, b64, bc+pad, -1.3, want, n+pad)
			got := append([]float64(nil), c64...)
			openBLAS{}.Dgemm(tA, tB, m, n, k, 0.7, a64, ac+pad, b64, bc+pad, -1.3, got, n+pad)
			if d := maxDiff(got, want); d > 1e-12 {
				t.Errorf("Dgemm %c%c differs from gonum by %.3g", tA, tB, d)
			}
			a32, b32, c32 := to32(a64), to32(b64), to32(c64)
			want32 := append([]float32(nil), c32...)
			gonum.Implementation{}.Sgemm(tA, tB, m, n, k, 0.7, a32, ac+pad, b32, bc+pad, -1.3, want32, n+pad)
			got32 := append([]float32(nil), c32...)
			openBLAS{}.Sgemm(tA, tB, m, n, k, 0.7, a32, ac+pad, b32, bc+pad, -1.3, got32, n+pad)
			if d := maxDiff(to64(got32), to64(want32)); d > 1e-4 {
				t.Errorf("Sgemm %c%c differs from gonum by %.3g", tA, tB, d)
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

func to32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

func to64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func TestOpenBLASName(t *testing.T) {
	for config, want := range map[string]string{
		"OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64": "OpenBLAS 0.3.21 (Haswell kernels, loaded at run time)",
		"OpenBLAS 0.3.26 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=128":          "OpenBLAS 0.3.26 (SkylakeX kernels, loaded at run time)",
		"OpenBLAS 0.3.21": "OpenBLAS 0.3.21 (loaded at run time)",
		"":                "OpenBLAS (loaded at run time)",
	} {
		if got := openBLASName(config); got != want {
			t.Errorf("openBLASName(%q) = %q, want %q", config, got, want)
		}
	}
}
