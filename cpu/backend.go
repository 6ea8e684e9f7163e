package cpu

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Backend is the CPU implementation of gru.Backend in precision T.
type Backend[T Float] struct {
	pool   *pool
	kit    backendkit.Resolver[*Tensor[T], *IDs]
	closed bool
}

var (
	_ gru.Backend = (*Backend[float32])(nil)
	_ gru.Backend = (*Backend[float64])(nil)
)

// New32 returns a float32 CPU backend.
func New32() *Backend[float32] {
	return &Backend[float32]{pool: newPool(defaultWorkers()), kit: newKit[float32]()}
}

// New64 returns a float64 CPU backend, the oracle.
func New64() *Backend[float64] {
	return &Backend[float64]{pool: newPool(defaultWorkers()), kit: newKit[float64]()}
}

// New returns a CPU backend computing in dtype.
func New(dtype gru.DType) (gru.Backend, error) {
	switch dtype {
	case gru.Float32:
		return New32(), nil
	case gru.Float64:
		return New64(), nil
	}
	return nil, fmt.Errorf("cpu: unsupported %v", dtype)
}

// Name returns "cpu/float32" or "cpu/float64" and the BLAS in use.
func (be *Backend[T]) Name() string { return fmt.Sprintf("cpu/%v (%s)", dtypeOf[T](), BLAS()) }

// DType returns the backend's element type.
func (be *Backend[T]) DType() gru.DType { return dtypeOf[T]() }

// NewTensor allocates a zero-filled tensor.
func (be *Backend[T]) NewTensor(shape ...int) (gru.Tensor, error) {
	if be.closed {
		return nil, gru.ErrClosed
	}
	return newTensor[T](shape...)
}

func newTensor[T Float](shape ...int) (*Tensor[T], error) {
	if err := backendkit.CheckNewShape(shape); err != nil {
		return nil, err
	}
	if err := checkAlloc[T](shape); err != nil {
		return nil, err
	}
	return &Tensor[T]{shape: append([]int(nil), shape...), data: make([]T, gru.Len(shape))}, nil
}

// Free drops the tensor's memory; the garbage collector reclaims it.
func (be *Backend[T]) Free(t gru.Tensor) error {
	ct, err := asTensor[T]("Free", t)
	if err != nil || ct == nil {
		return err
	}
	ct.data = nil
	return nil
}

// Write copies host values into dst.
func (be *Backend[T]) Write(dst gru.Tensor, src []float64) error {
	d, err := be.kit.MustTensor("Write: dst", dst)
	if err != nil {
		return err
	}
	if err := backendkit.CheckHostLen("Write", "src", d.shape, len(src)); err != nil {
		return err
	}
	for i, v := range src {
		d.data[i] = T(v)
	}
	return nil
}

// Read copies src into host memory.
func (be *Backend[T]) Read(dst []float64, src gru.Tensor) error {
	s, err := be.kit.MustTensor("Read: src", src)
	if err != nil {
		return err
	}
	if err := backendkit.CheckHostLen("Read", "dst", s.shape, len(dst)); err != nil {
		return err
	}
	for i, v := range s.data {
		dst[i] = float64(v)
	}
	return nil
}

// Sync returns at once: CPU work is synchronous.
func (be *Backend[T]) Sync() error { return nil }

// Close stops the worker goroutines. Calling it twice is safe.
func (be *Backend[T]) Close() error {
	be.closed = true
	be.pool.close()
	return nil
}
