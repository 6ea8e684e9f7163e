package backendkit

import (
	"fmt"

	"github.com/gogru/gogru/gru"
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

// CheckNewShape checks the dimensions NewTensor was given: none may be negative.
func CheckNewShape(shape []int) error {
	for i, d := range shape {
		if d < 0 {
			return fmt.Errorf("gru: NewTensor: dimension %d is negative (%v)", i, shape)
		}
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

// CheckAdamStep checks Adam's step counter, which counts from 1.
func CheckAdamStep(step int) error {
	if step < 1 {
		return fmt.Errorf("gru: Adam: step must be at least 1, got %d", step)
	}
	return nil
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

// CheckIDs checks that there is one id per row and each is in [0, n).
func CheckIDs(op string, ids []int32, rows, n int) error {
	if len(ids) != rows {
		return shapeError(op+": ids", []int{rows}, []int{len(ids)})
	}
	for i, id := range ids {
		if id < 0 || int(id) >= n {
			return fmt.Errorf("gru: %s: ids[%d] = %d is outside [0, %d)", op, i, id, n)
		}
	}
	return nil
}

// CheckRowIDs validates a row lookup between a table [vocab, C] and a matrix of
// rows [n, C] (Gather's dst, ScatterAdd's src): equal row widths and one id in
// [0, vocab) per row. It returns n and C.
func CheckRowIDs(op string, rows, table []int, ids []int32) (n, cols int, err error) {
	n, cols = Matrix(rows)
	vocab, tcols := Matrix(table)
	if tcols != cols {
		return 0, 0, shapeError(op+": table", []int{-1, cols}, table)
	}
	return n, cols, CheckIDs(op, ids, n, vocab)
}
