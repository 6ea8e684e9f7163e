// The pieces of a language model's training step around the GRU, so that the step
// never leaves the device: input encoding, the output layer's bias, softmax
// cross-entropy, and the data movement the layouts need.
#include "common.cuh"

// One-hot rows, one thread per element: dst[i, v] = (v == ids[i]).
//gogru:kernel
template <typename T>
__device__ void one_hot_impl(int n, int V, const int* ids, T* dst) {
  int i = flat_index();
  if (i >= n * V) return;
  dst[i] = (i % V == ids[i / V]) ? (T)1 : (T)0;
}

// Embedding lookup, one thread per element: dst[i, c] = table[ids[i], c].
//gogru:kernel
template <typename T>
__device__ void gather_rows_impl(int n, int C, const int* ids, const T* table, T* dst) {
  int i = flat_index();
  if (i >= n * C) return;
  dst[i] = table[(long)ids[i / C] * C + i % C];
}

// Embedding gradient, one thread per column c, rows in order (deterministic, no atomics):
//   table[ids[i], c] += src[i, c]  for i = 0, 1, …, n−1
//gogru:kernel
template <typename T>
__device__ void scatter_add_rows_impl(int n, int C, const int* ids, const T* src, T* table) {
  int c = flat_index();
  if (c >= C) return;
  for (int i = 0; i < n; i++) table[(long)ids[i] * C + c] += src[(long)i * C + c];
}

// Row broadcast, one thread per element: c[i, j] (+)= v[j]; accumulate selects += or =.
//gogru:kernel
template <typename T>
__device__ void add_row_impl(int rows, int cols, const T* v, T* c, int accumulate) {
  int i = flat_index();
  if (i >= rows * cols) return;
  c[i] = accumulate ? c[i] + v[i % cols] : v[i % cols];
}

// Fill, one thread per element: x[i] = v.
//gogru:kernel
template <typename T>
__device__ void fill_impl(int n, T* x, T v) {
  int i = flat_index();
  if (i < n) x[i] = v;
}

// Swap of the first two axes, one thread per element: dst[j, i, :] = src[i, j, :]
// for src [a, b, w] (time-major ↔ batch-first).
//gogru:kernel
template <typename T>
__device__ void transpose01_impl(int a, int b, int w, const T* src, T* dst) {
  int k = flat_index();
  if (k >= a * b * w) return;
  int i = k / (b * w), j = (k / w) % b, c = k % w;
  dst[((long)j * a + i) * w + c] = src[k];
}

// Softmax cross-entropy, one block of GOGRU_REDUCE_THREADS threads per row i:
//   lse = m + log Σ_v e^{x_v − m} with m = max_v x_v,   loss[i] = lse − x[target_i]
//   dlogits[i, v] = (e^{x_v − lse} − [v = target_i]) / rows   (skipped when dlogits is null)
//gogru:kernel
template <typename T>
__device__ void softmax_xent_impl(int rows, int V, const T* logits, const int* targets, T* dlogits,
                                  double* loss) {
  __shared__ T buf[GOGRU_REDUCE_THREADS];
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
