//go:build cgo && !openblas

package cpu

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

// The CBLAS entry points gogru calls, found at run time. CBLAS's enums are ints:
// CblasRowMajor 101, CblasNoTrans 111, CblasTrans 112.
typedef void (*gogru_sgemm_fn)(int, int, int, int, int, int, float, const float*, int, const float*, int, float,
                               float*, int);
typedef void (*gogru_dgemm_fn)(int, int, int, int, int, int, double, const double*, int, const double*, int,
                               double, double*, int);
static gogru_sgemm_fn gogru_sgemm_ptr;
static gogru_dgemm_fn gogru_dgemm_ptr;
static void (*gogru_set_threads_ptr)(int);
static char* (*gogru_config_ptr)(void);

// gogru_blas_open loads lib and its symbols. It returns NULL on success, else
// dlerror's message; on failure nothing stays loaded.
static const char* gogru_blas_open(const char* lib) {
  void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) return dlerror();
  gogru_sgemm_ptr = (gogru_sgemm_fn)dlsym(h, "cblas_sgemm");
  gogru_dgemm_ptr = (gogru_dgemm_fn)dlsym(h, "cblas_dgemm");
  gogru_set_threads_ptr = (void (*)(int))dlsym(h, "openblas_set_num_threads");
  gogru_config_ptr = (char* (*)(void))dlsym(h, "openblas_get_config");
  if (!gogru_sgemm_ptr || !gogru_dgemm_ptr || !gogru_set_threads_ptr || !gogru_config_ptr) {
    dlclose(h);
    gogru_sgemm_ptr = NULL;
    gogru_dgemm_ptr = NULL;
    return "missing cblas_sgemm, cblas_dgemm, openblas_set_num_threads or openblas_get_config";
  }
  return NULL;
}

static void gogru_set_threads(int n) { gogru_set_threads_ptr(n); }
static const char* gogru_config(void) { return gogru_config_ptr(); }

static void gogru_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                        int ldb, float beta, float* c, int ldc) {
  gogru_sgemm_ptr(101, ta ? 112 : 111, tb ? 112 : 111, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static void gogru_dgemm(int ta, int tb, int m, int n, int k, double alpha, const double* a, int lda,
                        const double* b, int ldb, double beta, double* c, int ldc) {
  gogru_dgemm_ptr(101, ta ? 112 : 111, tb ? 112 : 111, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// openBLASLibs are the shared objects tried, in order: Debian's libopenblas0 and
// the unversioned name other installs use.
var openBLASLibs = []string{"libopenblas.so.0", "libopenblas.so"}

// openBLASLoaded is true once UseOpenBLAS has loaded the library; it stays loaded.
var openBLASLoaded bool

// UseOpenBLAS loads OpenBLAS's shared library at run time (Debian's libopenblas0,
// no build tag needed) and routes the GEMMs of gonum's blas32 and blas64 packages,
// and so of every CPU backend, to it, single-threaded: the backend splits each
// GEMM across its own Go workers, which measured faster than OpenBLAS's threads,
// whose idle spinning competes with the fused pointwise passes between the
// per-step GEMMs (SetOpenBLASThreads changes it). Without it gonum's pure-Go
// kernels run, the default. It changes a process-wide choice, as gonum's
// blas64.Use does: call it once, before any backend computes. When no library
// loads it returns the loader's message and gonum stays in use.
func UseOpenBLAS() error {
	blasMu.Lock()
	defer blasMu.Unlock()
	var failures []string
	for _, lib := range openBLASLibs {
		if !openBLASLoaded {
			name := C.CString(lib)
			msg := C.gogru_blas_open(name)
			C.free(unsafe.Pointer(name))
			if msg != nil {
				failures = append(failures, C.GoString(msg))
				continue
			}
			openBLASLoaded = true
			C.gogru_set_threads(1)
		}
		blas32.Use(openBLAS{})
		blas64.Use(openBLAS{})
		blasName = openBLASName(C.GoString(C.gogru_config()))
		blasReason = "cpu.UseOpenBLAS chose it"
		tileGemm = false
		return nil
	}
	blasReason = "no OpenBLAS shared library was found at run time (" + strings.Join(failures, "; ") +
		"); installing Debian's libopenblas0 makes the same binary use it"
	return errors.New("cpu: no OpenBLAS shared library loads: " + strings.Join(failures, "; "))
}

// SetOpenBLASThreads sets how many threads OpenBLAS runs each GEMM on; UseOpenBLAS
// sets 1. It fails unless OpenBLAS is loaded.
func SetOpenBLASThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("cpu: %d OpenBLAS threads; want at least 1", n)
	}
	blasMu.Lock()
	defer blasMu.Unlock()
	if !openBLASLoaded {
		return errors.New("cpu: OpenBLAS is not loaded; call UseOpenBLAS first")
	}
	C.gogru_set_threads(C.int(n))
	return nil
}

// openBLASName shortens OpenBLAS's configuration string ("OpenBLAS 0.3.21
// NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64") to its version and
// the kernel set it chose: "OpenBLAS 0.3.21 (Haswell kernels, loaded at run time)".
func openBLASName(config string) string {
	f := strings.Fields(config)
	if len(f) < 2 {
		return "OpenBLAS (loaded at run time)"
	}
	core := ""
	for _, w := range f[2:] {
		if !strings.Contains(w, "=") && strings.ToUpper(w) != w {
			core = w + " kernels, "
		}
	}
	return fmt.Sprintf("%s %s (%sloaded at run time)", f[0], f[1], core)
}

// openBLAS is gonum's BLAS with its GEMMs, the only level-3 calls the CPU
// backend makes, sent to the OpenBLAS library UseOpenBLAS loaded. gonum checks
// nothing here: the callers pass shapes that the backend has validated.
type openBLAS struct{ gonum.Implementation }

func cTrans(t blas.Transpose) C.int {
	if t == blas.NoTrans {
		return 0
	}
	return 1
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in float32 through cblas_sgemm.
func (openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	C.gogru_sgemm(cTrans(tA), cTrans(tB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		(*C.float)(unsafe.Pointer(unsafe.SliceData(a))), C.int(lda), (*C.float)(unsafe.Pointer(unsafe.SliceData(b))), C.int(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(unsafe.SliceData(c))), C.int(ldc))
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C in float64 through cblas_dgemm.
func (openBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	C.gogru_dgemm(cTrans(tA), cTrans(tB), C.int(m), C.int(n), C.int(k), C.double(alpha),
		(*C.double)(unsafe.Pointer(unsafe.SliceData(a))), C.int(lda), (*C.double)(unsafe.Pointer(unsafe.SliceData(b))), C.int(ldb),
		C.double(beta), (*C.double)(unsafe.Pointer(unsafe.SliceData(c))), C.int(ldc))
}
