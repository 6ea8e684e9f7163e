// Optimiser updates, one thread per parameter element.
#include "common.cuh"

// SGD: p ← p − lr·g.
//gogru:kernel
template <typename T>
__device__ void sgd_impl(int n, T lr, T* p, const T* g) {
  int i = flat_index();
  if (i < n) p[i] -= lr * g[i];
}

// power returns x^t for an integer t ≥ 1, the way Go's math.Pow computes it (repeated
// squaring of frexp's mantissa, the powers of two kept apart, one ldexp at the end),
// so that Adam's corrections here equal those the CPU backend takes from math.Pow,
// bit for bit, and cost a few dozen multiplies instead of a general pow.
__device__ __forceinline__ double power(double x, int t) {
  if (x == 1 || x == 0 || t == 1) return x == 1 ? 1 : x;
  double a1 = 1;
  int ae = 0, xe;
  double x1 = frexp(x, &xe);
  for (int i = t; i != 0; i >>= 1) {
    if (xe < -(1 << 12) || (1 << 12) < xe) {  // the result under- or overflows: stop
      ae += xe;
      break;
    }
    if (i & 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < .5) {
      x1 += x1;
      xe--;
    }
  }
  return ldexp(a1, ae);
}

// Adam (Kingma & Ba) at step t = step[0] ≥ 1, with the bias corrections c1 = 1 − β1ᵗ and
// c2 = 1 − β2ᵗ computed here, so that a recorded step stays right as t grows:
//   m ← β1·m + (1−β1)·g    v ← β2·v + (1−β2)·g²    p ← p − lr·(m/c1) / (√(v/c2) + ε)
//gogru:kernel
template <typename T>
__device__ void adam_impl(int n, double lr, double b1, double b2, double eps, const int* step, T* p,
                          const T* g, T* m, T* v) {
  int i = flat_index();
  if (i >= n) return;
  int t = step[0];
  double c1 = 1 - power(b1, t), c2 = 1 - power(b2, t);
  T mi = (T)b1 * m[i] + (T)(1 - b1) * g[i];
  T vi = (T)b2 * v[i] + (T)(1 - b2) * g[i] * g[i];
  m[i] = mi;
  v[i] = vi;
  p[i] -= (T)(lr * ((double)mi / c1) / (sqrt((double)vi / c2) + eps));
}
