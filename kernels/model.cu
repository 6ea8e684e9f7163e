// The pieces of a language model's training step around the GRU, so that the step
// never leaves the device: input encoding, the output layer's bias, softmax
// cross-entropy, and the data movement the layouts need.
#include "common.cuh"

// One-hot rows, one thread per element: dst[i, v] = (v == ids[i]).
template <typename T>
__device__ void one_hot_impl(int n, int V, const int* ids, T* dst) {
  int i = flat_index();
  if (i >= n * V) return;
  dst[i] = (i % V == ids[i / V]) ? (T)1 : (T)0;
}
#define ONE_HOT_PARAMS(T) (int n, int V, const int* ids, T* dst)
GOGRU_BOTH(one_hot, ONE_HOT_PARAMS, (n, V, ids, dst))

// Embedding lookup, one thread per element: dst[i, c] = table[ids[i], c].
template <typename T>
__device__ void gather_rows_impl(int n, int C, const int* ids, const T* table, T* dst) {
  int i = flat_index();
  if (i >= n * C) return;
  dst[i] = table[(long)ids[i / C] * C + i % C];
}
#define GATHER_PARAMS(T) (int n, int C, const int* ids, const T* table, T* dst)
GOGRU_BOTH(gather_rows, GATHER_PARAMS, (n, C, ids, table, dst))

// Embedding gradient, one thread per column c, rows in order (deterministic, no atomics):
//   table[ids[i], c] += src[i, c]  for i = 0, 1, …, n−1
template <typename T>
__device__ void scatter_add_rows_impl(int n, int C, const int* ids, const T* src, T* table) {
  int c = flat_index();
  if (c >= C) return;
  for (int i = 0; i < n; i++) table[(long)ids[i] * C + c] += src[(long)i * C + c];
}
#define SCATTER_PARAMS(T) (int n, int C, const int* ids, const T* src, T* table)
GOGRU_BOTH(scatter_add_rows, SCATTER_PARAMS, (n, C, ids, src, table))

// Row broadcast, one thread per element: c[i, j] (+)= v[j]; accumulate selects += or =.
template <typename T>
__device__ void add_row_impl(int rows, int cols, const T* v, T* c, int accumulate) {
  int i = flat_index();
  if (i >= rows * cols) return;
  c[i] = accumulate ? c[i] + v[i % cols] : v[i % cols];
}
#define ADD_ROW_PARAMS(T) (int rows, int cols, const T* v, T* c, int accumulate)
GOGRU_BOTH(add_row, ADD_ROW_PARAMS, (rows, cols, v, c, accumulate))

// Fill, one thread per element: x[i] = v.
template <typename T>
__device__ void fill_impl(int n, T* x, T v) {
  int i = flat_index();
  if (i < n) x[i] = v;
}
#define FILL_PARAMS(T) (int n, T* x, T v)
GOGRU_BOTH(fill, FILL_PARAMS, (n, x, v))

// Swap of the first two axes, one thread per element: dst[j, i, :] = src[i, j, :]
// for src [a, b, w] (time-major ↔ batch-first).
template <typename T>
__device__ void transpose01_impl(int a, int b, int w, const T* src, T* dst) {
  int k = flat_index();
  if (k >= a * b * w) return;
  int i = k / (b * w), j = (k / w) % b, c = k % w;
  dst[((long)j * a + i) * w + c] = src[k];
}
#define TRANSPOSE_PARAMS(T) (int a, int b, int w, const T* src, T* dst)
GOGRU_BOTH(transpose01, TRANSPOSE_PARAMS, (a, b, w, src, dst))

// Softmax cross-entropy, one block of GOGRU_REDUCE threads per row i:
//   lse = m + log Σ_v e^{x_v − m} with m = max_v x_v,   loss[i] = lse − x[target_i]
//   dlogits[i, v] = (e^{x_v − lse} − [v = target_i]) / rows   (skipped when dlogits is null)
template <typename T>
__device__ void softmax_xent_impl(int rows, int V, const T* logits, const int* targets, T* dlogits,
                                  double* loss) {
  __shared__ T buf[GOGRU_REDUCE];
  int i = blockIdx.x;
  if (i >= rows) return;
  const T* x = logits + (long)i * V;
  T m = x[0];
  for (int v = threadIdx.x; v < V; v += blockDim.x) m = x[v] > m ? x[v] : m;
  m = block_max(m, buf);
  T s = 0;
  for (int v = threadIdx.x; v < V; v += blockDim.x) s += exp(x[v] - m);
  s = block_sum(s, buf);
  T lse = m + log(s);
  if (threadIdx.x == 0) loss[i] = (double)(lse - x[targets[i]]);
  if (dlogits == 0) return;
  for (int v = threadIdx.x; v < V; v += blockDim.x)
    dlogits[(long)i * V + v] = (exp(x[v] - lse) - (v == targets[i] ? (T)1 : (T)0)) / (T)rows;
}
#define XENT_PARAMS(T) (int rows, int V, const T* logits, const int* targets, T* dlogits, double* loss)
GOGRU_BOTH(softmax_xent, XENT_PARAMS, (rows, V, logits, targets, dlogits, loss))
