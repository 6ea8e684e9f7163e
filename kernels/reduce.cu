// Deterministic reductions: every sum is taken in a fixed order (per-thread strided
// loops, then a fixed shared-memory tree), never with atomicAdd, so results are
// reproducible run to run.
#include "common.cuh"

// Column sums for bias gradients, block (GOGRU_SUM_ROWS_COLS, GOGRU_SUM_ROWS_LANES) = (32, 8),
// grid ceil(cols/32):
//   dst[c] = beta·dst[c] + Σ_r src[r, c]
// Lane ty adds rows ty, ty+8, …; then lane 0 adds the 8 lane sums in order.
//gogru:kernel
template <typename T>
__device__ void sum_rows_impl(int rows, int cols, const T* src, T* dst, T beta) {
  __shared__ T part[GOGRU_SUM_ROWS_LANES][GOGRU_SUM_ROWS_COLS];
  int c = blockIdx.x * GOGRU_SUM_ROWS_COLS + threadIdx.x;
  T s = 0;
  if (c < cols)
    for (int r = threadIdx.y; r < rows; r += GOGRU_SUM_ROWS_LANES) s += src[(long)r * cols + c];
  part[threadIdx.y][threadIdx.x] = s;
  __syncthreads();
  if (threadIdx.y == 0 && c < cols) {
    T total = 0;
    for (int k = 0; k < GOGRU_SUM_ROWS_LANES; k++) total += part[k][threadIdx.x];
    dst[c] = beta * dst[c] + total;
  }
}

// Partial sums of squares in double, block GOGRU_REDUCE_THREADS, any grid:
//   partial[blockIdx.x] = Σ_{k ≡ this block's threads} x[k]²
//gogru:kernel
template <typename T>
__device__ void sum_squares_impl(int n, const T* x, double* partial) {
  __shared__ double buf[GOGRU_REDUCE_THREADS];
  double s = 0;
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x) {
    double v = x[k];
    s += v * v;
  }
  s = block_sum(s, buf);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// One block GOGRU_REDUCE_THREADS: out[0] = Σ_k in[k], in a fixed order.
//gogru:kernel
extern "C" __global__ void sum_final(int n, const double* in, double* out) {
  __shared__ double buf[GOGRU_REDUCE_THREADS];
  double s = 0;
  for (int k = threadIdx.x; k < n; k += blockDim.x) s += in[k];
  s = block_sum(s, buf);
  if (threadIdx.x == 0) out[0] = s;
}

// One block GOGRU_REDUCE_THREADS: the mean of n doubles, summed in sum_final's order,
// rounded to T (the mean loss of softmax_xent's rows):
//   out[0] = (T)((Σ_k in[k]) / n)
//gogru:kernel
template <typename T>
__device__ void mean_final_impl(int n, const double* in, T* out) {
  __shared__ double buf[GOGRU_REDUCE_THREADS];
  double s = 0;
  for (int k = threadIdx.x; k < n; k += blockDim.x) s += in[k];
  s = block_sum(s, buf);
  if (threadIdx.x == 0) out[0] = (T)(s / n);
}

// One thread: the global norm from its sum of squares, rounded to T:
//   out[0] = (T)√sumsq[0]
//gogru:kernel
template <typename T>
__device__ void norm_final_impl(const double* sumsq, T* out) {
  if (flat_index() == 0) out[0] = (T)sqrt(sumsq[0]);
}

// Gradient clipping by global norm, one thread per element:
//   ‖g‖ = √sumsq[0];  x ← x·maxnorm/‖g‖ when maxnorm > 0 and ‖g‖ > maxnorm.
//gogru:kernel
template <typename T>
__device__ void clip_scale_impl(int n, T* x, const double* sumsq, double maxnorm) {
  int i = flat_index();
  if (i >= n) return;
  double norm = sqrt(sumsq[0]);
  if (maxnorm > 0 && norm > maxnorm) x[i] = (T)(x[i] * (maxnorm / norm));
}
