package cuda

import (
	"fmt"
	"strings"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
)

// The persistent kernels (kernels/gru_persistent_*.cu) run every step of one
// layer and direction in one cooperative launch; KernelPersistent selects them.
// This file chooses their launch geometry and runs them in place of the per-step
// loops of forwardCell and backwardCell.

// persistPlan is the launch of the persistent kernels for one shape: blocks of
// threads threads, each owning units hidden units (the last block fewer),
// staging tileRows rows at a time, with fwdShared and bwdShared bytes of dynamic
// shared memory for the forward and the backward kernel.
type persistPlan struct {
	blocks, threads, units, tileRows int
	fwdShared, bwdShared             int
}

// planPersistent chooses the persistent kernels' launch geometry for H hidden
// units, a batch of B rows and elements of es bytes on a device with limits
// lim, for kernels that declare static bytes of static shared memory, and
// reports false where the W_h slices do not fit on chip; the GEMM path runs
// there. The choice:
//
//   - blocks: one per multiprocessor, at most H, each owning U = ⌈H / blocks⌉
//     units (then blocks = ⌈H / U⌉). The slices of W_h are smallest so, all of the
//     GPU's shared memory holds W_h, and each block's share of a step is smallest;
//   - threads: 3U columns (the r, z and n gates of each unit) times the row groups
//     that let every thread sum persistRows rows of its column in registers in one
//     pass over the batch, rounded up to whole warps and capped at
//     lim.threadsPerBlock; fewer than 3U threads cannot cover the columns, and
//     do not fit;
//   - tileRows: the rows staged per pass, as many as the widest pass sums (U
//     columns: the backward sweep, and ResetBefore's n gate), at most B, halved
//     until the shared memory fits;
//   - shared memory, in elements: the slice (H·3U forward, 3H·U backward, the same
//     size), the tile (tileRows·persistTileStride) and the products (B·3U forward,
//     B·U backward), at most lim.sharedPerBlock − static bytes: the driver
//     requires a block's dynamic and static shared memory together to fit the
//     opt-in limit.
//
// The caller also checks that the device holds the blocks at once
// (device.Device.ResidentBlocks), which depends on the kernel's registers.
func planPersistent(H, B, es, static int, lim device.CoopLimits) (persistPlan, bool) {
	budget := lim.SharedPerBlock - static
	if H < 1 || B < 1 || lim.Multiprocessors < 1 || lim.Warp < 1 || budget < 1 {
		return persistPlan{}, false
	}
	units := ceilDiv(H, min(lim.Multiprocessors, H))
	blocks := ceilDiv(H, units)
	threads := min(ceilDiv(3*units*ceilDiv(B, persistRows), lim.Warp)*lim.Warp, lim.ThreadsPerBlock/lim.Warp*lim.Warp)
	if threads < 3*units {
		return persistPlan{}, false
	}
	tileRows := min(B, persistRows*(threads/units))
	for {
		tile := tileRows * persistTileStride
		p := persistPlan{blocks: blocks, threads: threads, units: units, tileRows: tileRows,
			fwdShared: es * (H*3*units + tile + B*3*units), bwdShared: es * (3*H*units + tile + B*units)}
		if max(p.fwdShared, p.bwdShared) <= budget {
			return p, true
		}
		if tileRows == 1 {
			return persistPlan{}, false
		}
		tileRows = ceilDiv(tileRows, 2)
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// persistKernels returns the backend's persistent forward and backward entry
// points for variant v.
func (be *Backend) persistKernels(v gru.Variant) (fwd, bwd device.Kernel) {
	f64 := be.dtype == gru.Float64
	switch {
	case v == gru.ResetAfter && f64:
		return device.KernelGruPersistFwdAfterF64, device.KernelGruPersistBwdAfterF64
	case v == gru.ResetAfter:
		return device.KernelGruPersistFwdAfterF32, device.KernelGruPersistBwdAfterF32
	case f64:
		return device.KernelGruPersistFwdBeforeF64, device.KernelGruPersistBwdBeforeF64
	}
	return device.KernelGruPersistFwdBeforeF32, device.KernelGruPersistBwdBeforeF32
}

// persistentPlan returns the plan of the persistent kernels for the stack's
// workspace, or nil where the per-step GEMM path runs: the backend asks for
// KernelGEMM, or its GEMMs use tensor cores (the persistent kernels compute in
// float32 only; said once), or planPersistent finds no fit, or the device cannot
// hold the plan's blocks at once, or a driver call of the planning failed without
// losing the context (warned once). The workspace keeps the answer for its shape.
func (s *stack) persistentPlan() (*persistPlan, error) {
	be, ws := s.be, s.ws
	if be.recurrent == KernelGEMM {
		return nil, nil
	}
	if ws.persistChecked {
		return ws.persist, nil
	}
	if be.math != device.MathFP32 {
		be.noticeOnce(fmt.Sprintf("cuda: --kernel %v with %s: the persistent kernels compute in float32 only, so every shape runs "+
			"the per-step GEMM path with the tensor-core GEMMs asked for", be.recurrent, strings.TrimPrefix(be.math.Label(), ", ")))
		ws.persistChecked = true
		return nil, nil
	}
	p, err := s.planOnDevice()
	if err != nil {
		if !be.recoverable(err) {
			return nil, err
		}
		be.warnOnce("planning the persistent kernel", persistentFallback, err)
		p = nil
	}
	ws.persistChecked, ws.persist = true, p
	return p, nil
}

// planOnDevice plans the persistent kernels for the stack's shape with the
// device's limits and the kernels' static shared memory, opts them in to the
// plan's dynamic shared memory, and checks that the device holds the plan's
// blocks at once; nil where it does not fit.
func (s *stack) planOnDevice() (*persistPlan, error) {
	be, ws := s.be, s.ws
	lim, err := be.dev.CoopLimits()
	if err != nil {
		return nil, err
	}
	fwd, bwd := be.persistKernels(s.cfg.Variant)
	static := 0
	for _, k := range []device.Kernel{fwd, bwd} {
		n, err := be.dev.StaticShared(k)
		if err != nil {
			return nil, err
		}
		static = max(static, n)
	}
	p, ok := planPersistent(s.cfg.HiddenSize, ws.batch, be.esize(), static, lim)
	if !ok {
		return nil, nil
	}
	for _, k := range []struct {
		k      device.Kernel
		shared int
	}{{fwd, p.fwdShared}, {bwd, p.bwdShared}} {
		if err := be.dev.AllowShared(k.k, k.shared); err != nil {
			return nil, err
		}
		n, err := be.dev.ResidentBlocks(k.k, p.threads, k.shared)
		if err != nil {
			return nil, err
		}
		if n < p.blocks {
			return nil, nil
		}
	}
	return &p, nil
}

// persistentFailed reports whether the persistent kernel just queued on q failed
// in a way it may fall back from (see Backend.recoverable): then it warns once, clears
// q's error, and leaves the workspace's shape to the per-step GEMM path, which
// the caller runs in its place. A failed launch ran nothing.
func (s *stack) persistentFailed(q *queue) bool {
	if q.err == nil || !s.be.recoverable(q.err) {
		return false
	}
	s.be.warnOnce("the persistent kernel's cooperative launch", persistentFallback, q.err)
	q.err = nil
	s.ws.persist = nil
	return true
}

// geom is the plan's launch geometry with shared bytes of dynamic shared memory.
func (p *persistPlan) geom(shared int) device.LaunchGeom {
	return device.LaunchGeom{Grid: device.Dim3{X: p.blocks, Y: 1, Z: 1}, Block: device.Dim3{X: p.threads, Y: 1, Z: 1}, Shared: shared}
}

// forwardPersistent runs every step of cell (direction d) in one launch of the
// persistent forward kernel, from the input projections in the workspace, into
// what forwardCell's step loop writes: the states, the saved gates and columns
// [d·H, (d+1)·H) of out.
func (s *stack) forwardPersistent(q *queue, p *persistPlan, cell, d int, out device.Ptr) {
	be, cfg, ws := s.be, s.cfg, s.ws
	par, w := s.cell(cell).param, ws.dirs[d]
	lg, H := p.geom(p.fwdShared), cfg.HiddenSize
	launch := q.gruPersistFwdBefore
	if cfg.Variant == gru.ResetAfter {
		launch = q.gruPersistFwdAfter
	}
	launch(lg, ws.batch, H, ws.steps, d, p.units, p.tileRows, ws.lens, w.xproj, par.wh, par.bh,
		ws.hs[cell], ws.gates[cell], out.Add(d*H, be.esize()), cfg.OutputSize(), ws.barrier)
}

// backwardPersistent runs the reverse sweep of cell (direction d) in one launch
// of the persistent backward kernel: what backwardCell's step loop computes, dGx,
// dGh and, in the direction's dh, the gradient w.r.t. h0.
func (s *stack) backwardPersistent(q *queue, p *persistPlan, cell, d int, dY device.Ptr) {
	be, cfg, ws := s.be, s.cfg, s.ws
	w := ws.dirs[d]
	lg, H := p.geom(p.bwdShared), cfg.HiddenSize
	launch := q.gruPersistBwdBefore
	if cfg.Variant == gru.ResetAfter {
		launch = q.gruPersistBwdAfter
	}
	launch(lg, ws.batch, H, ws.steps, d, p.units, p.tileRows, ws.lens, s.cell(cell).param.wh, ws.gates[cell],
		ws.hs[cell], dY.Add(d*H, be.esize()), cfg.OutputSize(), w.dGx, w.dGh, w.dh, ws.barrier)
}
