package backendkit

import "github.com/gogru/gogru/gru"

// Operand names the matrices of one cell's backward pass, which every backend keeps
// in buffers of its own (host slices, device pointers); a GEMM refers to them by
// name and element offset, so the plan below is written once for all backends.
type Operand int

// The matrices of one cell (one layer and direction) in Backward, all row-major,
// T = Steps, B = Batch.
const (
	In    Operand = iota // the cell's input X, [T·B, Din]
	HPrev                // the state before each processing step, [T·B, H]
	Gates                // the gates saved by Forward, [T·B, 4H]; with ResetBefore the last H columns are R⊙H_prev
	DGx                  // the gradients of the input projections, [T·B, 3H], in time order
	DGh                  // the gradients of the recurrent projections, [T·B, 3H], in processing order
	DH                   // the running gradient of the state, [B, H]
	DRH                  // ResetBefore's gradient of R⊙H_prev for one step, [B, H]
	Wx                   // the input weights W_x, [Din, 3H]
	Wh                   // the recurrent weights W_h, [H, 3H]
	DWx                  // the gradient of W_x, [Din, 3H], accumulated
	DWh                  // the gradient of W_h, [H, 3H], accumulated
	DX                   // the gradient of the layer's input, [T·B, Din], summed over directions
)

// NumOperands is how many operands there are, the length of a backend's table of
// buffers indexed by Operand.
const NumOperands = int(DX) + 1

// Ref is an operand viewed from an element offset, with its leading dimension.
type Ref struct {
	Of      Operand
	Off, LD int
}

// GEMM is one call C = A·B (transposed as asked) + Beta·C, C being M×N and the
// inner size K, on the operands a backend maps to its buffers (alpha is 1).
type GEMM struct {
	TransA, TransB bool
	M, N, K        int
	A, B, C        Ref
	Beta           float64
}

// BackwardPlan is the GEMM plan of a gru.Stack's Backward for one cell with hidden
// size H and input size Din over Steps steps of Batch rows. A backend runs, per
// layer from the top and per direction, its fused backward kernel for each step in
// reverse processing order with DRHStep (ResetBefore only, between its two kernels)
// and DHStep, then WeightGrads and the column sums of DGx and DGh into the bias
// gradients; then InputGrad per direction gives the layer below its dY.
type BackwardPlan struct {
	Variant              gru.Variant
	H, Din, Batch, Steps int
}

// Size returns how many elements operand o spans, the bound every GEMM of the plan
// stays within.
func (p BackwardPlan) Size(o Operand) int {
	H, TB := p.H, p.Batch*p.Steps
	switch o {
	case In, DX:
		return TB * p.Din
	case HPrev:
		return TB * H
	case Gates:
		return TB * 4 * H
	case DGx, DGh:
		return TB * 3 * H
	case DH, DRH:
		return p.Batch * H
	case Wx, DWx:
		return p.Din * 3 * H
	case Wh, DWh:
		return H * 3 * H
	}
	return 0
}

// DRHStep is ResetBefore's first GEMM of processing step step: d(R⊙H) = da_n·W_hnᵀ,
// [B,H]·[H,H], from the n columns of the step's dGh.
func (p BackwardPlan) DRHStep(step int) GEMM {
	H, B := p.H, p.Batch
	return GEMM{TransB: true, M: B, N: H, K: H,
		A: Ref{DGh, step*B*3*H + 2*H, 3 * H}, B: Ref{Wh, 2 * H, 3 * H}, C: Ref{DRH, 0, H}}
}

// DHStep is the GEMM that adds the recurrent path to dH after processing step
// step's kernels: dH += dGh·W_hᵀ, [B,3H]·[3H,H] (ResetAfter), or
// dH += [da_r da_z]·[W_hr W_hz]ᵀ, [B,2H]·[2H,H] (ResetBefore, whose n part went
// through R⊙H in DRHStep).
func (p BackwardPlan) DHStep(step int) GEMM {
	H, B := p.H, p.Batch
	k := 3 * H
	if p.Variant != gru.ResetAfter {
		k = 2 * H
	}
	return GEMM{TransB: true, M: B, N: H, K: k,
		A: Ref{DGh, step * B * 3 * H, 3 * H}, B: Ref{Wh, 0, 3 * H}, C: Ref{DH, 0, H}, Beta: 1}
}

// WeightGrads are the GEMMs over all steps that accumulate the weight gradients
// once the sweep is done, n of them: dW_x += Xᵀ·dGx, [Din,T·B]·[T·B,3H]; then
// dW_h += H_prevᵀ·dGh, [H,T·B]·[T·B,3H] (ResetAfter), or dW_h[:, :2H] +=
// H_prevᵀ·dGh[:, :2H] and dW_h[:, 2H:] += (R⊙H_prev)ᵀ·dGh[:, 2H:] (ResetBefore).
// HPrev's rows are the states before each processing step, as DGh's are.
func (p BackwardPlan) WeightGrads() (g [3]GEMM, n int) {
	H, TB := p.H, p.Batch*p.Steps
	g[0] = GEMM{TransA: true, M: p.Din, N: 3 * H, K: TB,
		A: Ref{In, 0, p.Din}, B: Ref{DGx, 0, 3 * H}, C: Ref{DWx, 0, 3 * H}, Beta: 1}
	if p.Variant == gru.ResetAfter {
		g[1] = GEMM{TransA: true, M: H, N: 3 * H, K: TB,
			A: Ref{HPrev, 0, H}, B: Ref{DGh, 0, 3 * H}, C: Ref{DWh, 0, 3 * H}, Beta: 1}
		return g, 2
	}
	g[1] = GEMM{TransA: true, M: H, N: 2 * H, K: TB,
		A: Ref{HPrev, 0, H}, B: Ref{DGh, 0, 3 * H}, C: Ref{DWh, 0, 3 * H}, Beta: 1}
	g[2] = GEMM{TransA: true, M: H, N: H, K: TB,
		A: Ref{Gates, 3 * H, 4 * H}, B: Ref{DGh, 2 * H, 3 * H}, C: Ref{DWh, 2 * H, 3 * H}, Beta: 1}
	return g, 3
}

// InputGrad is direction d's share of the layer's input gradient, one GEMM over
// all steps: dX (=, for d = 0; += after) dGx_d·W_x,dᵀ, [T·B,3H]·[3H,Din].
func (p BackwardPlan) InputGrad(d int) GEMM {
	H := p.H
	g := GEMM{TransB: true, M: p.Batch * p.Steps, N: p.Din, K: 3 * H,
		A: Ref{DGx, 0, 3 * H}, B: Ref{Wx, 0, 3 * H}, C: Ref{DX, 0, p.Din}}
	if d > 0 {
		g.Beta = 1
	}
	return g
}
