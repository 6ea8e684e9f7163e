// GOGRU_CLONES makes gcc on x86-64 compile a function twice, for x86-64-v3 (AVX2
// and FMA: eight float32 lanes) and for the baseline (SSE2: four), and the loader
// pick the one the CPU runs (an ifunc): dispatch on CPU features at run time, no
// flag needed. The vectorised loops of activation_cgo.go and rows_backward_cgo.go
// use it.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GOGRU_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GOGRU_CLONES
#endif
