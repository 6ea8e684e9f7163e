package backendkit

import (
	"testing"

	"github.com/gogru/gogru/gru"
)

// Every GEMM of the plan reads and writes within its operands, with the operands'
// own row widths as leading dimensions, and chains its shapes: A·B's inner sizes
// agree and C is M×N.
func TestBackwardPlanStaysInBounds(t *testing.T) {
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		p := BackwardPlan{Variant: v, H: 5, Din: 7, Batch: 3, Steps: 4}
		cols := map[Operand]int{In: 7, DX: 7, HPrev: 5, Gates: 20, DGx: 15, DGh: 15, DH: 5, DRH: 5, Wx: 15, Wh: 15, DWx: 15, DWh: 15}
		var all []GEMM
		for step := range p.Steps {
			if v == gru.ResetBefore {
				all = append(all, p.DRHStep(step))
			}
			all = append(all, p.DHStep(step))
		}
		gs, n := p.WeightGrads()
		all = append(all, gs[:n]...)
		all = append(all, p.InputGrad(0), p.InputGrad(1))
		within := func(g GEMM, name string, r Ref, rows, c int) {
			if r.LD != cols[r.Of] {
				t.Errorf("%v %+v: %s has leading dimension %d, its rows are %d wide", v, g, name, r.LD, cols[r.Of])
			}
			if end := r.Off + (rows-1)*r.LD + c; r.Off < 0 || r.Off%r.LD+c > r.LD || end > p.Size(r.Of) {
				t.Errorf("%v %+v: %s reaches element %d of %d", v, g, name, end, p.Size(r.Of))
			}
		}
		for _, g := range all {
			ar, ac := g.M, g.K
			if g.TransA {
				ar, ac = g.K, g.M
			}
			br, bc := g.K, g.N
			if g.TransB {
				br, bc = g.N, g.K
			}
			within(g, "A", g.A, ar, ac)
			within(g, "B", g.B, br, bc)
			within(g, "C", g.C, g.M, g.N)
			if g.C.Of == g.A.Of || g.C.Of == g.B.Of {
				t.Errorf("%v %+v writes an operand it reads", v, g)
			}
		}
		if p.InputGrad(0).Beta != 0 || p.InputGrad(1).Beta != 1 {
			t.Errorf("%v: the first direction's dX must overwrite, the second add", v)
		}
	}
}
