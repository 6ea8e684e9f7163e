// The single translation unit nvcc compiles into gogru.fatbin (and the simulator
// into the cuda package), the template kernels' generated entry points last.
#include "gru_forward.cu"
#include "gru_backward.cu"
#include "gru_persistent_forward.cu"
#include "gru_persistent_backward.cu"
#include "reduce.cu"
#include "model.cu"
#include "optim.cu"
#include "dropout.cu"
#include "grid_check.cu"
#include "kernels_gen.cuh"
