// Deterministic reductions: every sum is taken in a fixed order (per-thread strided
// loops, then a fixed shared-memory tree), never with atomicAdd, so results are
// reproducible run to run.
#include "common.cuh"

#define SUM_ROWS_TX 32  // columns per block
#define SUM_ROWS_TY 8   // row lanes per block

// Column sums for bias gradients, block (32, 8), grid ceil(cols/32):
//   dst[c] = beta·dst[c] + Σ_r src[r, c]
// Lane ty adds rows ty, ty+8, …; then lane 0 adds the 8 lane sums in order.
template <typename T>
__device__ void sum_rows_impl(int rows, int cols, const T* src, T* dst, T beta) {
  __shared__ T part[SUM_ROWS_TY][SUM_ROWS_TX];
  int c = blockIdx.x * SUM_ROWS_TX + threadIdx.x;
  T s = 0;
  if (c < cols)
    for (int r = threadIdx.y; r < rows; r += SUM_ROWS_TY) s += src[(long)r * cols + c];
  part[threadIdx.y][threadIdx.x] = s;
  __syncthreads();
  if (threadIdx.y == 0 && c < cols) {
    T total = 0;
    for (int k = 0; k < SUM_ROWS_TY; k++) total += part[k][threadIdx.x];
    dst[c] = beta * dst[c] + total;
  }
}
#define SUM_ROWS_PARAMS(T) (int rows, int cols, const T* src, T* dst, T beta)
GOGRU_BOTH(sum_rows, SUM_ROWS_PARAMS, (rows, cols, src, dst, beta))

// Partial sums of squares in double, block GOGRU_REDUCE, any grid:
//   partial[blockIdx.x] = Σ_{k ≡ this block's threads} x[k]²
template <typename T>
__device__ void sum_squares_impl(int n, const T* x, double* partial) {
  __shared__ double buf[GOGRU_REDUCE];
  double s = 0;
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x) {
    double v = x[k];
    s += v * v;
  }
  s = block_sum(s, buf);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}
#define SUM_SQUARES_PARAMS(T) (int n, const T* x, double* partial)
GOGRU_BOTH(sum_squares, SUM_SQUARES_PARAMS, (n, x, partial))

// One block GOGRU_REDUCE: out[0] = Σ_k in[k], in a fixed order.
extern "C" __global__ void sum_final(int n, const double* in, double* out) {
  __shared__ double buf[GOGRU_REDUCE];
  double s = 0;
  for (int k = threadIdx.x; k < n; k += blockDim.x) s += in[k];
  s = block_sum(s, buf);
  if (threadIdx.x == 0) out[0] = s;
}

// Gradient clipping by global norm, one thread per element:
//   ‖g‖ = √sumsq[0];  x ← x·maxnorm/‖g‖ when maxnorm > 0 and ‖g‖ > maxnorm.
template <typename T>
__device__ void clip_scale_impl(int n, T* x, const double* sumsq, double maxnorm) {
  int i = flat_index();
  if (i >= n) return;
  double norm = sqrt(sumsq[0]);
  if (maxnorm > 0 && norm > maxnorm) x[i] = (T)(x[i] * (maxnorm / norm));
}
#define CLIP_SCALE_PARAMS(T) (int n, T* x, const double* sumsq, double maxnorm)
GOGRU_BOTH(clip_scale, CLIP_SCALE_PARAMS, (n, x, sumsq, maxnorm))
