package cpu

import "sync"

// The fused elementwise passes of one time step mirror the CUDA kernels: forward
// in pointwise_forward.go (kernels/gru_forward.cu), backward in
// pointwise_backward.go (kernels/gru_backward.cu), each pass a type named after
// its kernel (gruFwdAfter for gru_fwd_after, …) whose runRange does batch rows
// [lo, hi) where the kernel does one (b, j) per thread. The pool splits the rows.

// stepRows is what every fused pass of one step of one cell reads: which step it is,
// which batch rows are still inside their sequence, and the saved gates and state
// before the step. Layouts (H hidden units, a row per batch entry):
//
//	gates [B,4H]  saved r | z | n | hn (ResetAfter) or R⊙H (ResetBefore)
//	hPrev [B,H]   state before the step
type stepRows[T Float] struct {
	wg      sync.WaitGroup // the pool's count of this pass's outstanding row ranges
	H       int
	t       int   // time index of this step
	lens    []int // valid length of each sequence
	gates   []T
	hPrev   []T
	yStride int // row stride of y (forward) or dy (backward): the stack's output width
}

func (k *stepRows[T]) done() *sync.WaitGroup { return &k.wg }

// padded reports whether step t of sequence b lies past its length.
func (k *stepRows[T]) padded(b int) bool { return k.t >= k.lens[b] }
