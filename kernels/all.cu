// The single translation unit nvcc compiles into gogru.fatbin.
#include "gru_forward.cu"
#include "gru_backward.cu"
#include "reduce.cu"
#include "model.cu"
#include "optim.cu"
