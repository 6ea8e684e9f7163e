package lm

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// GradReducer averages a training step's gradients over the processes of a
// data-parallel job, as PyTorch's DistributedDataParallel and Horovod do: every
// process runs the same model on its own rows of the global batch, and a Trainer
// with a Reducer calls Average once a step, after the backward pass and before
// clipping and the optimiser, so that every process applies the same update and
// holds the same parameters.
//
// Each process's loss is the mean over its own rows; the mean of the processes'
// gradients is the gradient of the mean over the global batch when every process
// has as many rows, which the caller ensures.
type GradReducer interface {
	// Average replaces every tensor of ts, on be, by its mean over the job's
	// processes, with one collective over one flat buffer. ts are the model's
	// gradients followed by the step's loss (a one-element tensor), so that every
	// process also reads the global batch's loss; every process passes tensors of
	// the same shapes in the same order.
	Average(be gru.Backend, ts []gru.Tensor) error
}

// HostReducer is a GradReducer that stages through host memory: it reads the
// tensors into one flat float64 buffer, has Sum add it up over the processes, and
// writes the mean back. On a float32 backend the sum runs in float64 and is
// rounded once, on the way back. It suits the CPU backend, and a GPU where NCCL is
// missing.
type HostReducer struct {
	// Sum replaces buf by its element-wise sum over the processes (an MPI
	// all-reduce); every process passes the same length.
	Sum func(buf []float64) error
	// Processes is the number of processes Sum adds over.
	Processes int

	buf []float64
}

// Average reads ts into one buffer, sums it over the processes, and writes the
// mean back.
func (h *HostReducer) Average(be gru.Backend, ts []gru.Tensor) error {
	if h.Processes < 1 {
		return fmt.Errorf("lm: HostReducer over %d processes", h.Processes)
	}
	n := 0
	for _, t := range ts {
		n += gru.Len(t.Shape())
	}
	if cap(h.buf) < n {
		h.buf = make([]float64, n)
	}
	buf := h.buf[:n]
	off := 0
	for _, t := range ts {
		k := gru.Len(t.Shape())
		if err := be.Read(buf[off:off+k], t); err != nil {
			return err
		}
		off += k
	}
	if err := h.Sum(buf); err != nil {
		return err
	}
	for i := range buf {
		buf[i] /= float64(h.Processes)
	}
	off = 0
	for _, t := range ts {
		k := gru.Len(t.Shape())
		if err := be.Write(t, buf[off:off+k]); err != nil {
			return err
		}
		off += k
	}
	return nil
}
