package lm

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/sysmem"
)

// MemoryError reports that a model would need more memory than is available.
type MemoryError struct {
	What      string // what was being sized, e.g. "model parameters and gradients"
	Need      int64  // bytes the estimate asks for
	Available int64  // bytes the backend or host reports free
	Where     string // "the host" or the backend's name
}

// Error gives the estimate, what is available and where.
func (e *MemoryError) Error() string {
	return fmt.Sprintf("gru: not enough memory: %s need about %s, more than the %s available on %s",
		e.What, sysmem.Format(e.Need), sysmem.Format(e.Available), e.Where)
}

// MemoryEstimate is the memory a model and its training need, in bytes.
type MemoryEstimate struct {
	Params  int64 // parameter count
	Backend int64 // on the backend: parameters, gradients, optimiser state and activations
	Host    int64 // on the host while the model is built: the float64 initial parameters
}

// EstimateMemory estimates what a model of this configuration needs: its
// parameters and gradients, optimizerSlots more copies of the parameters (Adam
// keeps 2, SGD 0), and, when steps and batch are positive, the activations of a
// training step of that shape, all in elements of elemBytes; plus the float64
// copy of the parameters the host holds while New initialises them. It is an
// estimate within some tens of percent, made to refuse what cannot fit before any
// of it is allocated.
func (mc Config) EstimateMemory(elemBytes, optimizerSlots, steps, batch int) MemoryEstimate {
	g := mc.GRU
	var params int64
	for l := range g.Layers {
		in, h := int64(g.LayerInputSize(l)), int64(g.HiddenSize)
		params += int64(g.Directions()) * (in*3*h + h*3*h + 6*h)
	}
	out, vocab := int64(g.OutputSize()), int64(mc.Vocab)
	params += out*vocab + vocab + vocab*int64(mc.Embed)
	elems := params * int64(2+optimizerSlots)
	if steps > 0 && batch > 0 {
		// Per token: the input, y, dy and the stack's output and its gradients, the
		// logits and their gradient, and per cell the saved gates (4H), states (H),
		// input projections and their gradients (3 × 3H).
		perToken := int64(mc.InputWidth()) + 5*out + 2*vocab + int64(g.Cells())*14*int64(g.HiddenSize)
		elems += int64(steps) * int64(batch) * perToken
	}
	return MemoryEstimate{Params: params, Backend: elems * int64(elemBytes), Host: 8 * params}
}

// CheckMemory returns a *MemoryError when est cannot fit: its host part in the
// host's available memory (together with its backend part when be's memory is the
// host's), or its backend part in the memory be reports. A figure that cannot be
// read is not checked.
func CheckMemory(be gru.Backend, est MemoryEstimate, what string) error {
	hostNeed := est.Host
	if mr, ok := be.(gru.MemoryReporter); ok {
		avail, onHost, err := mr.AvailableMemory()
		switch {
		case err != nil:
		case onHost:
			hostNeed += est.Backend
		case est.Backend > avail:
			return &MemoryError{What: what, Need: est.Backend, Available: avail, Where: be.Name()}
		}
	}
	if avail, err := sysmem.Available(); err == nil && hostNeed > avail {
		return &MemoryError{What: what, Need: hostNeed, Available: avail, Where: "the host"}
	}
	return nil
}

// checkModelFits refuses a model whose parameters, gradients and initial float64
// copy cannot fit (see CheckMemory).
func checkModelFits(be gru.Backend, mc Config) error {
	esize := 4
	if be.DType() == gru.Float64 {
		esize = 8
	}
	est := mc.EstimateMemory(esize, 0, 0, 0)
	return CheckMemory(be, est, fmt.Sprintf("a model's %d parameters and their gradients", est.Params))
}
