// sim.h lets the kernels compile as host C++ for gogru's CUDA simulator
// (../cuda/sim.cc). Each simulated thread has its own threadIdx and blockIdx; the
// threads of a block run as host threads when the kernel synchronises, so
// __syncthreads is a real barrier; __shared__ storage is a static per kernel
// instantiation, which is per block because the simulator runs blocks one at a time.
#pragma once
#include <cmath>

using std::exp;
using std::log;
using std::sqrt;
using std::tanh;

struct dim3 {
  unsigned x, y, z;
};

extern thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

extern "C" void gogru_sim_syncthreads(void);

#define __syncthreads() gogru_sim_syncthreads()
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
