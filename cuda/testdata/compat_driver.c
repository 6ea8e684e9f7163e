/* A mock driver for cuda/compat_test.go: the 13.0 entry points record what they were
 * given, and main checks that the old-style calls in compat_calls.c reached them with
 * the arguments the pre-13 calls meant. Built against cuda13/cuda.h alone. */
#include <stdio.h>
#include <cuda.h>

#undef cuCtxCreate
#undef cuMemAdvise
#undef cuMemPrefetchAsync
#undef cuGraphAddDependencies
#undef cuGraphGetEdges

static int failures;
#define EXPECT(cond)                                                  \
	do {                                                              \
		if (!(cond)) {                                                \
			fprintf(stderr, "compat_driver: failed: %s\n", #cond);   \
			failures++;                                               \
		}                                                             \
	} while (0)

static int advise_calls;

CUresult cuCtxCreate_v4(CUcontext *pctx, CUctxCreateParams *params, unsigned int flags, CUdevice dev) {
	EXPECT(pctx != NULL);
	EXPECT(params == NULL);
	EXPECT(flags == 4);
	EXPECT(dev == 3);
	*pctx = NULL;
	return CUDA_SUCCESS;
}

CUresult cuMemAdvise_v2(CUdeviceptr p, size_t count, CUmem_advise advice, CUmemLocation loc) {
	EXPECT(p == 0x1000 && count == 256);
	if (advice == CU_MEM_ADVISE_SET_PREFERRED_LOCATION) {
		EXPECT(loc.type == CU_MEM_LOCATION_TYPE_DEVICE && loc.id == 3);
	} else {
		EXPECT(loc.type == CU_MEM_LOCATION_TYPE_HOST);
	}
	advise_calls++;
	return CUDA_SUCCESS;
}

CUresult cuMemPrefetchAsync_v2(CUdeviceptr p, size_t count, CUmemLocation loc, unsigned int flags, CUstream s) {
	EXPECT(p == 0x1000 && count == 256);
	EXPECT(loc.type == CU_MEM_LOCATION_TYPE_DEVICE && loc.id == 3);
	EXPECT(flags == 0);
	EXPECT(s == (CUstream)0x2000);
	return CUDA_SUCCESS;
}

CUresult cuGraphAddDependencies_v2(CUgraph g, const CUgraphNode *from, const CUgraphNode *to,
                                   const CUgraphEdgeData *edges, size_t n) {
	EXPECT(g == (CUgraph)0x3000 && from != NULL && to != NULL);
	EXPECT(edges == NULL);
	EXPECT(n == 1);
	return CUDA_SUCCESS;
}

CUresult cuGraphGetEdges_v2(CUgraph g, CUgraphNode *from, CUgraphNode *to, CUgraphEdgeData *edges, size_t *n) {
	EXPECT(g == (CUgraph)0x3000 && from != NULL && to != NULL);
	EXPECT(edges == NULL);
	*n = 7;
	return CUDA_SUCCESS;
}

CUresult gogru_old_style_calls(CUdevice dev, CUdeviceptr p, CUstream s, CUgraph g, CUgraphNode *from,
                               CUgraphNode *to, size_t *edges);

int main(void) {
	CUgraphNode a = NULL, b = NULL;
	size_t edges = 0;
	CUresult r = gogru_old_style_calls(3, 0x1000, (CUstream)0x2000, (CUgraph)0x3000, &a, &b, &edges);
	EXPECT(r == CUDA_SUCCESS);
	EXPECT(advise_calls == 2);
	EXPECT(edges == 7);
	if (failures) return 1;
	printf("compat: the five old-style calls reached the 13.0 entry points as meant\n");
	return 0;
}
