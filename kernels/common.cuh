// Shared definitions for gogru's kernels. Every .cu file here compiles twice: with
// nvcc for the GPU, and with g++ for the host simulator (GOGRU_SIM defined), where
// sim.h supplies threadIdx, blockIdx, __syncthreads and friends.
//
// A kernel's signature is written once, in its .cu file: the line //gogru:kernel
// right above either
//   template <typename T> __device__ void NAME_impl(...)   (entry points NAME_f32, NAME_f64)
// or
//   extern "C" __global__ void NAME(...)                    (entry point NAME)
// with the kernel's formula in the comment above that line. go generate ./kernels
// (make generate; see internal/cmd/kernelgen) writes from them the template
// kernels' entry points (kernels_gen.cuh, included last by all.cu), the Go launch
// methods in ../cuda and the simulator's registry in ../cuda/internal/sim, whose
// include path finds sim.h below.
#pragma once

#ifdef GOGRU_SIM
#include "sim.h"
#else
#include <cuda_runtime.h>
#endif

// Launch geometry the launches in ../cuda agree on: kernelgen copies each
// GOGRU_ integer defined here into ../cuda/kernels_gen.go.
#define GOGRU_THREADS 256         // threads per block of the 1-D elementwise kernels
#define GOGRU_REDUCE_THREADS 256  // threads per block of the reductions (a power of two)
#define GOGRU_SUM_ROWS_COLS 32    // columns per block of sum_rows (its block's x)
#define GOGRU_SUM_ROWS_LANES 8    // row lanes per block of sum_rows (its block's y)

// dynamic_shared returns the block's dynamic shared memory, the bytes its launch
// asked for, as T* (aligned for double). A cooperative kernel keeps its block's
// shared data here: the simulator gives each block its own, as it cannot a static
// __shared__ variable when all blocks run at once.
template <typename T>
__device__ __forceinline__ T* dynamic_shared() {
#ifdef GOGRU_SIM
  return static_cast<T*>(gogru_sim_dynamic_shared());
#else
  extern __shared__ __align__(16) unsigned char gogru_dynamic_shared[];
  return reinterpret_cast<T*>(gogru_dynamic_shared);
#endif
}

// grid_sync is a barrier over every thread of a cooperative launch (whose blocks
// are all resident at once, so waiting cannot deadlock): no thread leaves before
// all have arrived, and every write made before it is visible to every thread
// after it. bar points at two zeroed words of global memory, which it leaves as
// it found them, so any number of launches may reuse them one after another:
// bar[0] counts the blocks that have arrived, and bar[1] is a generation, which
// the last block to arrive advances once it has reset the count. Thread 0 of each
// block arrives for its block, between two __syncthreads; the fences before its
// arrival and after its release make the block's writes, and the others', visible.
// A kernel that calls it must be marked //gogru:kernel cooperative.
__device__ __forceinline__ void grid_sync(unsigned* bar) {
  __syncthreads();
  if (threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0) {
    unsigned blocks = gridDim.x * gridDim.y * gridDim.z;
    volatile unsigned* generation = bar + 1;
    unsigned seen = *generation;  // read before arriving: it cannot move until this block has
    __threadfence();
    if (atomicAdd(bar, 1u) == blocks - 1) {
      atomicExch(bar, 0u);
      __threadfence();
      atomicAdd(bar + 1, 1u);
    } else {
      while (*generation == seen) __nanosleep(64);
    }
    __threadfence();
  }
  __syncthreads();
}

// flat_index is this thread's index in a 1-D grid.
__device__ __forceinline__ int flat_index() { return blockIdx.x * blockDim.x + threadIdx.x; }

__device__ __forceinline__ float sigmoid_(float x) { return 1.0f / (1.0f + expf(-x)); }
__device__ __forceinline__ double sigmoid_(double x) { return 1.0 / (1.0 + exp(-x)); }
__device__ __forceinline__ float tanh_(float x) { return tanhf(x); }
__device__ __forceinline__ double tanh_(double x) { return tanh(x); }

// block_sum returns the sum of v over the block's GOGRU_REDUCE_THREADS threads to
// thread 0, by a fixed pairwise tree in shared memory, so the result does not
// depend on scheduling (no atomics). buf holds GOGRU_REDUCE_THREADS elements.
template <typename T>
__device__ T block_sum(T v, T* buf) {
  int t = threadIdx.x;
  buf[t] = v;
  __syncthreads();
  for (int s = GOGRU_REDUCE_THREADS / 2; s > 0; s >>= 1) {
    if (t < s) buf[t] += buf[t + s];
    __syncthreads();
  }
  T r = buf[0];
  __syncthreads();
  return r;
}

// block_max is block_sum with max.
template <typename T>
__device__ T block_max(T v, T* buf) {
  int t = threadIdx.x;
  buf[t] = v;
  __syncthreads();
  for (int s = GOGRU_REDUCE_THREADS / 2; s > 0; s >>= 1) {
    if (t < s && buf[t + s] > buf[t]) buf[t] = buf[t + s];
    __syncthreads();
  }
  T r = buf[0];
  __syncthreads();
  return r;
}
