package cpu

import (
	"fmt"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
)

// IDs is a CPU vector of int32 ids, each in [0, limit).
type IDs struct {
	data  []int32
	limit int
	freed bool
}

// Len is the number of ids.
func (ids *IDs) Len() int { return len(ids.data) }

// Limit bounds the ids: each lies in [0, Limit()).
func (ids *IDs) Limit() int { return ids.limit }

// NewIDs allocates n zero ids bounded by limit.
func (be *Backend[T]) NewIDs(n, limit int) (gru.IDs, error) {
	if be.closed {
		return nil, gru.ErrClosed
	}
	if err := backendkit.CheckNewIDs(n, limit); err != nil {
		return nil, err
	}
	return &IDs{data: make([]int32, n), limit: limit}, nil
}

// WriteIDs checks src against dst's limit and copies it in.
func (be *Backend[T]) WriteIDs(dst gru.IDs, src []int32) error {
	d, err := mustIDs("WriteIDs: dst", dst)
	if err != nil {
		return err
	}
	if err := backendkit.CheckWriteIDs(len(d.data), d.limit, src); err != nil {
		return err
	}
	copy(d.data, src)
	return nil
}

// FreeIDs drops the ids' memory; the garbage collector reclaims it.
func (be *Backend[T]) FreeIDs(ids gru.IDs) error {
	d, ok := ids.(*IDs)
	if !ok || d == nil {
		return fmt.Errorf("cpu: FreeIDs: ids of type %T do not belong to a CPU backend", ids)
	}
	d.data, d.freed = nil, true
	return nil
}

// mustIDs checks that ids are live ids of a CPU backend.
func mustIDs(arg string, ids gru.IDs) (*IDs, error) {
	d, ok := ids.(*IDs)
	if !ok || d == nil {
		return nil, fmt.Errorf("cpu: %s: ids of type %T do not belong to a CPU backend", arg, ids)
	}
	if d.freed {
		return nil, fmt.Errorf("cpu: %s: ids have been freed", arg)
	}
	return d, nil
}
