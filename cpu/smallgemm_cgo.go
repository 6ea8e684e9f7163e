//go:build cgo

package cpu

/*
#cgo CFLAGS: -O3
#include <stddef.h>
#include <string.h>

// gogru_pack24 packs the k×n matrix whose element (l, c) is b[l·rs + c·cs] into
// panels of 24 columns, p[(q·k + l)·24 + j] = element (l, 24q + j), with zeros past
// column n. A row-major matrix has rs = its leading dimension and cs = 1; the
// transpose of a row-major n×k matrix, as the backward products dH = dG·W_hᵀ read
// W_h, has rs = 1 and cs = its leading dimension.
static void gogru_pack24(const float* b, long rs, long cs, int k, int n, float* p) {
  int panels = (n + 23) / 24;
  // Blocks of 16 rows of the panel: for a transpose (rs = 1) the 16 reads of a
  // column run along one row of the source, instead of one read per source row.
  for (int q = 0; q < panels; q++)
    for (int l0 = 0; l0 < k; l0 += 16) {
      int l1 = l0 + 16 < k ? l0 + 16 : k;
      for (int j = 0; j < 24; j++) {
        int c = 24 * q + j;
        for (int l = l0; l < l1; l++) p[((size_t)q * k + l) * 24 + j] = c < n ? b[l * rs + c * cs] : 0.0f;
      }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

// store24 writes columns [lo, hi) of a 24-wide row held in three vectors, or with
// acc adds them to what is there (c + sum, one rounding).
__attribute__((target("avx2,fma"))) static inline void store24(float* c, __m256 v0, __m256 v1, __m256 v2, int lo,
                                                               int hi, int acc) {
  if (lo == 0 && hi == 24) {
    if (acc) {
      v0 = _mm256_add_ps(_mm256_loadu_ps(c), v0);
      v1 = _mm256_add_ps(_mm256_loadu_ps(c + 8), v1);
      v2 = _mm256_add_ps(_mm256_loadu_ps(c + 16), v2);
    }
    _mm256_storeu_ps(c, v0);
    _mm256_storeu_ps(c + 8, v1);
    _mm256_storeu_ps(c + 16, v2);
    return;
  }
  float t[24];
  _mm256_storeu_ps(t, v0);
  _mm256_storeu_ps(t + 8, v1);
  _mm256_storeu_ps(t + 16, v2);
  if (acc) {
    for (int j = lo; j < hi; j++) c[j] += t[j];
    return;
  }
  memcpy(c + lo, t + lo, (size_t)(hi - lo) * sizeof(float));
}

// gogru_gemm_packed computes C[:, n0:n1] = A·B[:, n0:n1] (with acc, C[:, n0:n1] +=
// A·B[:, n0:n1], each element c + sum) for row-major A (m×k, leading dimension lda)
// and B packed by gogru_pack24, into row-major C (leading
// dimension ldc): for each 24-column panel, 4 rows at a time with 12 accumulators
// (4 rows × 3 vectors), three loads of B and one broadcast of A per row and step of
// k. Each element is the chain c = fma(a[i,l], b[l,j], c) over l = 0, 1, …, k−1,
// whatever the panel width. No packing happens here: B was packed once for every
// time step.
//
// Twelve accumulators cover the FMA latency of two FMA units with room to spare,
// and 7 loads feed 12 FMAs (the 16-column panels this replaced fed 8 FMAs with 6
// loads). The 4×24 block needs all 16 vector registers (12 sums, 3 of B, 1 of A).
__attribute__((target("avx2,fma"))) static void gogru_gemm_packed(int m, int n0, int n1, int k, const float* a,
                                                                    int lda, const float* p, float* c, int ldc,
                                                                    int acc) {
  for (int q = n0 / 24; q < (n1 + 23) / 24; q++) {
    const float* pq = p + (size_t)q * k * 24;
    int c0 = 24 * q, lo = n0 > c0 ? n0 - c0 : 0, hi = n1 - c0 < 24 ? n1 - c0 : 24;
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      const float *a0 = a + (size_t)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
      __m256 s00 = _mm256_setzero_ps(), s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00;
      __m256 s20 = s00, s21 = s00, s22 = s00, s30 = s00, s31 = s00, s32 = s00;
      for (int l = 0; l < k; l++) {
        const float* pl = pq + (size_t)l * 24;
        __m256 b0 = _mm256_loadu_ps(pl), b1 = _mm256_loadu_ps(pl + 8), b2 = _mm256_loadu_ps(pl + 16);
        __m256 x = _mm256_broadcast_ss(a0 + l);
        s00 = _mm256_fmadd_ps(x, b0, s00);
        s01 = _mm256_fmadd_ps(x, b1, s01);
        s02 = _mm256_fmadd_ps(x, b2, s02);
        x = _mm256_broadcast_ss(a1 + l);
        s10 = _mm256_fmadd_ps(x, b0, s10);
        s11 = _mm256_fmadd_ps(x, b1, s11);
        s12 = _mm256_fmadd_ps(x, b2, s12);
        x = _mm256_broadcast_ss(a2 + l);
        s20 = _mm256_fmadd_ps(x, b0, s20);
        s21 = _mm256_fmadd_ps(x, b1, s21);
        s22 = _mm256_fmadd_ps(x, b2, s22);
        x = _mm256_broadcast_ss(a3 + l);
        s30 = _mm256_fmadd_ps(x, b0, s30);
        s31 = _mm256_fmadd_ps(x, b1, s31);
        s32 = _mm256_fmadd_ps(x, b2, s32);
      }
      float* ci = c + (size_t)i * ldc + c0;
      store24(ci, s00, s01, s02, lo, hi, acc);
      store24(ci + ldc, s10, s11, s12, lo, hi, acc);
      store24(ci + 2 * (size_t)ldc, s20, s21, s22, lo, hi, acc);
      store24(ci + 3 * (size_t)ldc, s30, s31, s32, lo, hi, acc);
    }
    for (; i < m; i++) {
      const float* ai = a + (size_t)i * lda;
      __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0;
      for (int l = 0; l < k; l++) {
        const float* pl = pq + (size_t)l * 24;
        __m256 x = _mm256_broadcast_ss(ai + l);
        s0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(pl), s0);
        s1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(pl + 8), s1);
        s2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(pl + 16), s2);
      }
      store24(c + (size_t)i * ldc + c0, s0, s1, s2, lo, hi, acc);
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
                              int ldc, int acc) {}
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
	C.gogru_pack24(f32p(b), C.long(ldb), 1, C.int(k), C.int(n), f32p(p))
}

// gemmPacked32 computes C[:, n0:n1] = A·B[:, n0:n1] for A m×k and B packed by
// packB32 or packBT32.
func gemmPacked32(m, n0, n1, k int, a []float32, lda int, p []float32, c []float32, ldc int) {
	gemmPackedC(m, n0, n1, k, a, lda, p, c, ldc, 0)
}

// packBT32 packs the k×n matrix wᵀ (w n×k, leading dimension ldw) for gemmPacked32
// and gemmPackedAdd32 into p, which holds packedLen(k, n) elements.
func packBT32(p, w []float32, ldw, k, n int) {
	_ = p[packedLen(k, n)-1]
	_ = w[(n-1)*ldw+k-1]
	C.gogru_pack24(f32p(w), 1, C.long(ldw), C.int(k), C.int(n), f32p(p))
}

// gemmPackedAdd32 computes C[:, n0:n1] += A·B[:, n0:n1] for A m×k and B packed by
// packB32 or packBT32: each element c + (its chain of FMAs), rounded once more.
func gemmPackedAdd32(m, n0, n1, k int, a []float32, lda int, p []float32, c []float32, ldc int) {
	gemmPackedC(m, n0, n1, k, a, lda, p, c, ldc, 1)
}

// gemmPackedC checks the operands' bounds and runs gogru_gemm_packed.
func gemmPackedC(m, n0, n1, k int, a []float32, lda int, p []float32, c []float32, ldc int, acc C.int) {
	if m == 0 || n0 >= n1 {
		return
	}
	_ = a[(m-1)*lda+k-1]
	_ = c[(m-1)*ldc+n1-1]
	C.gogru_gemm_packed(C.int(m), C.int(n0), C.int(n1), C.int(k), f32p(a), C.int(lda), f32p(p), f32p(c), C.int(ldc), acc)
}
