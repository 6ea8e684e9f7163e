// sim.h lets the kernels compile as host C++ for gogru's CUDA simulator
// (sim.cc). The simulator runs one launch at a time on one host thread
// (sim.go serialises them), so threadIdx, blockIdx and the rest are plain
// globals it sets before running each simulated thread. The threads of a kernel
// that synchronises are fibers (each with its own stack) that switch at
// __syncthreads, at __nanosleep and on exit; __shared__ storage is a static per
// kernel instantiation, which is per block because such kernels run their blocks
// one at a time. A cooperative kernel runs every thread of every block at once;
// it may use only dynamic shared memory (dynamic_shared in common.cuh), which the
// simulator gives each block, and kernelgen refuses a cooperative kernel with a
// static __shared__ variable.
#pragma once
#include <cmath>

using std::exp;
using std::log;
using std::sqrt;
using std::tanh;

struct dim3 {
  unsigned x, y, z;
};

extern dim3 threadIdx, blockIdx, blockDim, gridDim;

// gogru_sim_syncthreads waits for the other live threads of the block.
extern "C" void gogru_sim_syncthreads(void);
// gogru_sim_yield lets the other simulated threads run (a fiber switch).
extern "C" void gogru_sim_yield(void);
// gogru_sim_dynamic_shared returns the block's dynamic shared memory.
extern "C" void* gogru_sim_dynamic_shared(void);

#define __syncthreads() gogru_sim_syncthreads()
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static

// Atomics and fences, for the grid barrier: every simulated thread runs on one
// host thread, so these only need to be what they say to the compiler.
inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned atomicExch(unsigned* p, unsigned v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
// __nanosleep lets the other threads run: a thread that waits for others must
// sleep in its loop, or the simulator, which switches threads only where they
// wait, would spin for ever.
inline void __nanosleep(unsigned) { gogru_sim_yield(); }
