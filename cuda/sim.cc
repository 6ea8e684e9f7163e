// The host side of gogru's CUDA simulator: the kernels of ../kernels compiled as C++
// (see kernels/sim.h), their registry (which kernelgen writes into
// sim_kernels_gen.h), and a launcher that runs a grid with CUDA's semantics.
// Kernels that synchronise run each block's threads as host threads with a
// barrier; the others run their threads one after another.
#define GOGRU_SIM 1
#include <pthread.h>

#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "../kernels/all.cu"

thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

static pthread_barrier_t block_barrier;

extern "C" void gogru_sim_syncthreads(void) { pthread_barrier_wait(&block_barrier); }

typedef void (*invoker)(void** args);

template <typename... A, std::size_t... I>
static void call_with(void (*k)(A...), void** args, std::index_sequence<I...>) {
  k(*static_cast<A*>(args[I])...);
}

// call_all calls kernel k with its arguments read from args, as cuLaunchKernel does.
template <typename... A>
static void call_all(void (*k)(A...), void** args) {
  call_with(k, args, std::index_sequence_for<A...>{});
}

struct entry {
  const char* name;
  void (*run)(void** args);
  int arity;  // the kernel's parameter count
  int syncs;  // the kernel synchronises its block (__syncthreads or __shared__)
};

// arity_of counts a kernel's parameters.
template <typename... A>
constexpr int arity_of(void (*)(A...)) {
  return sizeof...(A);
}

