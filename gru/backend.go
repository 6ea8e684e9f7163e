package gru

import "fmt"

// DType is the element type a backend computes in.
type DType int

const (
	// Float32 is IEEE single precision, the fast path on every backend.
	Float32 DType = iota
	// Float64 is IEEE double precision; the CPU backend in Float64 is the test oracle.
	Float64
)

// String names the type.
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("DType(%d)", int(d))
}

// Tensor is a dense row-major array that lives on a Backend. Its data is reached
// only through the backend that made it (Write, Read and the operations), so a GPU
// tensor never crosses PCIe unless asked to.
//
// Operations that take matrices view a tensor of shape [d0, …, dk] as the 2-D
// matrix [d0·…·d(k−1), dk].
type Tensor interface {
	// Shape returns the tensor's dimensions. The caller must not modify it.
	Shape() []int
}

// Len is the number of elements of a shape.
func Len(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// IDs is a vector of int32 values that lives on a Backend: token ids, targets, a
// step count. Each value lies in [0, Limit()), which WriteIDs checks on the host, so
// that the operations reading ids on the backend can trust them without reading
// them back. It is made by Backend.NewIDs and reached only through its backend.
type IDs interface {
	// Len is the number of values.
	Len() int
	// Limit bounds the values: each lies in [0, Limit()).
	Limit() int
}

// Backend is a place to compute: it owns tensors and runs GRU stacks and the
// operations a training step needs on them. The CPU backend (package cpu) and the
// CUDA backend (package cuda) implement it. A whole training step can run on a
// backend while only token ids go in and a scalar loss comes out.
//
// Host copies (Write, Read) use float64 so that one API serves both precisions; a
// Float32 backend rounds on Write. Host data crosses only through Write, WriteIDs
// and Read; the operations read and write backend memory alone, so a backend that
// can record them (the CUDA backend) replays a recorded step with new ids and new
// results.
//
// A Backend is not safe for concurrent use.
type Backend interface {
	// Name describes the backend, e.g. "cpu/float64" or "cuda/float32 (NVIDIA H100)".
	Name() string
	// DType is the element type of the backend's tensors.
	DType() DType

	// NewTensor allocates a zero-filled tensor.
	NewTensor(shape ...int) (Tensor, error)
	// Free releases a tensor's memory. Freeing twice is not an error.
	Free(t Tensor) error
	// Write copies host values into dst; len(src) must equal dst's length.
	Write(dst Tensor, src []float64) error
	// Read copies src into host memory; len(dst) must equal src's length.
	Read(dst []float64, src Tensor) error
	// NewIDs allocates n zero ids, each to lie in [0, limit); limit must be at least 1.
	NewIDs(n, limit int) (IDs, error)
	// WriteIDs copies host ids into dst; len(src) must equal dst.Len(), and a value
	// outside [0, dst.Limit()) is refused, naming its index, before anything is copied.
	WriteIDs(dst IDs, src []int32) error
	// FreeIDs releases ids' memory. Freeing twice is not an error.
	FreeIDs(ids IDs) error
	// Sync waits until all work queued on the backend has finished.
	Sync() error

	// NewStack allocates a GRU stack for cfg on the backend and copies p into it.
	NewStack(cfg Config, p *Params) (Stack, error)

	Ops

	// Close releases everything the backend holds. Calling it twice is safe.
	Close() error
}

// MemoryReporter is implemented by backends that can say how many bytes they can
// still allocate: the host's available memory for the CPU (onHost true), the
// device's free memory for a GPU. lm.New uses it to refuse a model that cannot fit.
type MemoryReporter interface {
	AvailableMemory() (bytes int64, onHost bool, err error)
}

// Ops are the tensor operations that the model around a GRU stack needs, so that a
// training step never leaves the backend. Matrices are the 2-D views of tensors
// described at Tensor. No operation reads or writes host memory: ids come in as
// IDs, scalars that change from step to step (an optimiser's learning rate and
// step number) come in as one-element tensors the caller Writes, and scalar
// results (a loss, a norm) go out into one-element tensors that the caller Reads
// when it wants them.
type Ops interface {
	// MatMul computes C = alpha·op(A)·op(B) + beta·C, where op transposes when asked.
	MatMul(transA, transB bool, alpha float64, a, b Tensor, beta float64, c Tensor) error
	// AddRow adds the vector v to every row of the matrix c: c[i,j] += v[j].
	AddRow(c, v Tensor) error
	// SumRows computes dst[j] = beta·dst[j] + Σ_i src[i,j] in a fixed order (deterministic).
	SumRows(dst, src Tensor, beta float64) error
	// OneHot sets dst[i,:] to the one-hot row of ids[i]; dst is [ids.Len(), V] and
	// ids.Limit() at most V.
	OneHot(dst Tensor, ids IDs) error
	// Gather copies rows of table: dst[i,:] = table[ids[i],:]; ids.Limit() is at most
	// table's rows.
	Gather(dst, table Tensor, ids IDs) error
	// ScatterAdd accumulates rows into table: table[ids[i],:] += src[i,:], in order;
	// ids.Limit() is at most table's rows.
	ScatterAdd(table, src Tensor, ids IDs) error
	// SoftmaxCrossEntropy writes to loss, a one-element tensor, the mean over rows of
	// −log softmax(logits)[i, targets[i]] and, when dlogits is not nil, writes its
	// gradient (softmax − onehot)/rows there. targets.Limit() is at most logits' columns.
	SoftmaxCrossEntropy(logits Tensor, targets IDs, dlogits, loss Tensor) error
	// Copy copies src into dst of the same length.
	Copy(dst, src Tensor) error
	// Fill sets every element of t to v.
	Fill(t Tensor, v float64) error
	// SGDMomentum applies one step of torch.optim.SGD (dampening 0, Nesterov off)
	// with momentum μ and L2 weight decay λ, the learning rate read from lr, a
	// one-element tensor, on the backend:
	//   d = grad + λ·param    buf ← μ·buf + d    param ← param − lr·buf
	// buf, shaped like param, starts zeroed; it is nil when μ is 0, and then
	// param ← param − lr·d.
	SGDMomentum(param, grad, buf, lr Tensor, momentum, weightDecay float64) error
	// AdamW applies one step of torch.optim.AdamW (Loshchilov & Hutter's decoupled
	// weight decay λ; Kingma & Ba's Adam when λ is 0), updating the moment tensors m
	// and v, with the learning rate read from lr and the step number t ≥ 1 from
	// step, both one-element tensors (as PyTorch's capturable AdamW takes lr and
	// state_steps), which package optim writes before each step:
	//   param ← param·(1 − lr·λ)    m ← β1·m + (1−β1)·g    v ← β2·v + (1−β2)·g²
	//   param ← param − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε)
	// t is a whole number, exact in float32 up to 2²⁴ steps, far past where the
	// bias corrections reach 1; past 2³¹−1 it is taken as 2³¹−1. A GPU cannot
	// check t without a round trip, so t < 1, which divides by zero, is the
	// caller's to avoid.
	AdamW(param, grad, m, v, lr, step Tensor, beta1, beta2, eps, weightDecay float64) error
	// ClipGradNorm scales every gradient by min(1, maxNorm/‖g‖) where ‖g‖ is the global
	// L2 norm over all of them, and writes ‖g‖ before scaling to norm, a one-element
	// tensor, unless norm is nil. maxNorm ≤ 0 only measures.
	ClipGradNorm(grads []Tensor, maxNorm float64, norm Tensor) error
	// Dropout writes to dst, of src's length (dst may be src), src with dropout at
	// probability p in [0, 1), the mask drawn by Philox4x32-10 (Salmon et al., as
	// cuRAND and PyTorch's CUDA generator) from the key (seed's low and high words)
	// and, for element i, the counter (⌊i/4⌋, stream, step[0], 0):
	//   r = philox(counter, key)[i mod 4]    keep iff r ≥ θ = min(round(p·2³²), 2³²−1)
	//   dst[i] = keep ? src[i]·s : 0         s = 1/(1−p) in the backend's type
	// Applied to a gradient with the same arguments it is its own backward. step,
	// one id, is read on the backend like AdamW's step, but as an integer: Philox's
	// counter is one, and a float32 would lose it past 2²⁴ steps. stream (0 to
	// 2³²−1) tells apart the masks of a step.
	Dropout(dst, src Tensor, p float64, seed uint64, stream int, step IDs) error
}

// Stack is a GRU stack (layers × directions) whose parameters, gradients and saved
// activations live on its Backend.
type Stack interface {
	// Config is the stack's configuration.
	Config() Config

	// Forward runs the stack over x ([T,B,D] or [B,T,D] by Config.Layout) from the
	// initial states h0 ([layers·dirs, B, H]; nil means zeros), writing the outputs to
	// y ([T,B,dirs·H] in the same layout) and the final states to hN (nil to skip).
	// lengths, when not nil, gives each sequence's length in [1, T]: outputs past a
	// length are zero, the final state is the one at the last valid step, and the
	// reverse direction starts there, as with PyTorch's packed sequences.
	// Forward saves what Backward needs.
	Forward(x, h0 Tensor, lengths []int, y, hN Tensor) error

	// Backward propagates dy (shaped like y) and dhN (shaped like hN; nil means zeros)
	// back through the last Forward. It writes dx and dh0 when they are not nil and
	// adds every parameter's gradient to the stack's accumulated gradients.
	Backward(dy, dhN, dx, dh0 Tensor) error

	// Params returns the parameter tensors on the backend, cell by cell in the order
	// Wx, Wh, Bx, Bh (the order of Params.Flat). Optimisers update them in place.
	Params() []Tensor
	// Grads returns the gradient tensors matching Params.
	Grads() []Tensor
	// ZeroGrads sets every accumulated gradient to zero.
	ZeroGrads() error

	// SetParams copies host parameters into the stack.
	SetParams(p *Params) error
	// ReadParams copies the stack's parameters to the host.
	ReadParams() (*Params, error)
	// ReadGrads copies the accumulated gradients to the host, shaped as parameters.
	ReadGrads() (*Params, error)

	// SetDropout sets the dropout that the following Forward passes apply between
	// layers, and their Backward passes to the gradients (see Dropout); the zero
	// Dropout, the default, turns it off. Each Forward keeps the Dropout it ran
	// with for its Backward.
	SetDropout(d Dropout) error

	// Close frees the stack's memory. Calling it twice is safe.
	Close() error
}

// TensorNames returns the names of a stack's parameter tensors in the order of
// Stack.Params: "cell[i].Wx" and so on.
func TensorNames(cfg Config) []string {
	names := make([]string, 0, 4*cfg.Cells())
	for i := range cfg.Cells() {
		for _, n := range cellTensorNames {
			names = append(names, fmt.Sprintf("cell[%d].%s", i, n))
		}
	}
	return names
}
