/* The five driver calls made the pre-13 way, as gorgonia.org/cu v0.9.6 makes them.
 * cuda/compat_test.go compiles this through ../compat/cuda.h against the mock CUDA 13
 * header in cuda13/, with gcc -Wall -Werror, and runs it against compat_driver.c. */
#include <cuda.h>

#if !defined(CUDA_VERSION) || CUDA_VERSION < 13000
#error "expected the mock CUDA 13 header"
#endif

CUresult gogru_old_style_calls(CUdevice dev, CUdeviceptr p, CUstream s, CUgraph g, CUgraphNode *from,
                               CUgraphNode *to, size_t *edges) {
	CUcontext ctx;
	CUresult r = cuCtxCreate(&ctx, 4, dev);
	if (r == CUDA_SUCCESS) r = cuMemAdvise(p, 256, CU_MEM_ADVISE_SET_PREFERRED_LOCATION, dev);
	if (r == CUDA_SUCCESS) r = cuMemAdvise(p, 256, CU_MEM_ADVISE_SET_READ_MOSTLY, CU_DEVICE_CPU);
	if (r == CUDA_SUCCESS) r = cuMemPrefetchAsync(p, 256, dev, s);
	if (r == CUDA_SUCCESS) r = cuGraphAddDependencies(g, from, to, 1);
	if (r == CUDA_SUCCESS) r = cuGraphGetEdges(g, from, to, edges);
	return r;
}
