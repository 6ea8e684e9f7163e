package cuda

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
)

// workspace is every device buffer a Forward and Backward of one (T, B) shape
// needs, allocated once per shape with the driver's plain allocation and reused;
// nothing is allocated in the time loop. Sequence buffers are time-major.
type workspace struct {
	steps, batch int
	allocs       []device.Ptr

	lens     device.Ptr   // int32 [B] valid lengths
	lensHost []int        // what lens holds, nil before the first Forward
	x0       device.Ptr   // [T·B, D] copy of the input
	layerOut []device.Ptr // per layer below the top: [T·B, dirs·H]
	top      device.Ptr   // [T·B, dirs·H]
	hs       []device.Ptr // per cell: [(T+1)·B, H] states in processing order
	gates    []device.Ptr // per cell: [T·B, 4H]
	dirs     [2]dirWork
	dyA, dyB device.Ptr // [T·B, max(D, dirs·H)]
	dyTop    device.Ptr // [T·B, dirs·H] batch-first only
	dxTM     device.Ptr // [T·B, D] batch-first only
	barrier  device.Ptr // uint32 [2]: the persistent kernels' grid barrier, zeroed once (grid_sync leaves it so)

	// persist is the persistent kernels' plan for this shape, or nil where the
	// per-step GEMM path runs; persistChecked says it has been worked out.
	persist        *persistPlan
	persistChecked bool
	auto           *autoTune // KernelAuto's timing of the paths for this shape
}

// dirWork is one direction's scratch.
type dirWork struct {
	xproj, hh, dGx, dGh, dh, drh device.Ptr // [T·B,3H], [B,3H], [T·B,3H], [T·B,3H], [B,H], [B,H]
}

// newWorkspace allocates the buffers for (steps, batch). When an allocation fails
// it frees those it got and returns the *AllocError, which names the buffer by its
// field, its cell or direction, and its shape.
func newWorkspace(be *Backend, cfg gru.Config, steps, batch int) (*workspace, error) {
	ws := &workspace{steps: steps, batch: batch}
	es := be.esize()
	H, TB, out := cfg.HiddenSize, steps*batch, cfg.OutputSize()
	widest := max(cfg.InputSize, out)
	var err error
	// get allocates the buffer called name, of shape dims (sym in symbols) and
	// elements of size bytes.
	get := func(dst *device.Ptr, name, sym string, size int, dims ...int) {
		if err != nil {
			return
		}
		n, nums := size, make([]string, len(dims))
		for i, d := range dims {
			n *= d
			nums[i] = strconv.Itoa(d)
		}
		what := fmt.Sprintf("workspace %s %s = [%s]", name, sym, strings.Join(nums, ", "))
		var p device.Ptr
		if p, err = be.alloc(what, n); err == nil {
			*dst = p
			ws.allocs = append(ws.allocs, p)
		}
	}
	get(&ws.lens, "lens (int32)", "[B]", 4, batch)
	get(&ws.barrier, "barrier (uint32)", "[2]", 4, 2)
	if err == nil {
		err = be.dev.MemsetZero(ws.barrier, 8)
	}
	get(&ws.x0, "x0", "[T·B, D]", es, TB, cfg.InputSize)
	get(&ws.top, "top", "[T·B, dirs·H]", es, TB, out)
	get(&ws.dyA, "dyA", "[T·B, max(D, dirs·H)]", es, TB, widest)
	get(&ws.dyB, "dyB", "[T·B, max(D, dirs·H)]", es, TB, widest)
	ws.layerOut = make([]device.Ptr, cfg.Layers-1)
	for l := range ws.layerOut {
		get(&ws.layerOut[l], fmt.Sprintf("layerOut (layer %d)", l), "[T·B, dirs·H]", es, TB, out)
	}
	ws.hs, ws.gates = make([]device.Ptr, cfg.Cells()), make([]device.Ptr, cfg.Cells())
	for c := range cfg.Cells() {
		get(&ws.hs[c], fmt.Sprintf("hs (cell %d)", c), "[(T+1)·B, H]", es, (steps+1)*batch, H)
		get(&ws.gates[c], fmt.Sprintf("gates (cell %d)", c), "[T·B, 4H]", es, TB, 4*H)
	}
	for d := range cfg.Directions() {
		w := &ws.dirs[d]
		dir := func(field string) string { return fmt.Sprintf("%s (direction %d)", field, d) }
		get(&w.xproj, dir("xproj"), "[T·B, 3H]", es, TB, 3*H)
		get(&w.hh, dir("hh"), "[B, 3H]", es, batch, 3*H)
		get(&w.dGx, dir("dGx"), "[T·B, 3H]", es, TB, 3*H)
		get(&w.dGh, dir("dGh"), "[T·B, 3H]", es, TB, 3*H)
		get(&w.dh, dir("dh"), "[B, H]", es, batch, H)
		get(&w.drh, dir("drh"), "[B, H]", es, batch, H)
	}
	if cfg.Layout == gru.BatchFirst {
		get(&ws.dyTop, "dyTop", "[T·B, dirs·H]", es, TB, out)
		get(&ws.dxTM, "dxTM", "[T·B, D]", es, TB, cfg.InputSize)
	}
	if err != nil {
		ws.free(be.dev)
		return nil, err
	}
	return ws, nil
}

// setLengths makes ws.lens hold lengths (nil: every sequence has T steps). It
// uploads them only when they differ from those it holds, so that a Forward with
// the lengths of the one before reads no host memory and can be recorded.
func (ws *workspace) setLengths(q *queue, lengths []int) {
	want := lengths
	if want == nil {
		want = make([]int, ws.batch)
		for b := range want {
			want[b] = ws.steps
		}
	}
	if slices.Equal(want, ws.lensHost) {
		return
	}
	buf := make([]byte, 4*ws.batch)
	for b, n := range want {
		binary.LittleEndian.PutUint32(buf[4*b:], uint32(n))
	}
	q.htod(ws.lens, buf)
	if q.Err() == nil {
		ws.lensHost = slices.Clone(want)
	}
}

func (ws *workspace) free(dev device.Device) error {
	var first error
	for _, p := range ws.allocs {
		if err := dev.Free(p); err != nil && first == nil {
			first = err
		}
	}
	ws.allocs = nil
	return first
}
