// The host side of gogru's CUDA simulator: the kernels of ../kernels compiled as C++
// (see sim.h), their registry (which kernelgen writes into
// sim_kernels_gen.h), and a launcher that runs a grid with CUDA's semantics.
// Kernels that do not synchronise run their threads one after another. Those that
// do run their threads as fibers (below), a block at a time, each block with a
// barrier and dynamic shared memory of its own; a cooperative kernel runs every
// thread of every block at once, so that a barrier over the whole grid can work.
#define GOGRU_SIM 1
#include <ucontext.h>

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "../../../kernels/all.cu"

// One launch runs at a time (sim.go holds a lock around each), on one host
// thread, so the geometry of the running thread is plain global state.
dim3 threadIdx, blockIdx, blockDim, gridDim;

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
  int arity;        // the kernel's parameter count
  int syncs;        // the kernel synchronises its block (__syncthreads or __shared__)
  int cooperative;  // all its blocks run at once (//gogru:kernel cooperative)
};

// arity_of counts a kernel's parameters.
template <typename... A>
constexpr int arity_of(void (*)(A...)) {
  return sizeof...(A);
}

// KERNEL registers a kernel with the arity, syncs and cooperative flags kernelgen
// found; the static_assert holds that arity to the compiler's.
#define KERNEL(name, arity, syncs, cooperative)                                          \
  {#name,                                                                               \
   [](void** a) {                                                                       \
     static_assert(arity_of(&name) == arity, #name ": kernelgen's arity is not the kernel's"); \
     call_all(&name, a);                                                                \
   },                                                                                   \
   arity, syncs, cooperative}

// registry lists the kernels in the order of the kernel constants in
// ../device/kernels_gen.go, which index it.
static const entry registry[] = {
#include "kernels_gen.h"
};

static const int nkernels = sizeof registry / sizeof registry[0];

// gogru_sim_kernels returns the number of registered kernels.
extern "C" int gogru_sim_kernels(void) { return nkernels; }

// gogru_sim_kernel_name returns kernel k's name and sets *arity to its parameter
// count and *cooperative to its flag, or returns NULL when there is no kernel k.
extern "C" const char* gogru_sim_kernel_name(int k, int* arity, int* cooperative) {
  if (k < 0 || k >= nkernels) return nullptr;
  *arity = registry[k].arity;
  *cooperative = registry[k].cooperative;
  return registry[k].name;
}

// ---- fibers: the threads of the kernels that synchronise ----
//
// Each simulated thread of such a kernel is a fiber with a stack of its own. A
// fiber is entered the first time through makecontext and setcontext, and after
// that switched to and from with __builtin_setjmp and __builtin_longjmp, which
// save only what the compiler needs and make no system call: swapcontext saves
// the signal mask with one, and host threads wait for each other through the
// kernel; where system calls are slow either cost tens of microseconds a
// barrier, against nanoseconds here. A fiber runs until it waits (at
// __syncthreads or in __nanosleep) or ends; a block's barrier opens when all its
// live threads wait.
//
// The scheduler runs one block at a time as far as it goes: it resumes the
// block's unfinished fibers round after round until a round makes no progress
// (no thread arrived at a barrier, passed one or ended), then moves to the next
// block. So blocks drift as far apart as a GPU lets them, and a kernel whose
// blocks read each other's writes without a grid barrier in between reads them
// too early here. Rounds and passes over the blocks alternate their order, so
// that a read of shared memory that lacks the __syncthreads ordering it after the
// write sees the wrong value in one order or the other. A pass over every block
// that makes no progress is a deadlock, which the launch reports.

// block_state is one running block: its barrier and its dynamic shared memory.
struct block_state {
  unsigned live = 0;             // its threads that have not ended
  unsigned arrived = 0;          // its threads waiting at the barrier
  unsigned long generation = 0;  // the barriers it has passed
  void* shared = nullptr;
};

// fiber is one simulated thread. Fibers are kept for the next launch.
struct fiber {
  void* resume[5];   // where it goes on: its __builtin_setjmp buffer
  ucontext_t start;  // its entry, used once
  std::unique_ptr<char[]> stack;
  bool started = false, done = false;
  dim3 thread, block;
  block_state* blk = nullptr;
};

static const size_t fiber_stack_bytes = 256 << 10;
static void* scheduler[5];                       // where the scheduler goes on
static fiber* current = nullptr;                 // the running fiber; null outside fibers
static const entry* job = nullptr;               // the kernel the fibers run
static void** job_args = nullptr;                // and its arguments
static std::vector<std::unique_ptr<fiber>> pool;  // every fiber made so far
static unsigned long progress = 0;               // barrier arrivals, passages and thread ends so far

// jump continues at a __builtin_setjmp buffer. It is a function of its own because
// __builtin_longjmp may not share one with the __builtin_setjmp it returns to.
__attribute__((noinline)) static void jump(void** to) { __builtin_longjmp(to, 1); }

// switch_to saves where the caller goes on in from, then continues at to.
__attribute__((noinline)) static void switch_to(void** from, void** to) {
  if (__builtin_setjmp(from) == 0) jump(to);
}

// end_thread takes an ended thread out of its block; a barrier its other live
// threads all wait at opens.
static void end_thread(block_state* b) {
  progress++;
  b->live--;
  if (b->arrived > 0 && b->arrived == b->live) {
    b->arrived = 0;
    b->generation++;
  }
}

// fiber_main is every fiber's entry: it runs the current job as the thread the
// scheduler assigned, then returns to the scheduler until the next assignment.
static void fiber_main() {
  for (;;) {
    fiber* f = current;
    job->run(job_args);
    f->done = true;
    end_thread(f->blk);
    switch_to(f->resume, scheduler);
  }
}

// resume runs fiber f until it waits or ends.
__attribute__((noinline)) static void resume(fiber* f) {
  current = f;
  threadIdx = f->thread;
  blockIdx = f->block;
  if (__builtin_setjmp(scheduler) == 0) {
    if (f->started) jump(f->resume);
    f->started = true;
    setcontext(&f->start);
  }
  current = nullptr;
}

extern "C" void gogru_sim_yield(void) {
  if (current != nullptr) switch_to(current->resume, scheduler);
}

extern "C" void gogru_sim_syncthreads(void) {
  if (current == nullptr) return;  // not a fiber: the only thread of its block
  block_state* b = current->blk;
  unsigned long g = b->generation;
  progress++;
  if (++b->arrived == b->live) {
    b->arrived = 0;
    b->generation++;
    return;
  }
  while (b->generation == g) gogru_sim_yield();
  progress++;
}

extern "C" void* gogru_sim_dynamic_shared(void) { return current != nullptr ? current->blk->shared : nullptr; }

// fibers returns n fibers, making those the pool lacks, or an empty vector when
// the host refuses a context.
static std::vector<fiber*> fibers(size_t n) {
  while (pool.size() < n) {
    auto f = std::make_unique<fiber>();
    f->stack.reset(new char[fiber_stack_bytes]);
    if (getcontext(&f->start) != 0) return {};
    f->start.uc_stack.ss_sp = f->stack.get();
    f->start.uc_stack.ss_size = fiber_stack_bytes;
    f->start.uc_link = nullptr;
    makecontext(&f->start, fiber_main, 0);
    pool.push_back(std::move(f));
  }
  std::vector<fiber*> out(n);
  for (size_t i = 0; i < n; i++) out[i] = pool[i].get();
  return out;
}

// run_blocks runs fibers, nthreads for each of nblocks blocks in turn, until every
// one has ended, one block at a time as far as it goes (see above). It returns
// false when the threads left all wait for ever.
static bool run_blocks(const std::vector<fiber*>& fs, unsigned nblocks, unsigned nthreads) {
  size_t left = fs.size();
  for (bool forwards = true; left > 0; forwards = !forwards) {
    unsigned long pass = progress;
    for (unsigned k = 0; k < nblocks; k++) {
      fiber* const* block = &fs[size_t(forwards ? k : nblocks - 1 - k) * nthreads];
      for (bool up = forwards;; up = !up) {
        unsigned long round = progress;
        for (unsigned t = 0; t < nthreads; t++) {
          fiber* f = block[up ? t : nthreads - 1 - t];
          if (f->done) continue;
          resume(f);
          if (f->done) left--;
        }
        if (progress == round) break;
      }
    }
    if (left > 0 && progress == pass) return false;
  }
  return true;
}

// gogru_sim_launch runs kernel k over grid × block with shared bytes of dynamic
// shared memory per block and args (one pointer per parameter, as for
// cuLaunchKernel). It returns 0, −1 for a bad grid or block, −4 when the host
// refuses a fiber, or −5 when the kernel's threads wait for each other for ever
// (a barrier some never reach); the fibers of that launch are then abandoned.
static int gogru_sim_launch(int k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned shared, void** args) {
  if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || bx * by * bz > 1024) return -1;
  const entry& e = registry[k];
  gridDim = {gx, gy, gz};
  blockDim = {bx, by, bz};
  unsigned nthreads = bx * by * bz, nblocks = gx * gy * gz;
  auto block_at = [&](unsigned b) { return dim3{b % gx, (b / gx) % gy, b / (gx * gy)}; };
  auto thread_at = [&](unsigned t) { return dim3{t % bx, (t / bx) % by, t / (bx * by)}; };
  if (!e.syncs) {
    for (unsigned b = 0; b < nblocks; b++) {
      blockIdx = block_at(b);
      for (unsigned t = 0; t < nthreads; t++) {
        threadIdx = thread_at(t);
        e.run(args);
      }
    }
    return 0;
  }
  unsigned together = e.cooperative ? nblocks : 1;  // the blocks that run at once
  std::vector<fiber*> fs = fibers(size_t(together) * nthreads);
  if (fs.empty()) return -4;
  std::vector<block_state> blocks(together);
  // Each block's dynamic shared memory starts as NaNs, as a GPU's starts as
  // whatever was there: a kernel that reads what it never wrote shows it.
  size_t words = (size_t(shared) + sizeof(double) - 1) / sizeof(double);
  std::vector<std::vector<double>> memory(together, std::vector<double>(words));
  job = &e;
  job_args = args;
  int status = 0;
  for (unsigned first = 0; first < nblocks && status == 0; first += together) {
    for (unsigned b = 0; b < together; b++) {
      std::memset(memory[b].data(), 0xff, words * sizeof(double));
      blocks[b] = block_state{};
      blocks[b].live = nthreads;
      blocks[b].shared = memory[b].data();
    }
    for (size_t i = 0; i < fs.size(); i++) {
      fiber* f = fs[i];
      f->done = false;
      f->thread = thread_at(i % nthreads);
      f->block = block_at(first + i / nthreads);
      f->blk = &blocks[i / nthreads];
    }
    if (!run_blocks(fs, together, nthreads)) status = -5;
  }
  if (status != 0) pool.clear();  // the stuck fibers' stacks hold frames that will never finish
  job = nullptr;
  job_args = nullptr;
  return status;
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

// gemm_math is how a float32 GEMM rounds its operands: the values of cuda/internal/device/gemm_math.go.
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

// gogru_sim_launch_slots runs kernel k with shared bytes of dynamic shared memory
// per block and its arguments given as 8-byte slots, each holding one parameter's
// value in its low bytes. It returns 0; −1 for a bad grid or block; −2 when nargs
// is not the kernel's arity (the kernel would read past the slots, or ignore
// some); −3 when there is no kernel k; −4 when the host refuses a fiber.
extern "C" int gogru_sim_launch_slots(int k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                      unsigned bz, unsigned shared, const uint64_t* slots, int nargs) {
  if (k < 0 || k >= nkernels) return -3;
  if (nargs != registry[k].arity) return -2;
  std::vector<uint64_t> vals(slots, slots + nargs);
  std::vector<void*> args(nargs);
  for (int i = 0; i < nargs; i++) args[i] = &vals[i];
  return gogru_sim_launch(k, gx, gy, gz, bx, by, bz, shared, args.data());
}
