// Optimiser updates, one thread per parameter element.
#include "common.cuh"

// SGD: p ← p − lr·g.
//gogru:kernel
template <typename T>
__device__ void sgd_impl(int n, T lr, T* p, const T* g) {
  int i = flat_index();
  if (i < n) p[i] -= lr * g[i];
}

// Adam (Kingma & Ba) with bias corrections c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ:
//   m ← β1·m + (1−β1)·g    v ← β2·v + (1−β2)·g²    p ← p − lr·(m/c1) / (√(v/c2) + ε)
//gogru:kernel
template <typename T>
__device__ void adam_impl(int n, double lr, double b1, double b2, double eps, double c1, double c2, T* p,
                          const T* g, T* m, T* v) {
  int i = flat_index();
  if (i >= n) return;
  T mi = (T)b1 * m[i] + (T)(1 - b1) * g[i];
  T vi = (T)b2 * v[i] + (T)(1 - b2) * g[i] * g[i];
  m[i] = mi;
  v[i] = vi;
  p[i] -= (T)(lr * ((double)mi / c1) / (sqrt((double)vi / c2) + eps));
}
