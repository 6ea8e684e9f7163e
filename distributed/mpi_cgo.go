//go:build cgo

package distributed

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

// Open MPI's handles are pointers to its predefined objects (MPI_COMM_WORLD is
// &ompi_mpi_comm_world, MPI_DOUBLE &ompi_mpi_double, …), so they are found with
// dlsym like the functions, and no mpi.h is needed to build. MPI_IN_PLACE is
// (void*)1 in Open MPI's ABI.
typedef int (*gogru_mpi_fn)();
static void* gogru_mpi_lib;
static int (*p_init_thread)(int*, char***, int, int*);
static int (*p_finalize)(void);
static int (*p_comm_size)(void*, int*);
static int (*p_comm_rank)(void*, int*);
static int (*p_set_errhandler)(void*, void*);
static int (*p_allreduce)(const void*, void*, int, void*, void*, void*);
static int (*p_bcast)(void*, int, void*, int, void*);
static int (*p_allgather)(const void*, int, void*, void*, int, void*, void*);
static int (*p_allgatherv)(const void*, int, void*, void*, const int*, const int*, void*, void*);
static int (*p_abort)(void*, int);
static int (*p_error_string)(int, char*, int*);
static int (*p_library_version)(char*, int*);
static void *h_world, *h_double, *h_byte, *h_int, *h_sum, *h_errors_return;

#define GOGRU_SYM(var, name) if (!(*(void**)(&var) = dlsym(h, name))) return name;

// gogru_mpi_open loads lib with its symbols global (Open MPI's components are
// shared objects that link against them) and finds what gogru calls. It returns
// NULL on success, else what failed.
static const char* gogru_mpi_open(const char* lib) {
  void* h = dlopen(lib, RTLD_NOW | RTLD_GLOBAL);
  if (!h) return dlerror();
  GOGRU_SYM(p_init_thread, "MPI_Init_thread")
  GOGRU_SYM(p_finalize, "MPI_Finalize")
  GOGRU_SYM(p_comm_size, "MPI_Comm_size")
  GOGRU_SYM(p_comm_rank, "MPI_Comm_rank")
  GOGRU_SYM(p_set_errhandler, "MPI_Comm_set_errhandler")
  GOGRU_SYM(p_allreduce, "MPI_Allreduce")
  GOGRU_SYM(p_bcast, "MPI_Bcast")
  GOGRU_SYM(p_allgather, "MPI_Allgather")
  GOGRU_SYM(p_allgatherv, "MPI_Allgatherv")
  GOGRU_SYM(p_abort, "MPI_Abort")
  GOGRU_SYM(p_error_string, "MPI_Error_string")
  GOGRU_SYM(p_library_version, "MPI_Get_library_version")
  GOGRU_SYM(h_world, "ompi_mpi_comm_world")
  GOGRU_SYM(h_double, "ompi_mpi_double")
  GOGRU_SYM(h_byte, "ompi_mpi_byte")
  GOGRU_SYM(h_int, "ompi_mpi_int")
  GOGRU_SYM(h_sum, "ompi_mpi_op_sum")
  GOGRU_SYM(h_errors_return, "ompi_mpi_errors_return")
  gogru_mpi_lib = h;
  return NULL;
}

// MPI_THREAD_SERIALIZED (2): any thread may call, one at a time; Go moves
// goroutines between threads, and Comm serialises the calls.
static int gogru_mpi_init(int* provided) {
  int rc = p_init_thread(NULL, NULL, 2, provided);
  if (rc != 0) return rc;
  return p_set_errhandler(h_world, h_errors_return);
}
static int gogru_mpi_finalize(void) { return p_finalize(); }
static int gogru_mpi_size(int* n) { return p_comm_size(h_world, n); }
static int gogru_mpi_rank(int* r) { return p_comm_rank(h_world, r); }
static int gogru_mpi_sum_f64(double* buf, int n) { return p_allreduce((void*)1, buf, n, h_double, h_sum, h_world); }
static int gogru_mpi_bcast(void* buf, int n, int root) { return p_bcast(buf, n, h_byte, root, h_world); }
static int gogru_mpi_allgather_int(int v, int* out) { return p_allgather(&v, 1, h_int, out, 1, h_int, h_world); }
static int gogru_mpi_allgatherv(const void* b, int n, void* out, const int* counts, const int* displs) {
  return p_allgatherv(b, n, h_byte, out, counts, displs, h_byte, h_world);
}
static int gogru_mpi_abort(int code) { return p_abort(h_world, code); }
static void gogru_mpi_error_string(int code, char* s) {
  int n = 0;
  s[0] = 0;
  if (p_error_string(code, s, &n) != 0) s[0] = 0;
}
static void gogru_mpi_library(char* s) {
  int n = 0;
  s[0] = 0;
  if (p_library_version(s, &n) != 0) s[0] = 0;
}
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"
)

// Library is the shared object Init loads: Open MPI's, whose ABI (handles that are
// addresses of its predefined objects) the layer is written for.
const Library = "libmpi.so.40"

// strSize bounds the strings MPI writes back (MPI_MAX_ERROR_STRING and
// MPI_MAX_LIBRARY_VERSION_STRING are 256 in Open MPI).
const strSize = 4096

// loadOnce loads the library at most once a process; MPI cannot be initialised twice.
var (
	loadOnce sync.Once
	loadErr  error
	initDone bool
)

