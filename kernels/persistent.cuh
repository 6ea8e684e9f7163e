// What the persistent GRU kernels (gru_persistent_forward.cu and
// gru_persistent_backward.cu) share. Each runs every step of one layer-direction
// in one cooperative launch: block k owns the hidden units [k·U, k·U + U) (U =
// units, the last block fewer) and keeps the part of W_h those units need in its
// shared memory for the whole launch, loaded once. Per step it reads the state (or
// the gradients) of all units from global memory through a tile in shared memory,
// multiplies them with its slice, runs the same per-unit pointwise code as the
// step kernels, and meets the other blocks at grid_sync before anything reads what
// it wrote. The launch geometry is chosen in Go (cuda/persistent.go, planPersistent).
#pragma once
#include "common.cuh"

#define GOGRU_PERSIST_ROWS 4          // rows of one column each thread of a persistent kernel sums in registers
#define GOGRU_PERSIST_TILE_K 32       // columns of the staged rows (src) a persistent kernel's tile holds
#define GOGRU_PERSIST_TILE_STRIDE 33  // the tile's row stride: one past its width, so a column's rows differ in bank
static_assert(GOGRU_PERSIST_TILE_STRIDE == GOGRU_PERSIST_TILE_K + 1, "the tile's stride is its width plus one");

// load_cross reads global memory that other blocks wrote during this launch
// (before the last grid_sync) through L2 only (ld.global.cg): never from a line this
// multiprocessor's L1 cached earlier, such as the start of the next step's slot,
// which shares a line with the end of this one.
template <typename T>
__device__ __forceinline__ T load_cross(const T* p) {
#ifdef GOGRU_SIM
  return *p;
#else
  return __ldcg(p);
#endif
}

// tile_products computes, for b < B and c < ncols,
//   out[b·ldo + c] = Σ_{k<K} src[b·lds + k] · w[k·ldw + c]
// with w in shared memory and src in global memory, where other blocks wrote it
// before the last grid_sync (so it is read with load_cross). Thread tid takes
// column c = tid mod ncols and row group g = tid / ncols of G = ⌊blockDim.x /
// ncols⌋ (so ncols ≤ blockDim.x; the threads past G·ncols only stage), and sums
// rows g, g + G, … (GOGRU_PERSIST_ROWS of them) of its column in registers,
// reading each w once for all of them. The rows go in passes of
// min(G·GOGRU_PERSIST_ROWS, tile_rows); within a pass, src is staged
// GOGRU_PERSIST_TILE_K columns at a time through tile (tile_rows rows of
// GOGRU_PERSIST_TILE_STRIDE), with coalesced loads. Every thread of the block must
// call it; it starts and ends with __syncthreads, so out is complete on return and
// the caller may overwrite what it read before the call.
template <typename T>
__device__ void tile_products(int B, int K, int ncols, const T* src, int lds, const T* w, int ldw, T* tile,
                              int tile_rows, T* out, int ldo) {
  const int tid = threadIdx.x, nthreads = blockDim.x;
  const int groups = nthreads / ncols, c = tid % ncols, g = tid / ncols;
  const bool sums = g < groups;
  int rows = groups * GOGRU_PERSIST_ROWS;
  if (rows > tile_rows) rows = tile_rows;
  for (int b0 = 0; b0 < B; b0 += rows) {
    const int nb = B - b0 < rows ? B - b0 : rows;
    T acc[GOGRU_PERSIST_ROWS];
    for (int p = 0; p < GOGRU_PERSIST_ROWS; p++) acc[p] = 0;
    for (int k0 = 0; k0 < K; k0 += GOGRU_PERSIST_TILE_K) {
      const int nk = K - k0 < GOGRU_PERSIST_TILE_K ? K - k0 : GOGRU_PERSIST_TILE_K;
      __syncthreads();  // the tile is free
      for (int e = tid; e < nb * GOGRU_PERSIST_TILE_K; e += nthreads) {
        int r = e / GOGRU_PERSIST_TILE_K, kk = e % GOGRU_PERSIST_TILE_K;
        if (kk < nk) tile[r * GOGRU_PERSIST_TILE_STRIDE + kk] = load_cross(&src[(b0 + r) * lds + k0 + kk]);
      }
      __syncthreads();
      if (sums) {
        for (int kk = 0; kk < nk; kk++) {
          const T wv = w[(k0 + kk) * ldw + c];
          for (int p = 0; p < GOGRU_PERSIST_ROWS; p++) {
            const int r = g + p * groups;
            if (r < nb) acc[p] += tile[r * GOGRU_PERSIST_TILE_STRIDE + kk] * wv;
          }
        }
      }
    }
    if (sums)
      for (int p = 0; p < GOGRU_PERSIST_ROWS; p++) {
        const int r = g + p * groups;
        if (r < nb) out[(b0 + r) * ldo + c] = acc[p];
      }
  }
  __syncthreads();
}

// load_columns copies into w, for a block owning units [j0, j0 + nu) of H, its
// columns of W_h [H, 3H] for the forward pass, padded with zeros to U units:
//   w[k·3U + g·U + u] = W_h[k, g·H + j0 + u]   (gate g, k < H, u < U; 0 for u ≥ nu)
template <typename T>
__device__ void load_columns(int H, int U, int j0, int nu, const T* wh, T* w) {
  const int C = 3 * U;
  for (int e = threadIdx.x; e < H * C; e += blockDim.x) {
    int k = e / C, gu = e % C, g = gu / U, u = gu % U;
    w[e] = u < nu ? wh[k * 3 * H + g * H + j0 + u] : T(0);
  }
}

// load_rows copies into w, for a block owning units [j0, j0 + nu) of H, its rows
// of W_h [H, 3H] for the backward pass, transposed and padded with zeros to U:
//   w[c·U + u] = W_h[j0 + u, c]   (c < 3H, u < U; 0 for u ≥ nu)
template <typename T>
__device__ void load_rows(int H, int U, int j0, int nu, const T* wh, T* w) {
  for (int e = threadIdx.x; e < U * 3 * H; e += blockDim.x) {
    int u = e / (3 * H), c = e % (3 * H);
    w[c * U + u] = u < nu ? wh[(j0 + u) * 3 * H + c] : T(0);
  }
}
