package cuda

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/cuda/internal/sim"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grutest"
)

func TestPlanPersistent(t *testing.T) {
	h100 := device.CoopLimits{Multiprocessors: 132, SharedPerBlock: 227 << 10, ThreadsPerBlock: 256, Warp: 32}
	for _, c := range []struct {
		name     string
		H, B, es int
		lim      device.CoopLimits
		want     persistPlan
		ok       bool
	}{
		// One block per multiprocessor, 4 units each: 12 columns, 64 rows at 4 a thread → 192 threads.
		{"H100 512x64 f32", 512, 64, 4, h100, persistPlan{blocks: 128, threads: 192, units: 4, tileRows: 64,
			fwdShared: 4 * (512*12 + 64*33 + 64*12), bwdShared: 4 * (3*512*4 + 64*33 + 64*4)}, true},
		// 8 units: 24 columns × 64 row groups is past 256 threads; the tile holds 4·(256/8) = 128 rows.
		{"H100 1024x256 f32", 1024, 256, 4, h100, persistPlan{blocks: 128, threads: 256, units: 8, tileRows: 128,
			fwdShared: 4 * (1024*24 + 128*33 + 256*24), bwdShared: 4 * (3*1024*8 + 128*33 + 256*8)}, true},
		// 16 units: W_h's slice alone is 2048·48·4 bytes = 384 KiB.
		{"H100 2048 f32 does not fit", 2048, 32, 4, h100, persistPlan{}, false},
		// The simulator: 7 units in 4 blocks of 2, the last with 1.
		{"sim 7x4 f64", 7, 4, 8, sim.CoopLimits, persistPlan{blocks: 4, threads: 32, units: 2, tileRows: 4,
			fwdShared: 8 * (7*6 + 4*33 + 4*6), bwdShared: 8 * (3*7*2 + 4*33 + 4*2)}, true},
		{"one unit", 1, 1, 4, sim.CoopLimits, persistPlan{blocks: 1, threads: 32, units: 1, tileRows: 1,
			fwdShared: 4 * (3 + 33 + 3), bwdShared: 4 * (3 + 33 + 1)}, true},
		// Too few threads for the 3U columns of a block.
		{"columns past the threads", 40, 2, 4, device.CoopLimits{Multiprocessors: 2, SharedPerBlock: 1 << 20, ThreadsPerBlock: 32, Warp: 32}, persistPlan{}, false},
		// Shared memory short of a 64-row tile: the tile halves to 32 rows, then 16.
		{"tile halves", 8, 64, 4, device.CoopLimits{Multiprocessors: 8, SharedPerBlock: 4 * (24 + 16*33 + 64*3), ThreadsPerBlock: 1024, Warp: 1},
			persistPlan{blocks: 8, threads: 48, units: 1, tileRows: 16, fwdShared: 4 * (24 + 16*33 + 64*3), bwdShared: 4 * (24 + 16*33 + 64)}, true},
		{"no cooperative launches", 8, 8, 4, device.CoopLimits{}, persistPlan{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, ok := planPersistent(c.H, c.B, c.es, 0, c.lim)
			if ok != c.ok || p != c.want {
				t.Errorf("planPersistent(H=%d, B=%d, %d bytes) = %+v, %v; want %+v, %v", c.H, c.B, c.es, p, ok, c.want, c.ok)
			}
			if ok && (p.blocks*p.units < c.H || (p.blocks-1)*p.units >= c.H || p.threads < 3*p.units) {
				t.Errorf("%+v does not cover %d units with a column per thread", p, c.H)
			}
		})
	}
}

