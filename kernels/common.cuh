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
// methods and the simulator's registry in ../cuda.
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
