package cuda

import (
	"encoding/binary"
	"fmt"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// IDs is a device vector of int32 ids, each in [0, limit): a plain driver
// allocation and its bounds.
type IDs struct {
	n, limit int
	p        device.Ptr
}

// Len is the number of ids.
func (ids *IDs) Len() int { return ids.n }

// Limit bounds the ids: each lies in [0, Limit()).
func (ids *IDs) Limit() int { return ids.limit }

// NewIDs allocates n zero ids bounded by limit.
func (be *Backend) NewIDs(n, limit int) (gru.IDs, error) {
	if be.closed {
		return nil, gru.ErrClosed
	}
	if err := backendkit.CheckNewIDs(n, limit); err != nil {
		return nil, err
	}
	p, err := be.alloc(fmt.Sprintf("ids [%d] int32", n), 4*n)
	if err != nil {
		return nil, err
	}
	if err := be.dev.MemsetZero(p, 4*n); err != nil {
		be.dev.Free(p)
		return nil, err
	}
	ids := &IDs{n: n, limit: limit, p: p}
	be.ids[ids] = struct{}{}
	return ids, nil
}

// WriteIDs checks src on the host against dst's limit and copies it to the device.
func (be *Backend) WriteIDs(dst gru.IDs, src []int32) error {
	d, err := be.liveIDs("WriteIDs: dst", dst)
	if err != nil {
		return err
	}
	if err := backendkit.CheckWriteIDs(d.n, d.limit, src); err != nil {
		return err
	}
	buf := make([]byte, 4*len(src))
	for i, id := range src {
		binary.LittleEndian.PutUint32(buf[4*i:], uint32(id))
	}
	return be.dev.HtoD(d.p, buf)
}

// FreeIDs releases the ids' device memory. Freeing twice is not an error.
func (be *Backend) FreeIDs(ids gru.IDs) error {
	d, ok := ids.(*IDs)
	if !ok || d == nil {
		return fmt.Errorf("cuda: FreeIDs: ids of type %T do not belong to this backend", ids)
	}
	if _, live := be.ids[d]; !live {
		return nil
	}
	if err := be.dev.Free(d.p); err != nil {
		return err // still allocated, so still the backend's to free
	}
	delete(be.ids, d)
	return nil
}

// liveIDs checks that ids are live ids of this backend.
func (be *Backend) liveIDs(arg string, ids gru.IDs) (*IDs, error) {
	d, ok := ids.(*IDs)
	if !ok || d == nil {
		return nil, fmt.Errorf("cuda: %s: ids of type %T do not belong to this backend", arg, ids)
	}
	if _, live := be.ids[d]; !live {
		return nil, fmt.Errorf("cuda: %s: ids have been freed or belong to another backend", arg)
	}
	return d, nil
}

// checkedIDs resolves ids and checks them against rows and the indexed axis n.
func (be *Backend) checkedIDs(op string, ids gru.IDs, rows, n int) (*IDs, error) {
	return be.kit.CheckedIDs(op, ids, rows, n)
}
