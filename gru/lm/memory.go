package lm

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/checked"
	"github.com/gogru/gogru/internal/sysmem"
)

// MemoryError reports that a model would need more memory than is available.
type MemoryError struct {
	What      string  // what was being sized, e.g. "model parameters and gradients"
	Need      float64 // bytes the estimate asks for (float64: it may exceed any int64)
	Available int64   // bytes the backend or host reports free
	Where     string  // "the host" or the backend's name
}

// Error gives the estimate, what is available and where.
func (e *MemoryError) Error() string {
	return fmt.Sprintf("gru: not enough memory: %s need about %s, more than the %s available on %s",
		e.What, checked.Count(e.Need).Bytes(), sysmem.Format(e.Available), e.Where)
}

// MemoryEstimate is the memory a model and its training need. The figures are
// float64 so that no configuration, however large, overflows them: an estimate
// quotes its true magnitude (exactly below 2^53).
type MemoryEstimate struct {
	Params  float64 // parameter count
	Backend float64 // bytes on the backend: parameters, gradients, optimiser state and activations
	Host    float64 // bytes on the host while the model is built: the float64 initial parameters
}

// EstimateStack estimates what a GRU stack of configuration g needs to train on
// batches of steps × batch tokens: its parameters and gradients, optimizerSlots
// more copies of the parameters, and per token the input, its gradient, the
// output, its gradient and, per cell, the saved gates (4H), states (H), input
// projections and the input and recurrent gradients of the pre-activations
// (3 × 3H), all in elements of elemBytes; plus the float64 copy of the parameters
// the host holds while they are initialised. The CPU backend keeps ResetBefore's
// two gradients in one buffer in the forward direction, so for those cells the
// estimate is 3H a token above what it allocates. It is the check gru bench makes
// before allocating a case.
func EstimateStack(g gru.Config, elemBytes, optimizerSlots, steps, batch int) MemoryEstimate {
	params := g.ParamCount()
	elems := params * float64(2+optimizerSlots)
	if steps > 0 && batch > 0 {
		perToken := 2*float64(g.InputSize) + 2*float64(g.OutputSize()) + float64(g.Layers)*float64(g.Directions())*14*float64(g.HiddenSize)
		elems += float64(steps) * float64(batch) * perToken
	}
	return MemoryEstimate{Params: params, Backend: elems * float64(elemBytes), Host: 8 * params}
}

// EstimateMemory estimates what a model of this configuration needs: its
// parameters and gradients, optimizerSlots more copies of the parameters (Adam
// and AdamW keep 2, SGD with momentum 1, plain SGD 0), and, when steps and batch
// are positive, the activations of a training step of that shape, all in
// elements of elemBytes; plus the float64 copy of the parameters the host holds
// while New initialises them. It is an estimate within some tens of percent, made
// to refuse what cannot fit before any of it is allocated. It is computed in
// float64, so no size overflows it.
func (mc Config) EstimateMemory(elemBytes, optimizerSlots, steps, batch int) MemoryEstimate {
	g := mc.GRU
	out, vocab := float64(g.Directions())*float64(g.HiddenSize), float64(mc.Vocab)
	params := g.ParamCount() + out*vocab + vocab + vocab*float64(mc.Embed)
	elems := params * float64(2+optimizerSlots)
	if steps > 0 && batch > 0 {
		// Per token: the input, y, dy and the stack's output and its gradients, the
		// logits and their gradient, and per cell the saved gates (4H), states (H),
		// input projections and the pre-activations' input and recurrent gradients
		// (3 × 3H; 2 × 3H for the CPU's ResetBefore cells of the forward direction).
		cells := float64(g.Layers) * float64(g.Directions())
		perToken := float64(mc.InputWidth()) + 5*out + 2*vocab + cells*14*float64(g.HiddenSize)
		elems += float64(steps) * float64(batch) * perToken
	}
	return MemoryEstimate{Params: params, Backend: elems * float64(elemBytes), Host: 8 * params}
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
		case est.Backend > float64(avail):
			return &MemoryError{What: what, Need: est.Backend, Available: avail, Where: be.Name()}
		}
	}
	if avail, err := sysmem.Available(); err == nil && hostNeed > float64(avail) {
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
	return CheckMemory(be, est, fmt.Sprintf("a model's %s parameters and their gradients", checked.Count(est.Params)))
}
