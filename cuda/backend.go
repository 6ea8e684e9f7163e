package cuda

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// Backend is a gru.Backend on a GPU (or on the simulator). It is not safe for
// concurrent use.
type Backend struct {
	dev    device.Device
	dtype  gru.DType
	closed bool

	scratch    device.Ptr // 8 doubles on the device: reduction results
	partial    device.Ptr // reduction partials, partialCap doubles
	rowLoss    device.Ptr // per-row losses of SoftmaxCrossEntropy, rowLossCap doubles
	rowLossCap int
	tensors    map[*Tensor]struct{}
	ids        map[*IDs]struct{}
	stacks     map[*stack]struct{}
	recordings map[*recording]struct{}
	recurrent  RecurrentKernel // what the passes ask for (SetRecurrentKernel)
	runs       RecurrentRuns   // what they ran
	math       device.GEMMMath // the float32 GEMMs' arithmetic (WithPrecision)
	logger     *slog.Logger    // where fallbacks are reported (SetLogger)
	warned     map[string]bool // the fallbacks reported so far (warnOnce)
	oneStream  bool            // a fork or join failed: the directions share stream 0
	recording  bool            // Record's body is running
	opened     time.Time       // when the backend opened: KernelAuto's clock starts there
	clock      func() time.Duration
	kit        backendkit.Resolver[*Tensor, *IDs] // resolves and checks the arguments of its calls
}

var _ gru.Backend = (*Backend)(nil)

// partialCap bounds the blocks of a sum-of-squares pass (and so its partials).
const partialCap = 1024

// newBackend wraps a device.
func newBackend(dev device.Device, dtype gru.DType) (*Backend, error) {
	if dtype != gru.Float32 && dtype != gru.Float64 {
		dev.Close()
		return nil, fmt.Errorf("cuda: unsupported %v", dtype)
	}
	be := &Backend{dev: dev, dtype: dtype, tensors: map[*Tensor]struct{}{}, ids: map[*IDs]struct{}{},
		stacks: map[*stack]struct{}{}, recordings: map[*recording]struct{}{}, opened: time.Now()}
	be.kit = backendkit.Resolver[*Tensor, *IDs]{Backend: "cuda", Tensor: be.tensor, IDs: be.liveIDs}
	var err error
	if be.scratch, err = be.alloc("scratch [8] float64", 8*8); err != nil {
		dev.Close()
		return nil, err
	}
	if be.partial, err = be.alloc(fmt.Sprintf("partial [%d] float64", partialCap), 8*partialCap); err != nil {
		dev.Free(be.scratch)
		dev.Close()
		return nil, err
	}
	return be, nil
}

// alloc allocates bytes on the device. A failure comes back as an *AllocError that
// names what was being allocated; nothing is left allocated then.
func (be *Backend) alloc(what string, bytes int) (device.Ptr, error) {
	p, err := be.dev.Alloc(bytes)
	if err != nil {
		return 0, &AllocError{What: what, Bytes: bytes, Err: err}
	}
	return p, nil
}

// Name describes the device and precision, and the recurrent kernel where it is
// not the default.
func (be *Backend) Name() string {
	kernel := ""
	if be.recurrent != KernelGEMM {
		kernel = fmt.Sprintf(", %v recurrent kernel", be.recurrent)
	}
	return fmt.Sprintf("cuda/%v (%s%s)", be.dtype, be.dev.Name(), kernel)
}

// DType is the element type.
func (be *Backend) DType() gru.DType { return be.dtype }

// esize is the element size in bytes.
func (be *Backend) esize() int {
	if be.dtype == gru.Float64 {
		return 8
	}
	return 4
}

// argT packs a value as the backend's element type (a template kernel's T).
func (be *Backend) argT(v float64) uint64 {
	if be.dtype == gru.Float64 {
		return argF64(v)
	}
	return argF32(float32(v))
}

// Tensor is a device tensor: a plain driver allocation and its shape.
type Tensor struct {
	shape []int
	n     int
	p     device.Ptr
}

// Shape returns the tensor's dimensions.
func (t *Tensor) Shape() []int { return t.shape }

func (t *Tensor) rowsCols() (int, int) { return backendkit.Matrix(t.shape) }

// NewTensor allocates a zero-filled tensor.
func (be *Backend) NewTensor(shape ...int) (gru.Tensor, error) {
	if be.closed {
		return nil, gru.ErrClosed
	}
	return be.newTensor(shape...)
}

func (be *Backend) newTensor(shape ...int) (*Tensor, error) {
	if err := backendkit.CheckNewShape(shape); err != nil {
		return nil, err
	}
	n := gru.Len(shape)
	p, err := be.alloc(fmt.Sprintf("tensor %v", shape), n*be.esize())
	if err != nil {
		return nil, err
	}
	if err := be.dev.MemsetZero(p, n*be.esize()); err != nil {
		be.dev.Free(p)
		return nil, err
	}
	t := &Tensor{shape: append([]int(nil), shape...), n: n, p: p}
	be.tensors[t] = struct{}{}
	return t, nil
}

