// The persistent forward kernels of the GRU: one cooperative launch runs all steps
// of one layer-direction (see persistent.cuh). Layouts as for the step kernels
// (gru_forward.cu), over all steps: xproj [T,B,3H] (X·W_x + b_x, by time t), hs
// [(T+1),B,H] (states in processing order, hs[0] = h0), gates [T,B,4H] (by step), y
// rows of stride ystride (this direction's columns, by t). The direction runs
// forwards in time (reverse 0: step s is t = s) or backwards (reverse 1: t = T−1−s).
// A block's dynamic shared memory holds, in elements:
//   w      H·3U     its columns of W_h (load_columns)
//   tile   tile_rows·GOGRU_PERSIST_TILE_STRIDE
//   prod   B·3U     the recurrent products of its units for every row
// bar is the grid barrier's two zeroed words (grid_sync).
#include "gru_forward.cu"
#include "persistent.cuh"

// persist_forward runs the steps; before selects ResetBefore.
template <typename T>
__device__ void persist_forward(bool before, int B, int H, int steps, int reverse, int units, int tile_rows,
                                const int* lens, const T* xproj, const T* wh, const T* bh, T* hs, T* gates, T* y,
                                int ystride, unsigned* bar) {
  const int U = units, C = 3 * U, j0 = blockIdx.x * U, nu = H - j0 < U ? H - j0 : U;
  T* w = dynamic_shared<T>();
  T* tile = w + H * C;
  T* prod = tile + tile_rows * GOGRU_PERSIST_TILE_STRIDE;
  load_columns(H, U, j0, nu, wh, w);  // tile_products starts with __syncthreads
  for (int s = 0; s < steps; s++) {
    const int t = reverse ? steps - 1 - s : s;
    const T* hprev = hs + (long)s * B * H;  // step offsets in long: T·B·4H may pass 2³¹
    T* hnext = hs + (long)(s + 1) * B * H;
    const T* xp = xproj + (long)t * B * 3 * H;
    T* g = gates + (long)s * B * 4 * H;
    T* yt = y + (long)t * B * ystride;
    if (!before) {
      tile_products(B, H, C, hprev, H, w, C, tile, tile_rows, prod, C);
      for (int e = threadIdx.x; e < B * nu; e += blockDim.x) {
        int b = e / nu, u = e % nu;
        fwd_after_unit(H, b, j0 + u, t >= lens[b], xp, prod + b * C + u, U, bh, hprev, hnext, g, yt, ystride);
      }
    } else {
      tile_products(B, H, 2 * U, hprev, H, w, C, tile, tile_rows, prod, C);
      for (int e = threadIdx.x; e < B * nu; e += blockDim.x) {
        int b = e / nu, u = e % nu;
        fwd_before1_unit(H, b, j0 + u, t >= lens[b], xp, prod + b * C + u, U, bh, hprev, g);
      }
      grid_sync(bar);  // R⊙H of every unit is in gates
      tile_products(B, H, U, g + 3 * H, 4 * H, w + 2 * U, C, tile, tile_rows, prod + 2 * U, C);
      for (int e = threadIdx.x; e < B * nu; e += blockDim.x) {
        int b = e / nu, u = e % nu;
        fwd_before2_unit(H, b, j0 + u, t >= lens[b], xp, prod + b * C + 2 * U + u, bh, hprev, hnext, g, yt, ystride);
      }
    }
    if (s + 1 < steps) grid_sync(bar);  // every unit's H' is in hs before the next step reads it
  }
}

// ResetAfter, every step s of the direction (t its time), block k's units j:
//   [hh_r hh_z hh_n][b, j] = H_{s}[b, :]·W_h[:, {j, H+j, 2H+j}]      (tile_products)
//   then gru_fwd_after's pointwise step for (b, j): r, z, hn, n, H_{s+1}, y_t, gates
//   grid_sync
//gogru:kernel cooperative
template <typename T>
__device__ void gru_persist_fwd_after_impl(int B, int H, int steps, int reverse, int units, int tile_rows,
                                           const int* lens, const T* xproj, const T* wh, const T* bh, T* hs,
                                           T* gates, T* y, int ystride, unsigned* bar) {
  persist_forward(false, B, H, steps, reverse, units, tile_rows, lens, xproj, wh, bh, hs, gates, y, ystride, bar);
}

// ResetBefore, every step s of the direction (t its time), block k's units j:
//   [hh_r hh_z][b, j] = H_{s}[b, :]·W_h[:, {j, H+j}]; gru_fwd_before1's r, z, R⊙H
//   grid_sync
//   hh_n[b, j] = (R⊙H)[b, :]·W_h[:, 2H+j]; gru_fwd_before2's n, H_{s+1}, y_t
//   grid_sync
//gogru:kernel cooperative
template <typename T>
__device__ void gru_persist_fwd_before_impl(int B, int H, int steps, int reverse, int units, int tile_rows,
                                            const int* lens, const T* xproj, const T* wh, const T* bh, T* hs,
                                            T* gates, T* y, int ystride, unsigned* bar) {
  persist_forward(true, B, H, steps, reverse, units, tile_rows, lens, xproj, wh, bh, hs, gates, y, ystride, bar);
}
