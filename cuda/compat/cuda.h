/*
 * cuda.h — compatibility shim so that gorgonia.org/cu v0.9.6 builds against CUDA 13
 * headers without a fork.
 *
 * Put this directory first on the include path through CGO_CPPFLAGS (never CGO_CFLAGS,
 * which would replace Go's default -g -O2):
 *
 *     CGO_CPPFLAGS="-I$PWD/cuda/compat" go build -tags cuda ./...
 *
 * It includes the toolkit's own cuda.h with #include_next. With CUDA 11.x and 12.x
 * headers it adds nothing. With CUDA 13.0 and later, five driver calls that
 * gorgonia.org/cu makes the pre-13 way changed signature; each name is re-pointed,
 * with an object-like macro (cgo cannot call a function-like macro), at a static
 * inline wrapper that keeps the old signature and calls the 13.0 entry point:
 *
 *     old call                                       13.0 entry point
 *     cuCtxCreate(pctx, flags, dev)                  cuCtxCreate_v4(pctx, NULL, flags, dev)
 *     cuMemAdvise(p, n, advice, device)              cuMemAdvise_v2(p, n, advice, location)
 *     cuMemPrefetchAsync(p, n, device, stream)       cuMemPrefetchAsync_v2(p, n, location, 0, stream)
 *     cuGraphAddDependencies(g, from, to, n)         cuGraphAddDependencies_v2(g, from, to, NULL, n)
 *     cuGraphGetEdges(g, from, to, n)                cuGraphGetEdges_v2(g, from, to, NULL, n)
 *
 * A device number becomes a CUmemLocation of type DEVICE; CU_DEVICE_CPU becomes the
 * HOST location, as the pre-13 calls defined it. A NULL edge-data array means
 * default edges, which is all the pre-13 calls could express.
 * cuda/compat_test.go proves the mapping against a mock of the 13.0 prototypes.
 */
#ifndef GOGRU_COMPAT_CUDA_H
#define GOGRU_COMPAT_CUDA_H

#include_next <cuda.h>

#if defined(CUDA_VERSION) && CUDA_VERSION >= 13000

#include <stddef.h>

static inline CUmemLocation gogru_compat_location(CUdevice device) {
	CUmemLocation loc;
	if (device == CU_DEVICE_CPU) {
		loc.type = CU_MEM_LOCATION_TYPE_HOST;
		loc.id = 0;
	} else {
		loc.type = CU_MEM_LOCATION_TYPE_DEVICE;
		loc.id = (int)device;
	}
	return loc;
}

static inline CUresult gogru_compat_cuCtxCreate(CUcontext *pctx, unsigned int flags, CUdevice dev) {
	return cuCtxCreate_v4(pctx, NULL, flags, dev);
}

static inline CUresult gogru_compat_cuMemAdvise(CUdeviceptr devPtr, size_t count, CUmem_advise advice, CUdevice device) {
	return cuMemAdvise_v2(devPtr, count, advice, gogru_compat_location(device));
}

static inline CUresult gogru_compat_cuMemPrefetchAsync(CUdeviceptr devPtr, size_t count, CUdevice dstDevice,
                                                       CUstream hStream) {
	return cuMemPrefetchAsync_v2(devPtr, count, gogru_compat_location(dstDevice), 0, hStream);
}

static inline CUresult gogru_compat_cuGraphAddDependencies(CUgraph hGraph, const CUgraphNode *from,
                                                           const CUgraphNode *to, size_t numDependencies) {
	return cuGraphAddDependencies_v2(hGraph, from, to, NULL, numDependencies);
}

static inline CUresult gogru_compat_cuGraphGetEdges(CUgraph hGraph, CUgraphNode *from, CUgraphNode *to,
                                                    size_t *numEdges) {
	return cuGraphGetEdges_v2(hGraph, from, to, NULL, numEdges);
}

#undef cuCtxCreate
#define cuCtxCreate gogru_compat_cuCtxCreate
#undef cuMemAdvise
#define cuMemAdvise gogru_compat_cuMemAdvise
#undef cuMemPrefetchAsync
#define cuMemPrefetchAsync gogru_compat_cuMemPrefetchAsync
#undef cuGraphAddDependencies
#define cuGraphAddDependencies gogru_compat_cuGraphAddDependencies
#undef cuGraphGetEdges
#define cuGraphGetEdges gogru_compat_cuGraphGetEdges

#endif /* CUDA_VERSION >= 13000 */
#endif /* GOGRU_COMPAT_CUDA_H */
