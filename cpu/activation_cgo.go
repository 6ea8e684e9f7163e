//go:build cgo

package cpu

/*
#cgo CFLAGS: -O3
#include <stdint.h>
#include "clones.h"

#pragma GCC optimize("no-trapping-math")

// The float32 activations of activation.go in C, so that gcc vectorises them: the
// same exp (range reduction to |f| ≤ ln2/2, degree-7 Taylor polynomial, 2^n in the
// exponent bits) and the same clamps. no-trapping-math lets gcc turn the clamps'
// branches into selects; gogru never reads floating-point exception flags. Each
// function is compiled for x86-64-v3 and for the baseline (GOGRU_CLONES, clones.h).
// gcc may contract a product and a sum into an FMA in the x86-64-v3 clone
// (-ffp-contract=fast, GNU C's default), so its results may differ from the Go
// loops' by a rounding.

static inline float gogru_exp32(float x) {
  const float log2e = 1.44269504088896341f, ln2hi = 0.693359375f, ln2lo = -2.12194440e-4f;
  const float round = 12582912.f;  // 1.5·2²³: adding and subtracting it rounds to an integer
  float n = (x * log2e + round) - round;
  float f = x - n * ln2hi - n * ln2lo;
  float p = 1 + f * (1 + f * (1.0f / 2 + f * (1.0f / 6 + f * (1.0f / 24 + f * (1.0f / 120 + f * (1.0f / 720 + f * (1.0f / 5040)))))));
  union { int32_t i; float f; } two_n;
  two_n.i = ((int32_t)n + 127) << 23;
  return p * two_n.f;
}

// gogru_clamp_exp keeps gogru_exp32's argument where the result is finite and normal.
static inline float gogru_clamp_exp(float x) { return x > 88.3f ? 88.3f : (x < -87.3f ? -87.3f : x); }

// gogru_sigmoid_f32 sets v[i] = 1/(1+e^−v[i]).
GOGRU_CLONES static void gogru_sigmoid_f32(float* v, long n) {
  for (long i = 0; i < n; i++) {
    float x = v[i], s = 1 / (1 + gogru_exp32(gogru_clamp_exp(-x)));
    v[i] = x == x ? s : x;  // NaN stays NaN, as in Go, which a vector min or max would lose
  }
}

// gogru_tanh_f32 sets v[i] = tanh(v[i]) = sign·(1 − 2/(e^{2|x|}+1)), |x| capped at 9,
// where tanh rounds to 1 in float32.
GOGRU_CLONES static void gogru_tanh_f32(float* v, long n) {
  for (long i = 0; i < n; i++) {
    float x = v[i], a = x < 0 ? -x : x;
    a = a < 9 ? a : 9;
    float t = 1 - 2 / (gogru_exp32(2 * a) + 1);
    t = x < 0 ? -t : t;
    v[i] = x == x ? t : x;  // NaN stays NaN
  }
}

// gogru_sum3_sigmoid sets d[i] = σ(a[i] + b[i] + c[i]): a gate's input projection,
// recurrent product and recurrent bias, summed in that order, then activated.
GOGRU_CLONES static void gogru_sum3_sigmoid(float* d, const float* a, const float* b, const float* c, long n) {
  for (long i = 0; i < n; i++) d[i] = a[i] + b[i] + c[i];
  gogru_sigmoid_f32(d, n);
}

// gogru_sum3_tanh sets d[i] = tanh(a[i] + b[i] + c[i]).
GOGRU_CLONES static void gogru_sum3_tanh(float* d, const float* a, const float* b, const float* c, long n) {
  for (long i = 0; i < n; i++) d[i] = a[i] + b[i] + c[i];
  gogru_tanh_f32(d, n);
}

// gogru_after_candidate is ResetAfter's candidate: hn[i] = hh[i] + bh[i] and
// d[i] = tanh(xp[i] + r[i]·hn[i]).
GOGRU_CLONES static void gogru_after_candidate(float* d, float* hn, const float* xp, const float* r, const float* hh,
                                               const float* bh, long n) {
  for (long i = 0; i < n; i++) {
    hn[i] = hh[i] + bh[i];
    d[i] = xp[i] + r[i] * hn[i];
  }
  gogru_tanh_f32(d, n);
}

// gogru_blend is the state update h[i] = y[i] = z[i]·hp[i] + (1 − z[i])·c[i].
GOGRU_CLONES static void gogru_blend(float* h, float* y, const float* z, const float* hp, const float* c, long n) {
  for (long i = 0; i < n; i++) {
    float v = z[i] * hp[i] + (1 - z[i]) * c[i];
    h[i] = v;
    y[i] = v;
  }
}

// gogru_mul sets d[i] = a[i]·b[i]: ResetBefore's R⊙H.
GOGRU_CLONES static void gogru_mul(float* d, const float* a, const float* b, long n) {
  for (long i = 0; i < n; i++) d[i] = a[i] * b[i];
}
*/
import "C"

import "unsafe"

// sigmoidRow32 is sigmoidRow32Go, vectorised in C.
func sigmoidRow32(v []float32) {
	if len(v) > 0 {
		C.gogru_sigmoid_f32((*C.float)(unsafe.Pointer(&v[0])), C.long(len(v)))
	}
}

// tanhRow32 is tanhRow32Go, vectorised in C.
func tanhRow32(v []float32) {
	if len(v) > 0 {
		C.gogru_tanh_f32((*C.float)(unsafe.Pointer(&v[0])), C.long(len(v)))
	}
}

func f32p(v []float32) *C.float { return (*C.float)(unsafe.Pointer(unsafe.SliceData(v))) }

// sum3SigmoidRow32 is sum3SigmoidRow32Go, vectorised in C.
func sum3SigmoidRow32(d, a, b, c []float32) {
	C.gogru_sum3_sigmoid(f32p(d), f32p(a[:len(d)]), f32p(b[:len(d)]), f32p(c[:len(d)]), C.long(len(d)))
}

// sum3TanhRow32 is sum3TanhRow32Go, vectorised in C.
func sum3TanhRow32(d, a, b, c []float32) {
	C.gogru_sum3_tanh(f32p(d), f32p(a[:len(d)]), f32p(b[:len(d)]), f32p(c[:len(d)]), C.long(len(d)))
}

// afterCandidateRow32 is afterCandidateRow32Go, vectorised in C.
func afterCandidateRow32(d, hn, xp, r, hh, bh []float32) {
	n := len(d)
	C.gogru_after_candidate(f32p(d), f32p(hn[:n]), f32p(xp[:n]), f32p(r[:n]), f32p(hh[:n]), f32p(bh[:n]), C.long(n))
}

// blendRow32 is blendRow32Go, vectorised in C.
func blendRow32(h, y, z, hp, c []float32) {
	n := len(h)
	C.gogru_blend(f32p(h), f32p(y[:n]), f32p(z[:n]), f32p(hp[:n]), f32p(c[:n]), C.long(n))
}

// mulRow32 is mulRow32Go, vectorised in C.
func mulRow32(d, a, b []float32) {
	n := len(d)
	C.gogru_mul(f32p(d), f32p(a[:n]), f32p(b[:n]), C.long(n))
}
