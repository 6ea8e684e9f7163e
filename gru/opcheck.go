package gru

import "fmt"

// Matrix returns the 2-D view of a shape: all axes but the last are rows.
func Matrix(shape []int) (rows, cols int) {
	if len(shape) == 0 {
		return 1, 1
	}
	return Len(shape[:len(shape)-1]), shape[len(shape)-1]
}

// MatMulDims checks the shapes of C = op(A)·op(B) on 2-D views and returns C's m×n,
// the inner size k and the row-major leading dimensions of A, B and C (at least 1,
// as BLAS requires even for empty matrices), so every backend reports a mismatch
// the same way and calls its GEMM with the same arguments.
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
	if k != kb || m != cr || n != cc {
		return 0, 0, 0, 0, 0, 0, fmt.Errorf("gru: MatMul: op(a) is %d×%d, op(b) is %d×%d, c is %d×%d", m, k, kb, n, cr, cc)
	}
	return m, n, k, max(ac, 1), max(bc, 1), max(cc, 1), nil
}

// CheckIDs checks that there is one id per row and each is in [0, n).
func CheckIDs(op string, ids []int32, rows, n int) error {
	if len(ids) != rows {
		return fmt.Errorf("gru: %s: %d ids for %d rows", op, len(ids), rows)
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
		return 0, 0, fmt.Errorf("gru: %s: table rows have %d values, the other rows %d", op, tcols, cols)
	}
	return n, cols, CheckIDs(op, ids, n, vocab)
}
