package backendkit

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/internal/checked"
)

// The checks below are the argument checks of the gru.Ops and of a gru.Backend's
// tensor calls, written once so that every backend reports a mismatch with the
// same *gru.ShapeError (or, for what is not a shape, the same error). Each names
// the argument as "Op: arg", and builds that name only on failure: the checks run
// in every training step, which allocates nothing.

// Matrix returns the 2-D view of a shape: all axes but the last are rows.
func Matrix(shape []int) (rows, cols int) {
	if len(shape) == 0 {
		return 1, 1
	}
	return gru.Len(shape[:len(shape)-1]), shape[len(shape)-1]
}

// CheckNewShape checks the dimensions NewTensor was given: none may be negative,
// and the tensor's bytes, in elements of up to 8 bytes, must fit in an int.
func CheckNewShape(shape []int) error {
	for i, d := range shape {
		if d < 0 {
			return fmt.Errorf("gru: NewTensor: dimension %d is negative (%v)", i, shape)
		}
	}
	if _, ok := checked.Product(append([]int{8}, shape...)...); !ok {
		return fmt.Errorf("gru: NewTensor: shape %v holds %s elements, too many to address", shape, checked.Of(shape...))
	}
	return nil
}

// CheckHostLen checks that a host slice of n values matches a tensor of the given
// shape value for value (Write's src, Read's dst); arg names the host slice.
func CheckHostLen(op, arg string, shape []int, n int) error {
	if gru.Len(shape) != n {
		return shapeError(op+": "+arg, []int{gru.Len(shape)}, []int{n})
	}
	return nil
}

// CheckSameLen checks that the tensor of shape got holds as many values as the one
// of shape want (Copy's src and dst, an optimiser's moments and its parameter); the
// shapes themselves may differ. arg names the tensor of shape got.
func CheckSameLen(op, arg string, want, got []int) error {
	if gru.Len(want) != gru.Len(got) {
		return shapeError(op+": "+arg, want, got)
	}
	return nil
}

// CheckRowVector checks that the tensor of shape v holds one value per column of the
// matrix view of m (AddRow's v against c, SumRows' dst against src) and returns m's
// rows and columns. arg names v.
func CheckRowVector(op, arg string, v, m []int) (rows, cols int, err error) {
	rows, cols = Matrix(m)
	if gru.Len(v) != cols {
		return 0, 0, shapeError(op+": "+arg, []int{cols}, v)
	}
	return rows, cols, nil
}

// AdamStep returns the step number t that AdamW takes from the value of its step
// tensor, as the kernels do: its whole part, at most 2³¹−1. A value below 1 (or
// NaN) is an error.
func AdamStep(step float64) (int, error) {
	if !(step >= 1) {
		return 0, fmt.Errorf("gru: AdamW: step must be at least 1, got %v", step)
	}
	if step >= math.MaxInt32 {
		return math.MaxInt32, nil
	}
	return int(step), nil
}

// MatMulDims checks the shapes of C = op(A)·op(B) on 2-D views and returns C's m×n,
// the inner size k and the row-major leading dimensions of A, B and C (at least 1,
// as BLAS requires even for empty matrices), so every backend reports a mismatch
// the same way and calls its GEMM with the same arguments. A mismatch is a
// *ShapeError for b (its inner size differs from a's) or for c, on their 2-D views.
func MatMulDims(transA, transB bool, a, b, c []int) (m, n, k, lda, ldb, ldc int, err error) {
	ar, ac := Matrix(a)
	br, bc := Matrix(b)
	cr, cc := Matrix(c)
	m, k = ar, ac
	if transA {
		m, k = ac, ar
	}
	kb, n := br, bc
	if transB {
		kb, n = bc, br
	}
	switch {
	case k != kb && transB:
		err = shapeError("MatMul: b", []int{-1, k}, []int{br, bc})
	case k != kb:
		err = shapeError("MatMul: b", []int{k, -1}, []int{br, bc})
	case m != cr || n != cc:
		err = shapeError("MatMul: c", []int{m, n}, []int{cr, cc})
	}
	if err != nil {
		return 0, 0, 0, 0, 0, 0, err
	}
	return m, n, k, max(ac, 1), max(bc, 1), max(cc, 1), nil
}

// CheckNewIDs checks NewIDs's arguments: n at least 0 and limit in [1, 2³¹], the
// values an int32 can hold.
func CheckNewIDs(n, limit int) error {
	if n < 0 {
		return fmt.Errorf("gru: NewIDs: n must be at least 0, got %d", n)
	}
	if limit < 1 || limit > math.MaxInt32+1 {
		return fmt.Errorf("gru: NewIDs: limit must be in [1, 2³¹], got %d", limit)
	}
	return nil
}

// CheckWriteIDs checks WriteIDs's source against a destination of n ids in
// [0, limit): one value per id, each in range.
func CheckWriteIDs(n, limit int, src []int32) error {
	if len(src) != n {
		return shapeError("WriteIDs: src", []int{n}, []int{len(src)})
	}
	for i, id := range src {
		if id < 0 || int(id) >= limit {
			return fmt.Errorf("gru: WriteIDs: src[%d] = %d is outside [0, %d), the ids' limit", i, id, limit)
		}
	}
	return nil
}

// CheckIDs checks ids against the rows of an operation's matrix and the size n of
// the axis they index: one id per row, and a limit of at most n, so that every
// value WriteIDs accepted is a valid index.
func CheckIDs(op string, ids gru.IDs, rows, n int) error {
	if ids == nil {
		return fmt.Errorf("gru: %s: nil ids", op)
	}
	if ids.Len() != rows {
		return shapeError(op+": ids", []int{rows}, []int{ids.Len()})
	}
	if ids.Limit() > n {
		return fmt.Errorf("gru: %s: ids may hold values up to %d, but index an axis of %d (NewIDs's limit must be at most %d)", op, ids.Limit()-1, n, n)
	}
	return nil
}

// CheckRowIDs validates a row lookup between a table [vocab, C] and a matrix of
// rows [n, C] (Gather's dst, ScatterAdd's src): equal row widths, one id per row
// and ids limited to the table's rows. It returns n and C.
func CheckRowIDs(op string, rows, table []int, ids gru.IDs) (n, cols int, err error) {
	n, cols = Matrix(rows)
	vocab, tcols := Matrix(table)
	if tcols != cols {
		return 0, 0, shapeError(op+": table", []int{-1, cols}, table)
	}
	return n, cols, CheckIDs(op, ids, n, vocab)
}

// CheckScalar checks that the tensor of shape got, where an operation writes a
// scalar result (a loss, a norm) or reads one (a learning rate), holds exactly one
// value; arg names it.
func CheckScalar(op, arg string, got []int) error {
	if gru.Len(got) != 1 {
		return shapeError(op+": "+arg, []int{1}, got)
	}
	return nil
}
