// Dropout with masks from a counter-based generator, one thread per element.
#include "common.cuh"

// philox4x32_10 returns Philox4x32-10 (Salmon et al., SC 2011; Random123, cuRAND) of the
// counter c under key (k0, k1): ten rounds of
//   (hi0, lo0) = M0·c0    (hi1, lo1) = M1·c2    c = (hi1 ⊕ c1 ⊕ k0, lo1, hi0 ⊕ c3 ⊕ k1, lo0)
// with M0 = 0xD2511F53, M1 = 0xCD9E8D57, and the key advanced by (0x9E3779B9, 0xBB67AE85)
// between rounds; gru/backendkit.Philox4x32 is the same in Go. word picks the output word.
__device__ __forceinline__ unsigned philox4x32_10(unsigned c0, unsigned c1, unsigned c2, unsigned c3, unsigned k0,
                                                  unsigned k1, int word) {
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    unsigned long long p0 = (unsigned long long)0xD2511F53u * c0;
    unsigned long long p1 = (unsigned long long)0xCD9E8D57u * c2;
    unsigned hi0 = (unsigned)(p0 >> 32), lo0 = (unsigned)p0;
    unsigned hi1 = (unsigned)(p1 >> 32), lo1 = (unsigned)p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  return word == 0 ? c0 : word == 1 ? c1 : word == 2 ? c2 : c3;
}

// Dropout of x into y (y may be x) with the mask of gru.Ops.Dropout: for element i, with
// the key (key0, key1) and counter (⌊i/4⌋, stream, step[0], 0),
//   r = philox4x32_10(counter, key)[i mod 4]    y[i] = r ≥ θ ? x[i]·scale : 0
// The 32-bit θ, key words and stream come as ints and are read back as unsigned.
// step[0] is read here, so a recorded launch draws the mask of the step written since.
//gogru:kernel
template <typename T>
__device__ void dropout_impl(int n, int theta, int key0, int key1, int stream, double scale, const int* step,
                             const T* x, T* y) {
  int i = flat_index();
  if (i >= n) return;
  unsigned r = philox4x32_10((unsigned)(i >> 2), (unsigned)stream, (unsigned)step[0], 0u, (unsigned)key0,
                             (unsigned)key1, i & 3);
  y[i] = r >= (unsigned)theta ? x[i] * (T)scale : (T)0;
}