// KERNEL registers a kernel with the arity and syncs kernelgen found; the
// static_assert holds that arity to the compiler's.
#define KERNEL(name, arity, syncs)                                                       \
  {#name,                                                                               \
   [](void** a) {                                                                       \
     static_assert(arity_of(&name) == arity, #name ": kernelgen's arity is not the kernel's"); \
     call_all(&name, a);                                                                \
   },                                                                                   \
   arity, syncs}

// registry lists the kernels in the order of the kernel constants in
// kernels_gen.go, which index it.
static const entry registry[] = {
#include "sim_kernels_gen.h"
};

static const int nkernels = sizeof registry / sizeof registry[0];

// gogru_sim_kernels returns the number of registered kernels.
extern "C" int gogru_sim_kernels(void) { return nkernels; }

// gogru_sim_kernel_name returns kernel k's name and sets *arity to its parameter
// count, or returns NULL when there is no kernel k.
extern "C" const char* gogru_sim_kernel_name(int k, int* arity) {
  if (k < 0 || k >= nkernels) return nullptr;
  *arity = registry[k].arity;
  return registry[k].name;
}

// thread_pool keeps the host threads that play a block's CUDA threads, so a launch
// wakes threads instead of creating them.
class thread_pool {
 public:
  // run calls job(t) for t in [0, n) on n pool threads and waits for all of them.
  void run(unsigned n, const std::function<void(unsigned)>& job) {
    std::unique_lock<std::mutex> lk(mu_);
    while (threads_.size() < n) {
      unsigned id = threads_.size();
      threads_.emplace_back([this, id] { loop(id); });
    }
    job_ = &job;
    active_ = n;
    remaining_ = n;
    generation_++;
    wake_.notify_all();
    done_.wait(lk, [this] { return remaining_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(unsigned id) {
    unsigned long seen = 0;
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      wake_.wait(lk, [&] { return generation_ != seen; });
      seen = generation_;
      if (id >= active_) continue;
      const std::function<void(unsigned)>* job = job_;
      lk.unlock();
      (*job)(id);
      lk.lock();
      if (--remaining_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> threads_;
  const std::function<void(unsigned)>* job_ = nullptr;
  unsigned active_ = 0, remaining_ = 0;
  unsigned long generation_ = 0;
};

// workers is never destroyed: its threads live as long as the process.
static thread_pool& workers() {
  static thread_pool* p = new thread_pool;
  return *p;
}

static void set_geometry(dim3 grid, dim3 block) {
  gridDim = grid;
  blockDim = block;
}

// gogru_sim_launch runs kernel k over grid × block with args (one pointer per
// parameter, as for cuLaunchKernel). It returns 0, or −1 for a bad grid or block.
static int gogru_sim_launch(int k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            void** args) {
  if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || bx * by * bz > 1024) return -1;
  const entry& e = registry[k];
  dim3 grid = {gx, gy, gz}, block = {bx, by, bz};
  unsigned nthreads = bx * by * bz;
  auto run_thread = [&](unsigned tid, dim3 b) {
    blockIdx = b;
    threadIdx = {tid % bx, (tid / bx) % by, tid / (bx * by)};
    e.run(args);
  };
  auto each_block = [&](auto&& f) {
    for (unsigned z = 0; z < gz; z++)
      for (unsigned y = 0; y < gy; y++)
        for (unsigned x = 0; x < gx; x++) f(dim3{x, y, z});
  };
  if (!e.syncs) {
    set_geometry(grid, block);
    each_block([&](dim3 b) {
      for (unsigned t = 0; t < nthreads; t++) run_thread(t, b);
    });
    return 0;
  }
  pthread_barrier_init(&block_barrier, nullptr, nthreads);
  workers().run(nthreads, [&](unsigned t) {
    set_geometry(grid, block);
    each_block([&](dim3 b) {
      run_thread(t, b);
      pthread_barrier_wait(&block_barrier);  // the block ends before the next reuses __shared__
    });
  });
  pthread_barrier_destroy(&block_barrier);
  return 0;
}

// ---- memory and GEMM of the simulated device ----
#include <cstdint>
#include <cstdlib>

extern "C" uintptr_t gogru_sim_alloc(size_t n) { return (uintptr_t)std::calloc(n ? n : 1, 1); }
extern "C" void gogru_sim_free(uintptr_t p) { std::free((void*)p); }
extern "C" void gogru_sim_htod(uintptr_t dst, const void* src, size_t n) { std::memcpy((void*)dst, src, n); }
extern "C" void gogru_sim_dtoh(void* dst, uintptr_t src, size_t n) { std::memcpy(dst, (const void*)src, n); }
extern "C" void gogru_sim_dtod(uintptr_t dst, uintptr_t src, size_t n) { std::memmove((void*)dst, (const void*)src, n); }
extern "C" void gogru_sim_memset0(uintptr_t dst, size_t n) { std::memset((void*)dst, 0, n); }

// gemm_math is how a float32 GEMM rounds its operands: the values of cuda/gemm_math.go.
enum gemm_math { math_fp32 = 0, math_tf32 = 1, math_bf16 = 2 };

// to_tf32 rounds a float to TF32, the tensor cores' float32 operand format: 10
// mantissa bits, round to nearest with ties away from zero (cvt.rna.tf32.f32).
// Infinities and NaNs pass unchanged.
static float to_tf32(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
  std::memcpy(&x, &u, 4);
  return x;
}

// to_bf16 rounds a float to bfloat16 (8 exponent bits, 7 mantissa bits) and back:
// round to nearest with ties to even (cvt.rn.bf16.f32). Adding 0x7fff plus the
// lowest kept bit to the bits and truncating is that rounding; a carry out of the
// mantissa moves the exponent up, and past the largest finite value it gives
// infinity, as the hardware does. Infinities and NaNs pass unchanged.
static float to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  std::memcpy(&x, &u, 4);
  return x;
}

// round_operand rounds a float32 GEMM operand as math says; float64 is never rounded.
static float round_operand(gemm_math math, float x) {
  switch (math) {
    case math_tf32:
      return to_tf32(x);
    case math_bf16:
      return to_bf16(x);
    default:
      return x;
  }
}
static double round_operand(gemm_math, double x) { return x; }

// gemm_colmajor has cuBLAS's semantics exactly: column-major storage,
//   C[i + j·ldc] = alpha·Σ_l op(A)[i,l]·op(B)[l,j] + beta·C[i + j·ldc]
// with op(A)[i,l] = A[l + i·lda] when transposed, else A[i + l·lda]; C is not read
// when beta is 0. Under math_tf32 or math_bf16 the operands are rounded to TF32 or
// bfloat16 before the products, as cuBLAS's tensor-op math does, and accumulated in
// float32. Bad dimensions return CUBLAS_STATUS_INVALID_VALUE (7).
template <typename T>
static int gemm_colmajor(int ta, int tb, int m, int n, int k, T alpha, const T* A, int lda, const T* B, int ldb,
                         T beta, T* C, int ldc, gemm_math math = math_fp32) {
  auto at_least = [](int v, int lo) { return v >= (lo > 1 ? lo : 1); };
  if (m < 0 || n < 0 || k < 0 || !at_least(lda, ta ? k : m) || !at_least(ldb, tb ? n : k) || !at_least(ldc, m))
    return 7;
  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++) {
      T s = 0;
      for (int l = 0; l < k; l++) {
        T a = ta ? A[l + (long)i * lda] : A[i + (long)l * lda];
        T b = tb ? B[j + (long)l * ldb] : B[l + (long)j * ldb];
        s += round_operand(math, a) * round_operand(math, b);
      }
      T* c = &C[i + (long)j * ldc];
      *c = beta == 0 ? alpha * s : alpha * s + beta * *c;
    }
  return 0;
}

// gogru_sim_gemm is cuBLAS's gemm in float64 or float32; in float32, math (a
// gemm_math) says how the operands are rounded first, as cuBLAS's tensor-op math
// does. An unknown math returns CUBLAS_STATUS_INVALID_VALUE (7).
extern "C" int gogru_sim_gemm(int f64, int math, int ta, int tb, int m, int n, int k, double alpha, uintptr_t A,
                              int lda, uintptr_t B, int ldb, double beta, uintptr_t C, int ldc) {
  if (f64)
    return gemm_colmajor<double>(ta, tb, m, n, k, alpha, (const double*)A, lda, (const double*)B, ldb, beta,
                                 (double*)C, ldc);
  if (math < math_fp32 || math > math_bf16) return 7;
  return gemm_colmajor<float>(ta, tb, m, n, k, (float)alpha, (const float*)A, lda, (const float*)B, ldb,
                              (float)beta, (float*)C, ldc, (gemm_math)math);
}

// gogru_sim_launch_slots runs kernel k with its arguments given as 8-byte slots,
// each holding one parameter's value in its low bytes. It returns 0; −1 for a bad
// grid or block; −2 when nargs is not the kernel's arity (the kernel would read
// past the slots, or ignore some); −3 when there is no kernel k.
extern "C" int gogru_sim_launch_slots(int k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                      unsigned bz, const uint64_t* slots, int nargs) {
  if (k < 0 || k >= nkernels) return -3;
  if (nargs != registry[k].arity) return -2;
  std::vector<uint64_t> vals(slots, slots + nargs);
  std::vector<void*> args(nargs);
  for (int i = 0; i < nargs; i++) args[i] = &vals[i];
  return gogru_sim_launch(k, gx, gy, gz, bx, by, bz, args.data());
}
