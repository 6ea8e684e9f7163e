package cpu

import "github.com/gogru/gogru/gru"

// workspace holds every buffer a Forward and Backward of one (T, B) shape needs.
// It is allocated once per shape and reused; nothing is allocated in the time loop.
// All sequence buffers are time-major.
type workspace[T Float] struct {
	steps, batch int
	lens         []int // per-sequence lengths (T when none were given)

	x0       []T   // [T·B, D] copy of the stack's input
	layerOut [][]T // per layer below the top: [T·B, dirs·H], the next layer's input
	top      []T   // [T·B, dirs·H] the top layer's output
	hs       [][]T // per cell: [(T+1)·B, H] states in processing order, hs[0] = h0
	gates    [][]T // per cell: [T·B, 4H] saved gates, in processing order

	dirs [2]dirWork[T] // per direction scratch, so directions run concurrently

	dyTop      []T // [T·B, dirs·H] time-major copy of dy (batch-first only)
	dyA, dyB   []T // [T·B, max(D, dirs·H)] gradients w.r.t. layer inputs
	dxTimeMaj  []T // [T·B, D] time-major dx (batch-first only)
	seqScratch []T // [T·B, max width] for batch-first transposes
}

// dirWork is the scratch of one direction.
type dirWork[T Float] struct {
	xproj    []T // [T·B, 3H] X·W_x + b_x, by time
	hh       []T // [B, 3H] recurrent GEMM output
	dGx, dGh []T // [T·B, 3H] pre-activation gradients; dGx by time, dGh by processing step (one buffer where dGhIsDGx)
	dh, drh  []T // [B, H]
	g        gemmTask[T]

	// whp holds W_h packed for the small-batch recurrent product (smallgemm.go):
	// ResetAfter's [H, 3H] whole, or ResetBefore's [H, 2H] then its [H, H] from whp2.
	whp, whp2 []float32
	pg        packedTask

	// sweep runs the packed forward over the whole sequence by row blocks
	// (packedsweep.go); sweepSteps holds one part's step operands per row block.
	sweep      sweepTask[T]
	sweepSteps []forwardStep[T]

	// whtp holds W_hᵀ packed for the backward sweep (backwardsweep.go): ResetAfter's
	// [3H, H] whole, or ResetBefore's [2H, H] (r and z) then its [H, H] (n) in whtp2;
	// bwdSteps holds one part's step operands per row block.
	whtp, whtp2 []float32
	bwdSweep    bwdSweepTask[T]
	bwdSteps    []backwardStep[T]

	fwd forwardStep[T]  // operands of the fused forward passes
	bwd backwardStep[T] // operands of the fused backward passes
}

func newWorkspace[T Float](cfg gru.Config, steps, batch int) *workspace[T] {
	H, dirs, TB := cfg.HiddenSize, cfg.Directions(), steps*batch
	out := cfg.OutputSize()
	widest := max(cfg.InputSize, out)
	ws := &workspace[T]{
		steps: steps, batch: batch,
		lens: make([]int, batch),
		x0:   make([]T, TB*cfg.InputSize),
		top:  make([]T, TB*out),
		dyA:  make([]T, TB*widest),
		dyB:  make([]T, TB*widest),
	}
	for range cfg.Layers - 1 {
		ws.layerOut = append(ws.layerOut, make([]T, TB*out))
	}
	for range cfg.Cells() {
		ws.hs = append(ws.hs, make([]T, (steps+1)*batch*H))
		ws.gates = append(ws.gates, make([]T, TB*4*H))
	}
	for d := range dirs {
		ws.dirs[d] = dirWork[T]{
			xproj: make([]T, TB*3*H),
			hh:    make([]T, batch*3*H),
			dGx:   make([]T, TB*3*H),
			dh:    make([]T, batch*H),
			drh:   make([]T, batch*H),
		}
		ws.dirs[d].dGh = ws.dirs[d].dGx
		if !dGhIsDGx(cfg.Variant, d) {
			ws.dirs[d].dGh = make([]T, TB*3*H)
		}
		switch {
		case !usePacked[T](batch):
		case cfg.Variant == gru.ResetAfter:
			ws.dirs[d].whp = make([]float32, packedLen(H, 3*H))
			ws.dirs[d].whtp = make([]float32, packedLen(3*H, H))
		default:
			ws.dirs[d].whp = make([]float32, packedLen(H, 2*H))
			ws.dirs[d].whp2 = make([]float32, packedLen(H, H))
			ws.dirs[d].whtp = make([]float32, packedLen(2*H, H))
			ws.dirs[d].whtp2 = make([]float32, packedLen(H, H))
		}
		if ws.dirs[d].whp != nil {
			blocks := sweepBlocks(batch)
			ws.dirs[d].sweepSteps = make([]forwardStep[T], blocks)
			ws.dirs[d].bwdSteps = make([]backwardStep[T], blocks)
		}
	}
	if cfg.Layout == gru.BatchFirst {
		ws.dyTop = make([]T, TB*out)
		ws.dxTimeMaj = make([]T, TB*cfg.InputSize)
	}
	return ws
}

// dGhIsDGx reports whether direction d's dGh is its dGx, one buffer: ResetBefore's
// recurrent pre-activation gradients equal its input ones element for element, and
// in the forward direction (d = 0) processing order is time order, so every GEMM
// that reads one can read the other. ResetAfter's differ (dGh's n part is da_n⊙r),
// and the reverse direction's dGh runs in the opposite order to dGx.
func dGhIsDGx(v gru.Variant, d int) bool { return v != gru.ResetAfter && d == 0 }

// transposeTB swaps the first two axes of src [a, b, w] into dst [b, a, w].
func transposeTB[T Float](dst, src []T, a, b, w int) {
	for i := range a {
		for j := range b {
			copy(dst[(j*a+i)*w:(j*a+i+1)*w], src[(i*b+j)*w:(i*b+j+1)*w])
		}
	}
}
