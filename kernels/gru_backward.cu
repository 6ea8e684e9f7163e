// Fused pointwise backward kernels of the GRU, one thread per (b, j), run in reverse
// step order. dh [B,H] holds the running gradient w.r.t. the state; dy rows (stride
// ystride) the gradient w.r.t. this step's output. dgx [B,3H] and dgh [B,3H] receive
// the gradients w.r.t. the input and recurrent pre-activations, which the GEMMs after
// the sweep turn into dW_x, dW_h, db_x, db_h and dX. Padding steps pass dh through
// and write zeros. Each kernel's work for one (b, j) is a bwd_*_unit function, which
// the persistent kernel (gru_persistent_backward.cu) calls too.
#pragma once
#include "common.cuh"

// zero_grads writes zero pre-activation gradients for unit j of a padded step.
template <typename T>
__device__ __forceinline__ void zero_grads(T* gx, T* gh, int H, int j) {
  gx[j] = gx[H + j] = gx[2 * H + j] = 0;
  gh[j] = gh[H + j] = gh[2 * H + j] = 0;
}

// bwd_after_unit is gru_bwd_after for (b, j).
template <typename T>
__device__ __forceinline__ void bwd_after_unit(int H, int b, int j, bool pad, const T* gates, const T* hprev,
                                               const T* dy, int ystride, T* dgx, T* dgh, T* dh) {
  int i = b * H + j;
  T* gx = dgx + b * 3 * H;
  T* gh = dgh + b * 3 * H;
  if (pad) {
    zero_grads(gx, gh, H, j);
    return;
  }
  const T* g = gates + b * 4 * H;
  T r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j];
  T d = dh[i] + dy[b * ystride + j];
  T daz = d * (hprev[i] - n) * z * (1 - z);
  T dan = d * (1 - z) * (1 - n * n);
  T dar = dan * hn * r * (1 - r);
  gx[j] = dar;
  gx[H + j] = daz;
  gx[2 * H + j] = dan;
  gh[j] = dar;
  gh[H + j] = daz;
  gh[2 * H + j] = dan * r;
  dh[i] = d * z;
}

// ResetAfter, with d = dH' + dy:
//   da_z = d⊙(H − n)⊙z(1−z)    da_n = d⊙(1−z)⊙(1−n²)    da_r = da_n⊙hn⊙r(1−r)
//   dgx = [da_r, da_z, da_n]    dgh = [da_r, da_z, da_n⊙r]    dH = d⊙z (+ dgh·W_hᵀ by GEMM)
//gogru:kernel
template <typename T>
__device__ void gru_bwd_after_impl(int B, int H, int t, const int* lens, const T* gates, const T* hprev,
                                   const T* dy, int ystride, T* dgx, T* dgh, T* dh) {
  int i = flat_index();
  if (i >= B * H) return;
  int b = i / H, j = i % H;
  bwd_after_unit(H, b, j, t >= lens[b], gates, hprev, dy, ystride, dgx, dgh, dh);
}

// bwd_before1_unit is gru_bwd_before1 for (b, j).
template <typename T>
__device__ __forceinline__ void bwd_before1_unit(int H, int b, int j, bool pad, const T* gates, const T* hprev,
                                                 const T* dy, int ystride, T* dgx, T* dgh, T* dh) {
  int i = b * H + j;
  T* gx = dgx + b * 3 * H;
  T* gh = dgh + b * 3 * H;
  if (pad) {
    zero_grads(gx, gh, H, j);
    return;
  }
  const T* g = gates + b * 4 * H;
  T z = g[H + j], n = g[2 * H + j];
  T d = dh[i] + dy[b * ystride + j];
  T daz = d * (hprev[i] - n) * z * (1 - z);
  T dan = d * (1 - z) * (1 - n * n);
  gx[H + j] = gh[H + j] = daz;
  gx[2 * H + j] = gh[2 * H + j] = dan;
  dh[i] = d;
}

// ResetBefore, first pass, with d = dH' + dy:
//   da_z = d⊙(H − n)⊙z(1−z)    da_n = d⊙(1−z)⊙(1−n²)    (into dgx and dgh); keeps d in dh.
//gogru:kernel
template <typename T>
__device__ void gru_bwd_before1_impl(int B, int H, int t, const int* lens, const T* gates, const T* hprev,
                                     const T* dy, int ystride, T* dgx, T* dgh, T* dh) {
  int i = flat_index();
  if (i >= B * H) return;
  int b = i / H, j = i % H;
  bwd_before1_unit(H, b, j, t >= lens[b], gates, hprev, dy, ystride, dgx, dgh, dh);
}

// bwd_before2_unit is gru_bwd_before2 for (b, j), with drh = d(R⊙H) of (b, j).
template <typename T>
__device__ __forceinline__ void bwd_before2_unit(int H, int b, int j, bool pad, const T* gates, const T* hprev,
                                                 T drh, T* dgx, T* dgh, T* dh) {
  if (pad) return;
  int i = b * H + j;
  const T* g = gates + b * 4 * H;
  T r = g[j], z = g[H + j];
  T dar = drh * hprev[i] * r * (1 - r);
  dgx[b * 3 * H + j] = dar;
  dgh[b * 3 * H + j] = dar;
  dh[i] = dh[i] * z + drh * r;
}

// ResetBefore, second pass, with drh = da_n·W_hnᵀ (the gradient w.r.t. R⊙H):
//   da_r = drh⊙H⊙r(1−r)    dH = d⊙z + drh⊙r (+ [da_r, da_z]·[W_hr, W_hz]ᵀ by GEMM)
//gogru:kernel
template <typename T>
__device__ void gru_bwd_before2_impl(int B, int H, int t, const int* lens, const T* gates, const T* hprev,
                                     const T* drh, T* dgx, T* dgh, T* dh) {
  int i = flat_index();
  if (i >= B * H) return;
  int b = i / H, j = i % H;
  bwd_before2_unit(H, b, j, t >= lens[b], gates, hprev, drh[i], dgx, dgh, dh);
}
