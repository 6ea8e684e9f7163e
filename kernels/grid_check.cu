// A check of grid_sync and of each block's dynamic shared memory in a cooperative
// launch, for the tests (cuda/cooperative_test.go): it proves the barrier on the
// simulator and on a GPU alike.
#include "common.cuh"

// grid_sync_check: n = gridDim.x·blockDim.x threads, i this thread's flat index,
// peer = (i + blockDim.x) mod n, the same thread of the next block. In each of
// rounds rounds r, every thread writes vals[i] = r·n + i, waits at grid_sync, adds
// vals[peer] to its sum and waits again before the next round writes. Each block
// also writes its index into its dynamic shared memory (blockDim.x ints) first
// and reads a neighbour's slot last. Then
//   seen[i] = Σ_r (r·n + peer)    when the block's shared memory held its own index,
//   seen[i] = −1                  when another block's launch wrote there.
//gogru:kernel cooperative
extern "C" __global__ void grid_sync_check(int rounds, int* vals, int* seen, unsigned* bar) {
  int n = gridDim.x * blockDim.x, i = flat_index(), peer = (i + blockDim.x) % n;
  int* mine = dynamic_shared<int>();
  mine[threadIdx.x] = blockIdx.x;
  int sum = 0;
  for (int r = 0; r < rounds; r++) {
    vals[i] = r * n + i;
    grid_sync(bar);
    sum += vals[peer];
    grid_sync(bar);
  }
  seen[i] = mine[(threadIdx.x + 1) % blockDim.x] == (int)blockIdx.x ? sum : -1;
}
