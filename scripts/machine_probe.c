// machine_probe: fixed loops that tell how steady this machine's CPU is, for make
// bench-peer to run beside every round of its cells (scripts/bench_interleaved.py).
//
//   scalar: a chain of 10M dependent double multiply-adds (x = x·y + c), bound by the
//           latency of one FMA: it follows the core's clock and the time the host takes
//           the virtual CPU away, and nothing else.
//   vector: 12 independent 8-wide float FMA chains (AVX2+FMA), 4M steps each, bound by
//           the throughput of the core's vector units and nothing in memory.
//   l1, l2, l3: 8-wide float loads summed over a buffer of 16 KiB, 256 KiB and 4 MiB
//           (resident in the first, second and last cache level of common x86 cores),
//           about 400 MB read each: bound by the cache path that the GEMMs' packed
//           panels and the pointwise passes stream through. Where the host shares a
//           core's caches with a thread we cannot see, these slow and the two above do
//           not.
//
// Each is timed 15 times; the probe prints the medians as one JSON object:
//   {"scalar_ms": 18.9, "vector_gflops": 101.2, "l1_gbs": 198.0, "l2_gbs": 96.1, "l3_gbs": 74.3}
// The vector and cache figures are null where the CPU lacks AVX2 or FMA.
//
// Build: gcc -O2 -o bin/machine_probe scripts/machine_probe.c
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPS 15

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v) {
  qsort(v, REPS, sizeof v[0], by_value);
  return v[REPS / 2];
}

static volatile double sink;

// scalar_ms times the dependent chain once.
static double scalar_ms(void) {
  double t0 = now_ms(), x = 1.0, y = 0.999999;
  for (long i = 0; i < 10000000; i++) x = x * y + 1e-9;
  sink = x;
  return now_ms() - t0;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define VECTOR_STEPS 4000000L

// vector_ms times the 12 independent chains once: 12 accumulators cover the FMA
// latency on two FMA units, so the loop runs at the units' throughput.
__attribute__((target("avx2,fma"))) static double vector_ms(void) {
  double t0 = now_ms();
  __m256 m = _mm256_set1_ps(0.9999f), c = _mm256_set1_ps(1e-6f);
  __m256 a0 = _mm256_set1_ps(0), a1 = _mm256_set1_ps(1), a2 = _mm256_set1_ps(2), a3 = _mm256_set1_ps(3);
  __m256 a4 = _mm256_set1_ps(4), a5 = _mm256_set1_ps(5), a6 = _mm256_set1_ps(6), a7 = _mm256_set1_ps(7);
  __m256 a8 = _mm256_set1_ps(8), a9 = _mm256_set1_ps(9), a10 = _mm256_set1_ps(10), a11 = _mm256_set1_ps(11);
  for (long i = 0; i < VECTOR_STEPS; i++) {
    a0 = _mm256_fmadd_ps(a0, m, c), a1 = _mm256_fmadd_ps(a1, m, c), a2 = _mm256_fmadd_ps(a2, m, c);
    a3 = _mm256_fmadd_ps(a3, m, c), a4 = _mm256_fmadd_ps(a4, m, c), a5 = _mm256_fmadd_ps(a5, m, c);
    a6 = _mm256_fmadd_ps(a6, m, c), a7 = _mm256_fmadd_ps(a7, m, c), a8 = _mm256_fmadd_ps(a8, m, c);
    a9 = _mm256_fmadd_ps(a9, m, c), a10 = _mm256_fmadd_ps(a10, m, c), a11 = _mm256_fmadd_ps(a11, m, c);
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  float out[8];
  _mm256_storeu_ps(out, s);
  sink = out[0];
  return now_ms() - t0;
}

// read_ms times, once, summing 400 MB read from the n floats of buf (n a multiple of 64).
__attribute__((target("avx2,fma"))) static double read_ms(const float* buf, long n) {
  double t0 = now_ms();
  long reps = 100000000L / n;
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  for (long r = 0; r < reps; r++)
    for (long i = 0; i < n; i += 64) {
      s0 = _mm256_add_ps(s0, _mm256_load_ps(buf + i)), s1 = _mm256_add_ps(s1, _mm256_load_ps(buf + i + 8));
      s2 = _mm256_add_ps(s2, _mm256_load_ps(buf + i + 16)), s3 = _mm256_add_ps(s3, _mm256_load_ps(buf + i + 24));
      s4 = _mm256_add_ps(s4, _mm256_load_ps(buf + i + 32)), s5 = _mm256_add_ps(s5, _mm256_load_ps(buf + i + 40));
      s6 = _mm256_add_ps(s6, _mm256_load_ps(buf + i + 48)), s7 = _mm256_add_ps(s7, _mm256_load_ps(buf + i + 56));
    }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                           _mm256_add_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7)));
  float out[8];
  _mm256_storeu_ps(out, s);
  sink = out[0];
  return now_ms() - t0;
}

static int have_vector(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
#define VECTOR_STEPS 0L
static double vector_ms(void) { return 0; }
static double read_ms(const float* buf, long n) { return 0; }
static int have_vector(void) { return 0; }
#endif

int main(void) {
  double s[REPS], v[REPS];
  scalar_ms();  // warm-up
  for (int r = 0; r < REPS; r++) s[r] = scalar_ms();
  printf("{\"scalar_ms\": %.3f, \"vector_gflops\": ", median(s));
  if (!have_vector()) {
    printf("null, \"l1_gbs\": null, \"l2_gbs\": null, \"l3_gbs\": null}\n");
    return 0;
  }
  vector_ms();
  for (int r = 0; r < REPS; r++) v[r] = vector_ms();
  // 12 chains × 8 lanes × 2 flops (multiply and add) per step.
  printf("%.2f", 12.0 * 8 * 2 * VECTOR_STEPS / median(v) / 1e6);
  const char* names[] = {"l1", "l2", "l3"};
  long kib[] = {16, 256, 4096};
  for (int c = 0; c < 3; c++) {
    long n = kib[c] * 1024 / sizeof(float);
    float* buf = aligned_alloc(64, n * sizeof(float));
    if (!buf) return 1;
    for (long i = 0; i < n; i++) buf[i] = (float)(i % 7);
    read_ms(buf, n);
    for (int r = 0; r < REPS; r++) v[r] = read_ms(buf, n);
    printf(", \"%s_gbs\": %.1f", names[c], (double)(100000000L / n) * n * sizeof(float) / median(v) / 1e6);
    free(buf);
  }
  printf("}\n");
  return 0;
}
