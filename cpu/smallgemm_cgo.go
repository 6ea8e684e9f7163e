//go:build cgo

package cpu

/*
#cgo CFLAGS: -O3
#include <stddef.h>
#include <string.h>

// gogru_pack16 packs columns [0, n) of the k×n row-major matrix b (leading
// dimension ldb) into panels of 16 columns, p[(q·k + l)·16 + j] = b[l·ldb + 16q + j],
// with zeros past column n.
static void gogru_pack16(const float* b, int ldb, int k, int n, float* p) {
  int panels = (n + 15) / 16;
  for (int q = 0; q < panels; q++)
    for (int l = 0; l < k; l++) {
      float* dst = p + ((size_t)q * k + l) * 16;
      for (int j = 0; j < 16; j++) {
        int c = 16 * q + j;
        dst[j] = c < n ? b[(size_t)l * ldb + c] : 0.0f;
      }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

// store16 writes columns [lo, hi) of a 16-wide row held in two vectors.
__attribute__((target("avx2,fma"))) static inline void store16(float* c, __m256 v0, __m256 v1, int lo, int hi) {
  if (lo == 0 && hi == 16) {
    _mm256_storeu_ps(c, v0);
    _mm256_storeu_ps(c + 8, v1);
    return;
  }
  float t[16];
  _mm256_storeu_ps(t, v0);
  _mm256_storeu_ps(t + 8, v1);
  memcpy(c + lo, t + lo, (size_t)(hi - lo) * sizeof(float));
}

// gogru_gemm_packed computes C[:, n0:n1] = A·B[:, n0:n1] for row-major A (m×k,
// leading dimension lda) and B packed by gogru_pack16, into row-major C (leading
// dimension ldc): for each 16-column panel, 4 rows at a time with 8 accumulators
// (4 rows × 2 vectors) and one broadcast of A per row and step of k. No packing
// happens here: B was packed once for every time step.
__attribute__((target("avx2,fma"))) static void gogru_gemm_packed(int m, int n0, int n1, int k, const float* a,
                                                                    int lda, const float* p, float* c, int ldc) {
  for (int q = n0 / 16; q < (n1 + 15) / 16; q++) {
    const float* pq = p + (size_t)q * k * 16;
    int c0 = 16 * q, lo = n0 > c0 ? n0 - c0 : 0, hi = n1 - c0 < 16 ? n1 - c0 : 16;
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      const float *a0 = a + (size_t)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
      __m256 s00 = _mm256_setzero_ps(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
      for (int l = 0; l < k; l++) {
        __m256 b0 = _mm256_loadu_ps(pq + (size_t)l * 16), b1 = _mm256_loadu_ps(pq + (size_t)l * 16 + 8);
        __m256 x = _mm256_broadcast_ss(a0 + l);
        s00 = _mm256_fmadd_ps(x, b0, s00);
        s01 = _mm256_fmadd_ps(x, b1, s01);
        x = _mm256_broadcast_ss(a1 + l);
        s10 = _mm256_fmadd_ps(x, b0, s10);
        s11 = _mm256_fmadd_ps(x, b1, s11);
        x = _mm256_broadcast_ss(a2 + l);
        s20 = _mm256_fmadd_ps(x, b0, s20);
        s21 = _mm256_fmadd_ps(x, b1, s21);
        x = _mm256_broadcast_ss(a3 + l);
        s30 = _mm256_fmadd_ps(x, b0, s30);
        s31 = _mm256_fmadd_ps(x, b1, s31);
      }
      float* ci = c + (size_t)i * ldc + c0;
      store16(ci, s00, s01, lo, hi);
      store16(ci + ldc, s10, s11, lo, hi);
      store16(ci + 2 * (size_t)ldc, s20, s21, lo, hi);
      store16(ci + 3 * (size_t)ldc, s30, s31, lo, hi);
    }
    for (; i < m; i++) {
      const float* ai = a + (size_t)i * lda;
      __m256 s0 = _mm256_setzero_ps(), s1 = s0;
      for (int l = 0; l < k; l++) {
        __m256 x = _mm256_broadcast_ss(ai + l);
        s0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(pq + (size_t)l * 16), s0);
        s1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(pq + (size_t)l * 16 + 8), s1);
      }
      store16(c + (size_t)i * ldc + c0, s0, s1, lo, hi);
    }
  }
}

// gogru_have_packed reports whether this CPU runs gogru_gemm_packed (AVX2 and FMA).
static int gogru_have_packed(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static void gogru_gemm_packed(int m, int n0, int n1, int k, const float* a, int lda, const float* p, float* c,
                              int ldc) {}
static int gogru_have_packed(void) { return 0; }
#endif
*/
import "C"

// havePackedGemm says whether the packed small GEMM runs on this CPU.
var havePackedGemm = C.gogru_have_packed() != 0

// packB32 packs columns [0, n) of the k×n matrix b (leading dimension ldb) for
// gemmPacked32 into p, which holds packedLen(k, n) elements.
func packB32(p, b []float32, ldb, k, n int) {
	_ = p[packedLen(k, n)-1]
	_ = b[(k-1)*ldb+n-1]
	C.gogru_pack16(f32p(b), C.int(ldb), C.int(k), C.int(n), f32p(p))
}

// gemmPacked32 computes C[:, n0:n1] = A·B[:, n0:n1] for A m×k and B packed by packB32.
func gemmPacked32(m, n0, n1, k int, a []float32, lda int, p []float32, c []float32, ldc int) {
	if m == 0 || n0 >= n1 {
		return
	}
	_ = a[(m-1)*lda+k-1]
	_ = c[(m-1)*ldc+n1-1]
	C.gogru_gemm_packed(C.int(m), C.int(n0), C.int(n1), C.int(k), f32p(a), C.int(lda), f32p(p), f32p(c), C.int(ldc))
}
