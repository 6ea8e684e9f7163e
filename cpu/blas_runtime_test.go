//go:build cgo && !openblas

package cpu

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The BLAS is chosen at start: OpenBLAS when its shared library loads, gonum when
// GOGRU_BLAS=gonum or when no library is found. Each case runs in a child process,
// since the choice is made once by init.
func TestBLASChosenAtRunTime(t *testing.T) {
	if os.Getenv("GOGRU_BLAS_CHILD") == "1" {
		os.Stdout.WriteString("BLAS=" + BLAS() + "\nREASON=" + BLASReason() + "\n")
		return
	}
	child := func(env ...string) string {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestBLASChosenAtRunTime$")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, append([]string{"GOGRU_BLAS_CHILD=1"}, env...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child %v: %v\n%s", env, err, out)
		}
		return string(out)
	}
	if out := child("GOGRU_BLAS=gonum"); !strings.Contains(out, "BLAS=gonum (pure Go)") || !strings.Contains(out, "GOGRU_BLAS=gonum chose it") {
		t.Errorf("GOGRU_BLAS=gonum:\n%s", out)
	}
	if out := child("GOGRU_BLAS=fast"); !strings.Contains(out, "BLAS=gonum") || !strings.Contains(out, `"fast" is not auto, openblas or gonum`) {
		t.Errorf("GOGRU_BLAS=fast:\n%s", out)
	}
	out := child("GOGRU_BLAS=auto")
	if openBLASInstalled() {
		if !strings.Contains(out, "OpenBLAS") || !strings.Contains(out, "loaded at run time") {
			t.Errorf("OpenBLAS is installed but was not loaded:\n%s", out)
		}
		x := cpu.X86
		avx512 := x.HasAVX512F && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL
		if skx := strings.Contains(out, "SkylakeX kernels"); skx != avx512 {
			t.Errorf("AVX-512 CPU %v, but SkylakeX kernels chosen %v:\n%s", avx512, skx, out)
		}
		if out := child("GOGRU_BLAS=auto", "OPENBLAS_CORETYPE=Haswell"); !strings.Contains(out, "Haswell kernels") ||
			!strings.Contains(out, "OPENBLAS_CORETYPE=Haswell chose its kernels") {
			t.Errorf("OPENBLAS_CORETYPE=Haswell was not respected:\n%s", out)
		}
	} else if !strings.Contains(out, "BLAS=gonum") || !strings.Contains(out, "no OpenBLAS shared library was found") {
		t.Errorf("without OpenBLAS:\n%s", out)
	}
}

// openBLASInstalled reports whether one of openBLASLibs is in the usual library
// directories, so the test knows which route it should see.
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
	if !strings.Contains(BLAS(), "loaded at run time") {
		t.Skipf("OpenBLAS is not loaded in this process (%s)", BLASReason())
	}
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
