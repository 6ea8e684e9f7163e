//go:build cgo

package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// NCCL, loaded at run time from libnccl.so.2, so that no build tag or header is
// needed and a machine without it falls back to host staging. ncclUniqueId is 128
// bytes passed by value; ncclComm_t and cudaStream_t cross as uintptr_t.
typedef struct { char internal[128]; } gogru_nccl_id;
static int (*p_nccl_version)(int*);
static int (*p_nccl_unique_id)(gogru_nccl_id*);
static int (*p_nccl_init_rank)(uintptr_t*, int, gogru_nccl_id, int);
static int (*p_nccl_all_reduce)(const void*, void*, size_t, int, int, uintptr_t, uintptr_t);
static int (*p_nccl_destroy)(uintptr_t);
static const char* (*p_nccl_error)(int);

#define GOGRU_NCCL_SYM(var, name) if (!(*(void**)(&var) = dlsym(h, name))) return name;

// gogru_nccl_open loads lib and its symbols; NULL on success, else what failed.
static const char* gogru_nccl_open(const char* lib) {
  void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) return dlerror();
  GOGRU_NCCL_SYM(p_nccl_version, "ncclGetVersion")
  GOGRU_NCCL_SYM(p_nccl_unique_id, "ncclGetUniqueId")
  GOGRU_NCCL_SYM(p_nccl_init_rank, "ncclCommInitRank")
  GOGRU_NCCL_SYM(p_nccl_all_reduce, "ncclAllReduce")
  GOGRU_NCCL_SYM(p_nccl_destroy, "ncclCommDestroy")
  GOGRU_NCCL_SYM(p_nccl_error, "ncclGetErrorString")
  return NULL;
}
static int gogru_nccl_version(int* v) { return p_nccl_version(v); }
static int gogru_nccl_unique_id(void* id) { return p_nccl_unique_id((gogru_nccl_id*)id); }
static int gogru_nccl_init_rank(uintptr_t* comm, int n, const void* id, int rank) {
  gogru_nccl_id v;
  memcpy(&v, id, sizeof v);
  return p_nccl_init_rank(comm, n, v, rank);
}
// ncclAvg (4): the sum divided by the ranks, on the device.
static int gogru_nccl_average(uintptr_t buf, size_t n, int f64, uintptr_t comm, uintptr_t stream) {
  return p_nccl_all_reduce((const void*)buf, (void*)buf, n, f64 ? 8 : 7, 4, comm, stream);
}
static int gogru_nccl_destroy(uintptr_t comm) { return p_nccl_destroy(comm); }
static const char* gogru_nccl_error(int r) { return p_nccl_error(r); }
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
)

// ncclIDSize is the size of ncclUniqueId, which rank 0 makes and every rank needs.
const ncclIDSize = 128

// ncclMinVersion is NCCL 2.10, the first with ncclAvg.
const ncclMinVersion = 21000

var (
	ncclOnce    sync.Once
	ncclErr     error
	ncclVersion int
)

// NCCLAvailable loads NCCL (libnccl.so.2) on first use and reports why it cannot
// be used, or nil: it must load and be version 2.10 or later (ncclAvg). Every rank
// of a job must agree before any creates a communicator, since NewNCCL waits for
// all of them.
func NCCLAvailable() error {
	ncclOnce.Do(func() {
		lib := C.CString(NCCLLibrary)
		defer C.free(unsafe.Pointer(lib))
		if msg := C.gogru_nccl_open(lib); msg != nil {
			ncclErr = fmt.Errorf("cuda: NCCL not loaded (%s): %s", NCCLLibrary, C.GoString(msg))
			return
		}
		var v C.int
		if r := C.gogru_nccl_version(&v); r != 0 {
			ncclErr = ncclError("ncclGetVersion", r)
			return
		}
		ncclVersion = int(v)
		if ncclVersion < ncclMinVersion {
			ncclErr = fmt.Errorf("cuda: NCCL %d is older than 2.10, which brought ncclAvg", ncclVersion)
		}
	})
	return ncclErr
}

func ncclError(call string, r C.int) error {
	return &Error{Call: call, Status: int(r), Detail: C.GoString(C.gogru_nccl_error(r))}
}

// ncclDevice is what NCCL needs of a device: a GPU's stream, and its context
// current on the calling thread. The real device has them; the simulator has no
// NCCL, and its data-parallel jobs stage through the host.
type ncclDevice interface {
	StreamHandle() uintptr
	Do(f func() error) error
}