// load loads Open MPI once a process and reports why it cannot, or nil.
func load() error {
	loadOnce.Do(func() {
		// Open MPI's signal handlers (for its backtraces) lack SA_ONSTACK, which Go's
		// runtime needs of every handler; leave the signals to Go unless told otherwise.
		// Open MPI takes its MCA parameters from the environment at MPI_Init, with no
		// API to set one before, so this is the one way; it runs only here, when the
		// application asks for MPI (Init), never on import.
		if _, ok := os.LookupEnv("OMPI_MCA_opal_signal"); !ok {
			os.Setenv("OMPI_MCA_opal_signal", "")
		}
		lib := C.CString(Library)
		defer C.free(unsafe.Pointer(lib))
		if msg := C.gogru_mpi_open(lib); msg != nil {
			loadErr = fmt.Errorf("distributed: loading Open MPI (%s): %s; install it (Debian: apt-get install openmpi-bin libopenmpi-dev) or run without mpirun", Library, C.GoString(msg))
		}
	})
	return loadErr
}

// Available loads Open MPI without initialising it and returns its version, e.g.
// "Open MPI v4.1.4", or why it cannot be loaded: what gru info reports.
func Available() (string, error) {
	if err := load(); err != nil {
		return "", err
	}
	buf := make([]byte, strSize)
	C.gogru_mpi_library((*C.char)(unsafe.Pointer(&buf[0])))
	return firstLine(C.GoString((*C.char)(unsafe.Pointer(&buf[0])))), nil
}

// Init loads Open MPI, initialises it (MPI_Init_thread, serialised) and returns the
// world communicator. It fails, saying what to install, where libmpi.so.40 is
// missing; and on a second call, since MPI is initialised once a process.
func Init() (*Comm, error) {
	if err := load(); err != nil {
		return nil, err
	}
	if initDone {
		return nil, fmt.Errorf("distributed: MPI is initialised once a process")
	}
	initDone = true
	var provided C.int
	if rc := C.gogru_mpi_init(&provided); rc != 0 {
		return nil, mpiError("MPI_Init_thread", rc)
	}
	if provided < 2 {
		return nil, fmt.Errorf("distributed: MPI provides thread level %d, gogru needs MPI_THREAD_SERIALIZED (2)", int(provided))
	}
	var rank, size C.int
	if rc := C.gogru_mpi_rank(&rank); rc != 0 {
		return nil, mpiError("MPI_Comm_rank", rc)
	}
	if rc := C.gogru_mpi_size(&size); rc != 0 {
		return nil, mpiError("MPI_Comm_size", rc)
	}
	version, _ := Available()
	c := &Comm{rank: int(rank), size: int(size), version: version}
	if err := c.findLocalRank(); err != nil {
		return nil, err
	}
	return c, nil
}

// firstLine is s up to its first line break or comma, trimmed: Open MPI's version
// string goes on with its repository and release date.
func firstLine(s string) string {
	if i := strings.IndexAny(s, ",\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// mpiError describes a failed MPI call with MPI's own message.
func mpiError(call string, rc C.int) error {
	buf := make([]byte, strSize)
	C.gogru_mpi_error_string(rc, (*C.char)(unsafe.Pointer(&buf[0])))
	msg := C.GoString((*C.char)(unsafe.Pointer(&buf[0])))
	if msg == "" {
		msg = "no description"
	}
	return fmt.Errorf("distributed: %s failed: %s (error %d)", call, msg, int(rc))
}

// maxCount is the most elements one MPI call moves (its count is a C int); longer
// buffers go in pieces.
const maxCount = 1 << 30

func (c *Comm) sumF64(buf []float64) error {
	for len(buf) > 0 {
		n := min(len(buf), maxCount)
		if rc := C.gogru_mpi_sum_f64((*C.double)(unsafe.Pointer(&buf[0])), C.int(n)); rc != 0 {
			return mpiError("MPI_Allreduce", rc)
		}
		buf = buf[n:]
	}
	return nil
}

func (c *Comm) bcast(buf []byte, root int) error {
	for len(buf) > 0 {
		n := min(len(buf), maxCount)
		if rc := C.gogru_mpi_bcast(unsafe.Pointer(&buf[0]), C.int(n), C.int(root)); rc != 0 {
			return mpiError("MPI_Bcast", rc)
		}
		buf = buf[n:]
	}
	return nil
}

func (c *Comm) allGather(b []byte) ([][]byte, error) {
	if len(b) > maxCount {
		return nil, fmt.Errorf("distributed: AllGather of %d bytes: at most %d", len(b), maxCount)
	}
	counts := make([]C.int, c.size)
	if rc := C.gogru_mpi_allgather_int(C.int(len(b)), &counts[0]); rc != 0 {
		return nil, mpiError("MPI_Allgather", rc)
	}
	displs := make([]C.int, c.size)
	total := 0
	for i, n := range counts {
		displs[i] = C.int(total)
		total += int(n)
	}
	if total > maxCount {
		return nil, fmt.Errorf("distributed: AllGather of %d bytes in all: at most %d", total, maxCount)
	}
	out := make([]byte, total+1) // +1: a valid address when every rank sends nothing
	in := b
	if len(in) == 0 {
		in = []byte{0}
	}
	if rc := C.gogru_mpi_allgatherv(unsafe.Pointer(&in[0]), C.int(len(b)), unsafe.Pointer(&out[0]), &counts[0], &displs[0]); rc != 0 {
		return nil, mpiError("MPI_Allgatherv", rc)
	}
	parts := make([][]byte, c.size)
	for i := range parts {
		parts[i] = out[displs[i] : int(displs[i])+int(counts[i]) : int(displs[i])+int(counts[i])]
	}
	return parts, nil
}

func (c *Comm) abort(code int) { C.gogru_mpi_abort(C.int(code)) }

func (c *Comm) finalize() error {
	if rc := C.gogru_mpi_finalize(); rc != 0 {
		return mpiError("MPI_Finalize", rc)
	}
	return nil
}
