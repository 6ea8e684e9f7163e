package cuda

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// RecurrentKernel is how a GPU backend runs the recurrence of each layer and
// direction: the part of a GRU that goes step by step.
type RecurrentKernel int

const (
	// KernelGEMM, the default, runs each step as cuBLAS GEMMs with W_h (one for
	// ResetAfter, two for ResetBefore) and a fused pointwise kernel, forward and
	// backward: several launches a step, W_h read from memory each time.
	KernelGEMM RecurrentKernel = iota
	// KernelPersistent runs all steps of a layer and direction in one cooperative
	// kernel whose blocks keep their slices of W_h in shared memory for the whole
	// sequence and meet at a grid barrier each step; the backward sweep likewise.
	// The input projections and the gradient GEMMs stay as for KernelGEMM. Where
	// the slices do not fit on chip (see planPersistent) a layer runs KernelGEMM,
	// silently (and where a driver call of its planning or launch fails, with one
	// warning); RecurrentRuns says which ran. It is opt-in until measured on a GPU.
	KernelPersistent
	// KernelAuto times both on the first passes of each shape and keeps the
	// faster (autotune.go), as PyTorch's cudnn.benchmark does. It becomes the
	// default once both paths have been measured on a GPU.
	KernelAuto
)

// String returns the kernel's name, as --kernel takes it.
func (k RecurrentKernel) String() string {
	switch k {
	case KernelGEMM:
		return "gemm"
	case KernelPersistent:
		return "persistent"
	case KernelAuto:
		return "auto"
	}
	return fmt.Sprintf("RecurrentKernel(%d)", int(k))
}

// ParseRecurrentKernel reads a kernel's name: gemm, persistent or auto.
func ParseRecurrentKernel(s string) (RecurrentKernel, error) {
	for _, k := range []RecurrentKernel{KernelGEMM, KernelPersistent, KernelAuto} {
		if s == k.String() {
			return k, nil
		}
	}
	return 0, fmt.Errorf("cuda: recurrent kernel %q: want gemm, persistent or auto", s)
}

// SetRecurrentKernel selects the recurrent kernel of the passes that follow, on
// every stack of the backend. Forward and Backward save the same activations
// either way, so it may change between them.
func (be *Backend) SetRecurrentKernel(k RecurrentKernel) error {
	if be.closed {
		return gru.ErrClosed
	}
	if k != KernelGEMM && k != KernelPersistent && k != KernelAuto {
		return fmt.Errorf("cuda: SetRecurrentKernel(%v): want KernelGEMM, KernelPersistent or KernelAuto", k)
	}
	be.recurrent = k
	return nil
}

// RecurrentKernel returns the recurrent kernel the backend asks for.
func (be *Backend) RecurrentKernel() RecurrentKernel { return be.recurrent }

// RecurrentRuns counts the passes of one layer and direction, forward and
// backward each one pass, by the kernel that ran them.
type RecurrentRuns struct {
	GEMM, Persistent int
}

// RecurrentRuns returns the passes run since the backend opened, by kernel: with
// KernelPersistent asked for, GEMM counts those that fell back.
func (be *Backend) RecurrentRuns() RecurrentRuns { return be.runs }
