// Optimiser updates, one thread per parameter element.
#include "common.cuh"

// SGD as torch.optim.SGD (dampening 0, Nesterov off), with momentum μ, L2 weight decay λ
// and the learning rate read from lr[0], so that a recorded step follows a schedule:
//   d = g + λ·p    buf ← μ·buf + d    p ← p − lr·buf
// buf is null when μ = 0; then p ← p − lr·d. (torch's first step sets buf = d, which
// μ·0 + d is, so a zeroed buf needs no step count.)
//gogru:kernel
template <typename T>
__device__ void sgd_impl(int n, double momentum, double wd, const T* lr, T* p, const T* g, T* buf) {
  int i = flat_index();
  if (i >= n) return;
  T d = g[i];
  if (wd != 0) d += (T)wd * p[i];
  if (buf != nullptr) {
    d += (T)momentum * buf[i];
    buf[i] = d;
  }
  p[i] -= lr[0] * d;
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

// AdamW (Loshchilov & Hutter; Adam, Kingma & Ba, when λ = 0) as torch.optim.AdamW, at step
// t = step[0] ≥ 1 with the learning rate read from lr[0], both one-element tensors of the
// backend's type (torch's capturable AdamW keeps its state_steps as float tensors too), and
// the bias corrections c1 = 1 − β1ᵗ and c2 = 1 − β2ᵗ computed here:
//   p ← p·(1 − lr·λ)    m ← β1·m + (1−β1)·g    v ← β2·v + (1−β2)·g²
//   p ← p − lr·(m/c1) / (√(v/c2) + ε)
// t is read as a whole number, capped at 2³¹−1; a float32 holds every step exactly up to
// 2²⁴, far past where the corrections reach 1.
//gogru:kernel
template <typename T>
__device__ void adamw_impl(int n, double b1, double b2, double eps, double wd, const T* step, const T* lr,
                           T* p, const T* g, T* m, T* v) {
  int i = flat_index();
  if (i >= n) return;
  double ts = (double)step[0];
  int t = ts < 2147483647.0 ? (int)ts : 2147483647;
  double rate = (double)lr[0];
  double c1 = 1 - power(b1, t), c2 = 1 - power(b2, t);
  T pi = p[i];
  if (wd != 0) pi *= (T)(1 - rate * wd);
  T mi = (T)b1 * m[i] + (T)(1 - b1) * g[i];
  T vi = (T)b2 * v[i] + (T)(1 - b2) * g[i] * g[i];
  m[i] = mi;
  v[i] = vi;
  p[i] = pi - (T)(rate * ((double)mi / c1) / (sqrt((double)vi / c2) + eps));
}