// Free releases the tensor's device memory. Freeing twice is not an error.
func (be *Backend) Free(t gru.Tensor) error {
	ct, ok := t.(*Tensor)
	if !ok || ct == nil {
		return fmt.Errorf("cuda: Free: tensor of type %T does not belong to this backend", t)
	}
	if _, live := be.tensors[ct]; !live {
		return nil
	}
	if err := be.dev.Free(ct.p); err != nil {
		return err // still allocated, so still the backend's to free
	}
	delete(be.tensors, ct)
	return nil
}

// tensor checks that t is a live tensor of this backend; nil gives nil, nil.
func (be *Backend) tensor(arg string, t gru.Tensor) (*Tensor, error) {
	if t == nil {
		return nil, nil
	}
	ct, ok := t.(*Tensor)
	if !ok || ct == nil {
		return nil, fmt.Errorf("cuda: %s: tensor of type %T does not belong to this backend", arg, t)
	}
	if _, live := be.tensors[ct]; !live {
		return nil, fmt.Errorf("cuda: %s: tensor has been freed or belongs to another backend", arg)
	}
	return ct, nil
}

// mustTensor is tensor for arguments that may not be nil.
func (be *Backend) mustTensor(arg string, t gru.Tensor) (*Tensor, error) {
	return be.kit.MustTensor(arg, t)
}

// Write copies host values into dst, rounding to float32 on a float32 backend.
func (be *Backend) Write(dst gru.Tensor, src []float64) error {
	d, err := be.mustTensor("Write: dst", dst)
	if err != nil {
		return err
	}
	if err := backendkit.CheckHostLen("Write", "src", d.shape, len(src)); err != nil {
		return err
	}
	return be.dev.HtoD(d.p, be.encode(src))
}

// Read copies src into host memory.
func (be *Backend) Read(dst []float64, src gru.Tensor) error {
	s, err := be.mustTensor("Read: src", src)
	if err != nil {
		return err
	}
	if err := backendkit.CheckHostLen("Read", "dst", s.shape, len(dst)); err != nil {
		return err
	}
	buf := make([]byte, s.n*be.esize())
	if err := be.dev.DtoH(buf, s.p); err != nil {
		return err
	}
	be.decode(dst, buf)
	return nil
}

func (be *Backend) encode(v []float64) []byte {
	buf := make([]byte, len(v)*be.esize())
	for i, x := range v {
		if be.dtype == gru.Float64 {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
		} else {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(float32(x)))
		}
	}
	return buf
}

func (be *Backend) decode(dst []float64, buf []byte) {
	for i := range dst {
		if be.dtype == gru.Float64 {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
		} else {
			dst[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
		}
	}
}

// grow makes *p, one of the backend's growable buffers (rowLoss), hold at
// least n bytes, reallocating when *capacity is smaller. The old buffer is freed
// first, so when the new allocation fails nothing is held and *p is 0.
func (be *Backend) grow(p *device.Ptr, capacity *int, n int) error {
	if n <= *capacity {
		return nil
	}
	if *p != 0 {
		if err := be.dev.Free(*p); err != nil {
			return err
		}
		*p, *capacity = 0, 0
	}
	q, err := be.alloc(be.bufferName(p, n), n)
	if err != nil {
		return err
	}
	*p, *capacity = q, n
	return nil
}

// bufferName describes a growable buffer of n bytes for an *AllocError.
func (be *Backend) bufferName(p *device.Ptr, n int) string {
	if p == &be.rowLoss {
		return fmt.Sprintf("rowLoss [%d] float64", n/8)
	}
	return "buffer"
}

// Sync waits for all queued work.
func (be *Backend) Sync() error {
	if be.closed {
		return gru.ErrClosed
	}
	return be.dev.Sync()
}

// Close closes every recording and stack, frees every tensor, ids and buffer, checks that no device
// allocation is left, and releases the device. Calling it twice is safe.
func (be *Backend) Close() error {
	if be.closed {
		return nil
	}
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	for r := range be.recordings {
		keep(r.Close())
	}
	for s := range be.stacks {
		keep(s.Close())
	}
	for t := range be.tensors {
		keep(be.Free(t))
	}
	for ids := range be.ids {
		keep(be.FreeIDs(ids))
	}
	for _, p := range []device.Ptr{be.scratch, be.partial, be.rowLoss} {
		if p != 0 {
			keep(be.dev.Free(p))
		}
	}
	be.closed = true
	if n := be.dev.Live(); n != 0 {
		keep(fmt.Errorf("cuda: Close: %d device allocations were never freed", n))
	}
	keep(be.dev.Close())
	return first
}
