// The persistent backward kernels of the GRU: one cooperative launch runs the
// reverse sweep of one layer-direction (see persistent.cuh); the big GEMMs for
// dW_x, dW_h, dX and the bias sums follow as for the step kernels. Layouts as for
// those (gru_backward.cu), over all steps: gates [T,B,4H] and hs [(T+1),B,H] as the
// forward pass saved them (by step), dy rows of stride ystride (by time t), dgx
// [T,B,3H] (by t), dgh [T,B,3H] (by step), and dh [B,H], the gradient w.r.t. the
// last state on entry and w.r.t. h0 on return. A block's dynamic shared memory
// holds, in elements:
//   w      3H·U     its rows of W_h, transposed (load_rows)
//   tile   tile_rows·GOGRU_PERSIST_TILE_STRIDE
//   prod   B·U      the products dG·W_hᵀ of its units for every row
// A block reads and writes dh only at its own units, each (b, j) always on the same
// thread (the loops over b·nu match), so a step needs no barrier at its end: the
// next step writes the next slot of dgh.
#include "gru_backward.cu"
#include "persistent.cuh"

// persist_backward runs the reverse sweep; before selects ResetBefore.
template <typename T>
__device__ void persist_backward(bool before, int B, int H, int steps, int reverse, int units, int tile_rows,
                                 const int* lens, const T* wh, const T* gates, const T* hs, const T* dy, int ystride,
                                 T* dgx, T* dgh, T* dh, unsigned* bar) {
  const int U = units, j0 = blockIdx.x * U, nu = H - j0 < U ? H - j0 : U;
  T* w = dynamic_shared<T>();
  T* tile = w + 3 * H * U;
  T* prod = tile + tile_rows * GOGRU_PERSIST_TILE_STRIDE;
  load_rows(H, U, j0, nu, wh, w);  // read after grid_sync
  for (int s = steps - 1; s >= 0; s--) {
    const int t = reverse ? steps - 1 - s : s;
    const T* g = gates + (long)s * B * 4 * H;  // step offsets in long: T·B·4H may pass 2³¹
    const T* hprev = hs + (long)s * B * H;
    const T* dyt = dy + (long)t * B * ystride;
    T* gx = dgx + (long)t * B * 3 * H;
    T* gh = dgh + (long)s * B * 3 * H;
    for (int e = threadIdx.x; e < B * nu; e += blockDim.x) {
      int b = e / nu, j = j0 + e % nu;
      if (before)
        bwd_before1_unit(H, b, j, t >= lens[b], g, hprev, dyt, ystride, gx, gh, dh);
      else
        bwd_after_unit(H, b, j, t >= lens[b], g, hprev, dyt, ystride, gx, gh, dh);
    }
    grid_sync(bar);  // every unit's dgh of this step is written
    if (before) {
      tile_products(B, H, U, gh + 2 * H, 3 * H, w + 2 * H * U, U, tile, tile_rows, prod, U);
      for (int e = threadIdx.x; e < B * nu; e += blockDim.x) {
        int b = e / nu, u = e % nu;
        bwd_before2_unit(H, b, j0 + u, t >= lens[b], g, hprev, prod[b * U + u], gx, gh, dh);
      }
      grid_sync(bar);  // every unit's da_r is in dgh
    }
    tile_products(B, before ? 2 * H : 3 * H, U, gh, 3 * H, w, U, tile, tile_rows, prod, U);
    for (int e = threadIdx.x; e < B * nu; e += blockDim.x) {
      int b = e / nu, u = e % nu;
      dh[b * H + j0 + u] += prod[b * U + u];
    }
  }
}

// ResetAfter, every step s of the direction from the last (t its time), block k's
// units j:
//   gru_bwd_after's pointwise step for (b, j): dgx_t, dgh_s and dH = d⊙z
//   grid_sync
//   dH[b, j] += dgh_s[b, :]·W_h[j, :]ᵀ                            (tile_products)
//gogru:kernel cooperative
template <typename T>
__device__ void gru_persist_bwd_after_impl(int B, int H, int steps, int reverse, int units, int tile_rows,
                                           const int* lens, const T* wh, const T* gates, const T* hs, const T* dy,
                                           int ystride, T* dgx, T* dgh, T* dh, unsigned* bar) {
  persist_backward(false, B, H, steps, reverse, units, tile_rows, lens, wh, gates, hs, dy, ystride, dgx, dgh, dh, bar);
}

// ResetBefore, every step s of the direction from the last (t its time), block
// k's units j:
//   gru_bwd_before1's da_z, da_n into dgx_t and dgh_s; dH = d
//   grid_sync
//   drh[b, j] = da_n[b, :]·W_h[j, 2H:]ᵀ; gru_bwd_before2's da_r, dH = d⊙z + drh⊙r
//   grid_sync
//   dH[b, j] += [da_r da_z][b, :]·W_h[j, :2H]ᵀ
//gogru:kernel cooperative
template <typename T>
__device__ void gru_persist_bwd_before_impl(int B, int H, int steps, int reverse, int units, int tile_rows,
                                            const int* lens, const T* wh, const T* gates, const T* hs, const T* dy,
                                            int ystride, T* dgx, T* dgh, T* dh, unsigned* bar) {
  persist_backward(true, B, H, steps, reverse, units, tile_rows, lens, wh, gates, hs, dy, ystride, dgx, dgh, dh, bar);
}