// newPersistentSim returns a simulated backend with cooperative limits lim that
// asks for the persistent kernels.
func newPersistentSim(t *testing.T, dtype gru.DType, lim device.CoopLimits) *Backend {
	t.Helper()
	d := newSimDevice()
	d.SetCoopLimits(lim)
	be, err := newBackend(d, dtype)
	if err != nil {
		t.Fatal(err)
	}
	if err := be.SetRecurrentKernel(KernelPersistent); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// On the simulator the persistent kernels take several blocks at the sizes here
// (their units straddle the block edges), run every pass (RecurrentRuns counts
// them), and give what the GEMM path gives, over every configuration the
// conformance suite crosses: both variants, two layers, both directions, ragged
// lengths, h0 and batch-first. Tight limits (a thread fewer than a warp, small
// blocks) make the kernels stage the rows in several passes and the reduction in
// several tiles.
func TestPersistentMatchesGEMMPath(t *testing.T) {
	tight := device.CoopLimits{Multiprocessors: 8, SharedPerBlock: 48 << 10, ThreadsPerBlock: 16, Warp: 1}
	for _, dtype := range []gru.DType{gru.Float32, gru.Float64} {
		for _, sz := range []struct {
			name       string
			T, B, D, H int
			lim        device.CoopLimits
		}{
			{"sim", 5, 3, 6, 25, sim.CoopLimits},
			{"sim", 4, 5, 3, 37, sim.CoopLimits},
			{"tight", 6, 5, 4, 38, tight},
		} {
			t.Run(fmt.Sprintf("%v/%s/H=%d", dtype, sz.name, sz.H), func(t *testing.T) {
				p, ok := planPersistent(sz.H, sz.B, map[gru.DType]int{gru.Float32: 4, gru.Float64: 8}[dtype], sim.StaticShared, sz.lim)
				if !ok || p.blocks < 3 || sz.H%p.units == 0 {
					t.Fatalf("plan %+v, %v: want a fit of at least 3 blocks, the last one short", p, ok)
				}
				gemm, err := newBackend(newSimDevice(), dtype)
				if err != nil {
					t.Fatal(err)
				}
				defer gemm.Close()
				be := newPersistentSim(t, dtype, sz.lim)
				tol := grutest.TolerancesFor(dtype)
				rng := gru.NewRand(21)
				passes := 0
				for _, c := range grutest.Cases() {
					cfg := gru.Config{InputSize: sz.D, HiddenSize: sz.H, Layers: c.Layers, Bidirectional: c.Bidirectional, Variant: c.Variant, Layout: c.Layout}
					prob := grutest.NewProblem(rng, cfg, sz.T, sz.B, c.Ragged, c.WithH0, true)
					want, err := grutest.Solve(gemm, prob)
					if err != nil {
						t.Fatal(err)
					}
					got, err := grutest.Solve(be, prob)
					if err != nil {
						t.Fatalf("%v: %v", c, err)
					}
					passes += 2 * cfg.Cells()
					checkAgainstGEMM(t, c.String(), cfg, got, want, tol.Forward/10)
				}
				if r := be.RecurrentRuns(); r.Persistent != passes || r.GEMM != 0 {
					t.Errorf("RecurrentRuns %+v, want %d persistent passes and none on the GEMM path", r, passes)
				}
				if r := gemm.RecurrentRuns(); r.Persistent != 0 || r.GEMM != passes {
					t.Errorf("the default backend's RecurrentRuns %+v, want %d GEMM passes", r, passes)
				}
			})
		}
	}
}

// checkAgainstGEMM requires the persistent kernel's outputs and gradients got
// within relative error tol of the GEMM path's want, for the problem named name.
func checkAgainstGEMM(t *testing.T, name string, cfg gru.Config, got, want *grutest.Result, tol float64) {
	t.Helper()
	wantAll := [][]float64{want.Y, want.HN, want.DX, want.DH0}
	for i, g := range [][]float64{got.Y, got.HN, got.DX, got.DH0} {
		if e := grutest.RelErr(g, wantAll[i]); !(e <= tol) {
			t.Errorf("%s: output %d: relative error %.3g against the GEMM path", name, i, e)
		}
	}
	wf := want.Grads.Flat()
	for i, g := range got.Grads.Flat() {
		if e := grutest.RelErr(g, wf[i]); !(e <= tol) {
			t.Errorf("%s: gradient %s: relative error %.3g against the GEMM path", name, gru.TensorNames(cfg)[i], e)
		}
	}
}

// Where W_h's slices do not fit in a block's shared memory, the stack falls back
// to the GEMM path, silently, and RecurrentRuns says so.
func TestPersistentFallsBackWhenTooLarge(t *testing.T) {
	const H = 200 // 4 blocks of 50 units: W_h's slice is 200·150·8 bytes, past 48 KiB
	if _, ok := planPersistent(H, 2, 8, sim.StaticShared, sim.CoopLimits); ok {
		t.Fatalf("H=%d fits the simulator's limits; the test needs one that does not", H)
	}
	be := newPersistentSim(t, gru.Float64, sim.CoopLimits)
	cfg := gru.Config{InputSize: 3, HiddenSize: H, Layers: 1, Variant: gru.ResetAfter}
	prob := grutest.NewProblem(gru.NewRand(5), cfg, 2, 2, true, true, true)
	got, err := grutest.Solve(be, prob)
	if err != nil {
		t.Fatal(err)
	}
	if r := be.RecurrentRuns(); r.Persistent != 0 || r.GEMM != 2 {
		t.Errorf("RecurrentRuns %+v, want the forward and backward pass on the GEMM path", r)
	}
	y, hN := grutest.Reference(cfg, prob.Params, prob.X, prob.H0, prob.Lengths, 2, 2)
	if e := max(grutest.RelErr(got.Y, y), grutest.RelErr(got.HN, hN)); e > 1e-12 {
		t.Errorf("relative error %.3g against the reference", e)
	}
}

func TestRecurrentKernelOption(t *testing.T) {
	for _, k := range []RecurrentKernel{KernelGEMM, KernelPersistent} {
		if got, err := ParseRecurrentKernel(k.String()); err != nil || got != k {
			t.Errorf("ParseRecurrentKernel(%q) = %v, %v", k, got, err)
		}
	}
	if _, err := ParseRecurrentKernel("cudnn"); err == nil || !strings.Contains(err.Error(), "want gemm, persistent or auto") {
		t.Errorf("ParseRecurrentKernel(cudnn): %v", err)
	}
	be, err := New(Simulated())
	if err != nil {
		t.Fatal(err)
	}
	if be.RecurrentKernel() != KernelGEMM || strings.Contains(be.Name(), "recurrent kernel") {
		t.Errorf("a new backend: %v, %q; want the GEMM path by default, unnamed", be.RecurrentKernel(), be.Name())
	}
	if err := be.SetRecurrentKernel(RecurrentKernel(7)); err == nil {
		t.Error("SetRecurrentKernel(7): no error")
	}
	if err := be.SetRecurrentKernel(KernelPersistent); err != nil || !strings.Contains(be.Name(), "persistent recurrent kernel") {
		t.Errorf("SetRecurrentKernel(KernelPersistent): %v; Name %q", err, be.Name())
	}
	be.Close()
	if err := be.SetRecurrentKernel(KernelGEMM); err != gru.ErrClosed {
		t.Errorf("SetRecurrentKernel on a closed backend: %v, want ErrClosed", err)
	}
}

// The driver holds a block's dynamic and static shared memory together to the
// opt-in limit. Float32 at H = 1312, B = 512 on an H100's limits is such an edge:
// its dynamic memory alone (232080 bytes) fits the 227 KiB (232448), but not with
// the kernels' 1 KiB of static memory, so the plan stages half the rows. The
// 48 KiB a block has without opting in counts the static memory too, and the
// simulator refuses what does not fit with its own 1 KiB.
func TestPlanCountsStaticShared(t *testing.T) {
	h100 := device.CoopLimits{Multiprocessors: 132, SharedPerBlock: 227 << 10, ThreadsPerBlock: 256, Warp: 32}
	const H, B, static = 1312, 512, 1 << 10
	whole, ok := planPersistent(H, B, 4, 0, h100)
	if !ok || whole.fwdShared != 232080 || whole.fwdShared+static <= h100.SharedPerBlock {
		t.Fatalf("without static memory: %+v, %v; want the 232080-byte plan that only fits without it", whole, ok)
	}
	p, ok := planPersistent(H, B, 4, static, h100)
	if !ok || max(p.fwdShared, p.bwdShared)+static > h100.SharedPerBlock || p.tileRows != whole.tileRows/2 {
		t.Errorf("with 1 KiB static: %+v, %v; want a plan of half the tile rows (%d) that fits with it", p, ok, whole.tileRows/2)
	}
	if _, ok := planPersistent(H, B, 4, h100.SharedPerBlock, h100); ok {
		t.Error("static memory that fills the block left room for a plan")
	}
	for _, c := range []struct {
		static, dynamic int
		want            bool
	}{{0, 48 << 10, false}, {0, 48<<10 + 1, true}, {static, 47 << 10, false}, {static, 47<<10 + 4, true}} {
		if got := device.NeedsOptIn(c.static, c.dynamic); got != c.want {
			t.Errorf("needsOptIn(static %d, dynamic %d) = %v, want %v", c.static, c.dynamic, got, c.want)
		}
	}
	d := newSimDevice()
	for _, c := range []struct {
		dynamic int
		ok      bool
	}{{sim.CoopLimits.SharedPerBlock - sim.StaticShared, true}, {sim.CoopLimits.SharedPerBlock - sim.StaticShared + 4, false}} {
		err := d.AllowShared(device.KernelGruPersistFwdAfterF32, c.dynamic)
		n, _ := d.ResidentBlocks(device.KernelGruPersistFwdAfterF32, 32, c.dynamic)
		if (err == nil) != c.ok || (n > 0) != c.ok {
			t.Errorf("simulator, %d dynamic bytes: allowShared %v, %d resident blocks; want fit %v", c.dynamic, err, n, c.ok)
		}
	}
}

// With tensor-core GEMMs (TF32, BF16) the persistent kernels, which compute in
// float32, would mix precisions unawares: such a backend runs the GEMM path
// where KernelPersistent is asked for, says so once, and RecurrentRuns and the
// warning show it.
func TestPersistentWithTensorCoresRunsGEMM(t *testing.T) {
	for _, p := range []Precision{TF32, BF16} {
		be, err := New(Simulated(), WithPrecision(p))
		if err != nil {
			t.Fatal(err)
		}
		defer be.Close()
		log := &logRecords{}
		be.SetLogger(slog.New(log))
		if err := be.SetRecurrentKernel(KernelPersistent); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			cfg := gru.Config{InputSize: 3, HiddenSize: 5, Layers: 1, Variant: gru.ResetAfter}
			prob := grutest.NewProblem(gru.NewRand(5), cfg, 2, 2, false, false, true)
			if _, err := grutest.Solve(be, prob); err != nil {
				t.Fatal(err)
			}
		}
		if r := be.RecurrentRuns(); r.Persistent != 0 || r.GEMM != 4 {
			t.Errorf("%s: RecurrentRuns %+v, want every pass on the GEMM path", be.Name(), r)
		}
		if len(log.recs) != 1 || !strings.Contains(log.text(0), "float32 only") {
			t.Errorf("%s: %d warnings, want one that says the persistent kernels compute in float32 only", be.Name(), len(log.recs))
		}
	}
}

// The kernel may change between passes of one stack: after persistent passes, a
// stack asked for KernelGEMM runs the GEMM path, though its workspace keeps a plan.
func TestRecurrentKernelChangesOnAStack(t *testing.T) {
	be := newPersistentSim(t, gru.Float32, sim.CoopLimits)
	_, tr := newGraphTrainer(t, be, graphCase{variant: gru.ResetAfter, embed: 3}, false, 1)
	rng := gru.NewRand(4)
	step := func() {
		in, tg := batch(rng, 3, 2)
		if _, err := tr.Step(in, tg, 3, 2); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if r := be.RecurrentRuns(); r != (RecurrentRuns{Persistent: 2}) {
		t.Fatalf("RecurrentRuns %+v after a persistent step", r)
	}
	if err := be.SetRecurrentKernel(KernelGEMM); err != nil {
		t.Fatal(err)
	}
	step()
	if r := be.RecurrentRuns(); r != (RecurrentRuns{GEMM: 2, Persistent: 2}) {
		t.Errorf("RecurrentRuns %+v: want the second step on the GEMM path", r)
	}
}