// NCCL averages gradients across the GPUs of a data-parallel job with NCCL's
// all-reduce (ncclAvg), in device memory: it is an lm.GradReducer. The tensors are
// copied into one flat device buffer, reduced with one call and copied back, all
// on the backend's stream, so a recorded step holds the reduction too (NCCL's
// calls can be captured in a CUDA graph).
type NCCL struct {
	be    *Backend
	dev   ncclDevice
	comm  C.uintptr_t
	ranks int
	flat  device.Ptr // the flat buffer, flatN elements
	flatN int
}

// NewNCCL makes rank's member of an NCCL communicator of ranks GPUs on be's GPU.
// Rank 0 makes the communicator's unique id and broadcast passes it to every rank
// (an MPI broadcast from rank 0 of its 128 bytes); every rank calls NewNCCL.
func NewNCCL(be *Backend, rank, ranks int, broadcast func(id []byte) error) (*NCCL, error) {
	if err := NCCLAvailable(); err != nil {
		return nil, err
	}
	dev, ok := be.dev.(ncclDevice)
	if !ok {
		return nil, fmt.Errorf("cuda: NCCL needs a GPU; %s has none", be.Name())
	}
	id := make([]byte, ncclIDSize)
	if rank == 0 {
		if r := C.gogru_nccl_unique_id(unsafe.Pointer(&id[0])); r != 0 {
			return nil, ncclError("ncclGetUniqueId", r)
		}
	}
	if err := broadcast(id); err != nil {
		return nil, err
	}
	n := &NCCL{be: be, dev: dev, ranks: ranks}
	err := dev.Do(func() error {
		if r := C.gogru_nccl_init_rank(&n.comm, C.int(ranks), unsafe.Pointer(&id[0]), C.int(rank)); r != 0 {
			return ncclError("ncclCommInitRank", r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Average copies ts into the flat buffer, averages it over the ranks with one
// ncclAllReduce, and copies it back, queued on be's stream.
func (n *NCCL) Average(be gru.Backend, ts []gru.Tensor) error {
	if be != gru.Backend(n.be) {
		return fmt.Errorf("cuda: NCCL: tensors of %s, the communicator is on %s", be.Name(), n.be.Name())
	}
	cts := make([]*Tensor, len(ts))
	total := 0
	for i, t := range ts {
		ct, err := n.be.mustTensor(fmt.Sprintf("NCCL.Average: tensor %d", i), t)
		if err != nil {
			return err
		}
		cts[i] = ct
		total += ct.n
	}
	es := n.be.esize()
	if total > n.flatN { // sized on the first step, which runs unrecorded
		if n.flat != 0 {
			if err := n.be.dev.Free(n.flat); err != nil {
				return err
			}
			n.flat, n.flatN = 0, 0
		}
		p, err := n.be.alloc(fmt.Sprintf("NCCL flat gradients [%d]", total), total*es)
		if err != nil {
			return err
		}
		n.flat, n.flatN = p, total
	}
	off := 0
	for _, ct := range cts {
		if err := n.be.dev.DtoD(n.flat.Add(off, es), ct.p, ct.n*es); err != nil {
			return err
		}
		off += ct.n
	}
	err := n.dev.Do(func() error {
		r := C.gogru_nccl_average(C.uintptr_t(n.flat), C.size_t(total), boolInt(es == 8), n.comm, C.uintptr_t(n.dev.StreamHandle()))
		if r != 0 {
			return ncclError("ncclAllReduce", r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	off = 0
	for _, ct := range cts {
		if err := n.be.dev.DtoD(ct.p, n.flat.Add(off, es), ct.n*es); err != nil {
			return err
		}
		off += ct.n
	}
	return nil
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// DeviceOnly reports true: Average queues its copies and its all-reduce on the
// backend's stream, touches no host memory and does not wait for the device.
func (n *NCCL) DeviceOnly() bool { return true }

// Close destroys the communicator and frees the flat buffer. Calling it twice is
// safe.
func (n *NCCL) Close() error {
	var err error
	if n.flat != 0 {
		err = n.be.dev.Free(n.flat)
		n.flat, n.flatN = 0, 0
	}
	if n.comm != 0 {
		cerr := n.dev.Do(func() error {
			if r := C.gogru_nccl_destroy(n.comm); r != 0 {
				return ncclError("ncclCommDestroy", r)
			}
			return nil
		})
		n.comm = 0
		if err == nil {
			err = cerr
		}
	}
	return err
}
