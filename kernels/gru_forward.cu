// Fused pointwise forward kernels of the GRU, one thread per (batch row b, unit j).
// Layouts (row-major, H hidden units):
//   xp [B,3H]  X·W_x + b_x for this time step        hh [B,3H] recurrent GEMM output
//   gates [B,4H]  saved r | z | n | hn (ResetAfter) or R⊙H (ResetBefore)
//   hprev, hnext [B,H]   y: output rows with stride ystride (this direction's columns)
//   lens [B]   valid length of each sequence; step t of sequence b is padding when t ≥ lens[b]
// Each kernel's work for one (b, j) is a fwd_*_unit function, which the persistent
// kernels (gru_persistent_forward.cu) call too: u points at the recurrent product of
// the r gate of (b, j), and those of the z and n gates follow ustride elements apart.
#pragma once
#include "common.cuh"

// carry passes the state through a padded step and zeroes its output.
template <typename T>
__device__ __forceinline__ void carry(T h, int i, int b, int j, T* hnext, T* y, int ystride) {
  hnext[i] = h;
  y[b * ystride + j] = 0;
}

// fwd_after_unit is gru_fwd_after for (b, j).
template <typename T>
__device__ __forceinline__ void fwd_after_unit(int H, int b, int j, bool pad, const T* xp, const T* u, int ustride,
                                               const T* bh, const T* hprev, T* hnext, T* gates, T* y, int ystride) {
  int i = b * H + j;
  T h = hprev[i];
  if (pad) {
    carry(h, i, b, j, hnext, y, ystride);
    return;
  }
  const T* x = xp + b * 3 * H;
  T r = sigmoid_(x[j] + u[0] + bh[j]);
  T z = sigmoid_(x[H + j] + u[ustride] + bh[H + j]);
  T hn = u[2 * ustride] + bh[2 * H + j];
  T n = tanh_(x[2 * H + j] + r * hn);
  T out = z * h + (1 - z) * n;
  T* g = gates + b * 4 * H;
  g[j] = r;
  g[H + j] = z;
  g[2 * H + j] = n;
  g[3 * H + j] = hn;
  hnext[i] = out;
  y[b * ystride + j] = out;
}

// ResetAfter (cuDNN/PyTorch):
//   r = σ(xp_r + hh_r + bh_r)    z = σ(xp_z + hh_z + bh_z)    hn = hh_n + bh_n
//   n = tanh(xp_n + r⊙hn)        H' = z⊙H + (1−z)⊙n
// Padding: H' = H, y = 0.
//gogru:kernel
template <typename T>
__device__ void gru_fwd_after_impl(int B, int H, int t, const int* lens, const T* xp, const T* hh,
                                   const T* bh, const T* hprev, T* hnext, T* gates, T* y, int ystride) {
  int i = flat_index();
  if (i >= B * H) return;
  int b = i / H, j = i % H;
  fwd_after_unit(H, b, j, t >= lens[b], xp, hh + b * 3 * H + j, H, bh, hprev, hnext, gates, y, ystride);
}

// fwd_before1_unit is gru_fwd_before1 for (b, j).
template <typename T>
__device__ __forceinline__ void fwd_before1_unit(int H, int b, int j, bool pad, const T* xp, const T* u, int ustride,
                                                 const T* bh, const T* hprev, T* gates) {
  T* g = gates + b * 4 * H;
  if (pad) {
    g[j] = 0;
    g[H + j] = 0;
    g[2 * H + j] = 0;
    g[3 * H + j] = 0;
    return;
  }
  const T* x = xp + b * 3 * H;
  T r = sigmoid_(x[j] + u[0] + bh[j]);
  T z = sigmoid_(x[H + j] + u[ustride] + bh[H + j]);
  g[j] = r;
  g[H + j] = z;
  g[3 * H + j] = r * hprev[b * H + j];
}

// ResetBefore (D2L), first pass, before the (R⊙H)·W_hn GEMM:
//   r = σ(xp_r + hh_r + bh_r)    z = σ(xp_z + hh_z + bh_z)    saves R⊙H
// Padding: r = z = R⊙H = 0, so the GEMM reads defined values.
//gogru:kernel
template <typename T>
__device__ void gru_fwd_before1_impl(int B, int H, int t, const int* lens, const T* xp, const T* hh,
                                     const T* bh, const T* hprev, T* gates) {
  int i = flat_index();
  if (i >= B * H) return;
  int b = i / H, j = i % H;
  fwd_before1_unit(H, b, j, t >= lens[b], xp, hh + b * 3 * H + j, H, bh, hprev, gates);
}

// fwd_before2_unit is gru_fwd_before2 for (b, j), with un = hh_n of (b, j).
template <typename T>
__device__ __forceinline__ void fwd_before2_unit(int H, int b, int j, bool pad, const T* xp, const T* un,
                                                 const T* bh, const T* hprev, T* hnext, T* gates, T* y, int ystride) {
  int i = b * H + j;
  T h = hprev[i];
  if (pad) {
    carry(h, i, b, j, hnext, y, ystride);
    return;
  }
  T* g = gates + b * 4 * H;
  T z = g[H + j];
  T n = tanh_(xp[b * 3 * H + 2 * H + j] + *un + bh[2 * H + j]);
  T out = z * h + (1 - z) * n;
  g[2 * H + j] = n;
  hnext[i] = out;
  y[b * ystride + j] = out;
}

// ResetBefore, second pass, with hh_n = (R⊙H)·W_hn:
//   n = tanh(xp_n + hh_n + bh_n)    H' = z⊙H + (1−z)⊙n
// Padding: H' = H, y = 0.
//gogru:kernel
template <typename T>
__device__ void gru_fwd_before2_impl(int B, int H, int t, const int* lens, const T* xp, const T* hh,
                                     const T* bh, const T* hprev, T* hnext, T* gates, T* y, int ystride) {
  int i = flat_index();
  if (i >= B * H) return;
  int b = i / H, j = i % H;
  fwd_before2_unit(H, b, j, t >= lens[b], xp, hh + b * 3 * H + 2 * H + j, bh, hprev, hnext, gates, y, ystride);
}
