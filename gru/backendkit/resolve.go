package backendkit

import (
	"fmt"

	"github.com/gogru/gogru/gru"
)

// Shaped is a backend's own tensor type, as a Resolver sees it.
type Shaped interface{ Shape() []int }

// Resolver turns the gru.Tensor and gru.IDs arguments of a call into a backend's
// own types, X and I, and checks them with the shared checks, so that every
// backend resolves and reports its arguments the same way. A backend builds one
// from two functions of its own, which need not check anything but ownership.
type Resolver[X Shaped, I any] struct {
	// Backend prefixes the errors the Resolver makes itself: "cpu", "cuda".
	Backend string
	// Tensor returns t as the backend's own live tensor, or an error naming arg;
	// a nil t gives the zero X and no error.
	Tensor func(arg string, t gru.Tensor) (X, error)
	// IDs returns ids as the backend's own live ids, or an error naming arg.
	IDs func(arg string, ids gru.IDs) (I, error)
}

// MustTensor is Tensor for an argument that may not be nil.
func (r Resolver[X, I]) MustTensor(arg string, t gru.Tensor) (X, error) {
	if t == nil {
		var zero X
		return zero, fmt.Errorf("%s: %s: nil tensor", r.Backend, arg)
	}
	return r.Tensor(arg, t)
}

// Scalar resolves op's argument arg, a one-element tensor (CheckScalar): a
// learning rate, a step number. The argument's full name ("op: arg") is built
// only on failure, so that a training step's calls allocate nothing.
func (r Resolver[X, I]) Scalar(op, arg string, t gru.Tensor) (X, error) {
	x, err := r.Tensor(arg, t)
	if err != nil || t == nil {
		if x, err = r.MustTensor(op+": "+arg, t); err != nil { // again, to name it
			return x, err
		}
	}
	return x, CheckScalar(op, arg, x.Shape())
}

// Pair resolves the two tensors of op, neither of which may be nil; the error
// says which one failed.
func (r Resolver[X, I]) Pair(op string, a, b gru.Tensor) (X, X, error) {
	var zero X
	at, err := r.MustTensor(op, a)
	if err != nil {
		return zero, zero, fmt.Errorf("%w (first tensor)", err)
	}
	bt, err := r.MustTensor(op, b)
	if err != nil {
		return zero, zero, fmt.Errorf("%w (second tensor)", err)
	}
	return at, bt, nil
}

// SameLen is Pair for two tensors that must hold as many values (CheckSameLen).
func (r Resolver[X, I]) SameLen(op string, a, b gru.Tensor) (X, X, error) {
	at, bt, err := r.Pair(op, a, b)
	if err == nil {
		err = CheckSameLen(op, "second tensor", at.Shape(), bt.Shape())
	}
	return at, bt, err
}

// CheckedIDs checks ids against rows and the indexed axis n (CheckIDs), then
// resolves them.
func (r Resolver[X, I]) CheckedIDs(op string, ids gru.IDs, rows, n int) (I, error) {
	if err := CheckIDs(op, ids, rows, n); err != nil {
		var zero I
		return zero, err
	}
	return r.IDs(op+": ids", ids)
}

// CheckedRowIDs is CheckedIDs for a row lookup in a table (CheckRowIDs): it
// returns the ids, and the rows and the row width of the lookup.
func (r Resolver[X, I]) CheckedRowIDs(op string, rows, table []int, ids gru.IDs) (I, int, int, error) {
	n, cols, err := CheckRowIDs(op, rows, table, ids)
	if err != nil {
		var zero I
		return zero, 0, 0, err
	}
	it, err := r.IDs(op+": ids", ids)
	return it, n, cols, err
}

// SoftmaxCrossEntropy resolves and checks the arguments of gru.Ops'
// SoftmaxCrossEntropy: logits [rows, cols], one target per row below cols, dlogits
// (which may be nil) as long as logits, and a scalar loss.
func (r Resolver[X, I]) SoftmaxCrossEntropy(logits, dlogits, loss gru.Tensor, targets gru.IDs) (lt, dt, out X, tg I, err error) {
	const op = "SoftmaxCrossEntropy"
	if lt, err = r.MustTensor(op+": logits", logits); err != nil {
		return
	}
	if dt, err = r.Tensor(op+": dlogits", dlogits); err != nil {
		return
	}
	if out, err = r.MustTensor(op+": loss", loss); err != nil {
		return
	}
	rows, cols := Matrix(lt.Shape())
	if tg, err = r.CheckedIDs(op, targets, rows, cols); err != nil {
		return
	}
	if dlogits != nil {
		if err = CheckSameLen(op, "dlogits", lt.Shape(), dt.Shape()); err != nil {
			return
		}
	}
	err = CheckScalar(op, "loss", out.Shape())
	return
}

// CheckNewStack checks the arguments of a backend's NewStack: the backend is open,
// cfg is valid and p fits it.
func CheckNewStack(closed bool, cfg gru.Config, p *gru.Params) error {
	if closed {
		return gru.ErrClosed
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	return p.Check(cfg)
}

// AdamW resolves and checks the tensors of gru.Ops' AdamW: param, grad, m and v
// all hold as many values, and lr and step one each.
func (r Resolver[X, I]) AdamW(param, grad, m, v, lr, step gru.Tensor) (pt, gt, mt, vt, lt, st X, err error) {
	const op = "AdamW"
	if pt, gt, err = r.SameLen(op, param, grad); err != nil {
		return
	}
	if mt, vt, err = r.SameLen(op, m, v); err != nil {
		return
	}
	if err = CheckSameLen(op, "m", pt.Shape(), mt.Shape()); err != nil {
		return
	}
	if lt, err = r.Scalar(op, "lr", lr); err != nil {
		return
	}
	st, err = r.Scalar(op, "step", step)
	return
}
