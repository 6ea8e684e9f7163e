package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogru/gogru/cuda/internal/device"
	"github.com/gogru/gogru/gru"
)

// Focused simulator tests: each kernel launched directly at awkward sizes (1, a
// prime, one past the block size) against a plain Go computation of its formula.

type kernelRig struct {
	t   *testing.T
	be  *Backend
	rng *rand.Rand
}

func newRig(t *testing.T) *kernelRig {
	be, err := New(Simulated(), WithDType(gru.Float64))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return &kernelRig{t, be, gru.NewRand(42)}
}

// buf uploads v and returns its device address.
func (r *kernelRig) buf(v []float64) device.Ptr {
	tn, err := r.be.newTensor(len(v))
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.be.Write(tn, v); err != nil {
		r.t.Fatal(err)
	}
	return tn.p
}

// ids uploads v as ids bounded by limit and returns them.
func (r *kernelRig) ids(limit int, v []int32) *IDs {
	ids, err := r.be.NewIDs(len(v), limit)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.be.WriteIDs(ids, v); err != nil {
		r.t.Fatal(err)
	}
	return ids.(*IDs)
}

func (r *kernelRig) rand(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.rng.NormFloat64()
	}
	return v
}

func (r *kernelRig) read(p device.Ptr, n int) []float64 {
	b := make([]byte, 8*n)
	if err := r.be.dev.DtoH(b, p); err != nil {
		r.t.Fatal(err)
	}
	v := make([]float64, n)
	r.be.decode(v, b)
	return v
}

// run runs work on a queue and fails the test on its error.
func (r *kernelRig) run(work func(q *queue)) {
	r.t.Helper()
	q := r.be.queue()
	work(q)
	if err := q.Err(); err != nil {
		r.t.Fatal(err)
	}
}

func (r *kernelRig) near(what string, got, want []float64) {
	r.t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) || math.IsNaN(got[i]) {
			r.t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func sig(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func TestKernelGRUPointwise(t *testing.T) {
	for _, sz := range []struct{ B, H int }{{1, 1}, {3, 17}, {2, 257}} {
		t.Run(fmt.Sprintf("B=%d/H=%d", sz.B, sz.H), func(t *testing.T) {
			r := newRig(t)
			B, H, step := sz.B, sz.H, 2
			lensHost := make([]int32, B)
			for b := range lensHost {
				lensHost[b] = int32(1 + 2*b) // b=0 is padding at t=2, the others are not
			}
			lens := r.ids(math.MaxInt32, lensHost).p
			xp, hh, bh, hp := r.rand(B*3*H), r.rand(B*3*H), r.rand(3*H), r.rand(B*H)
			ys := 2*H + 1 // a row stride wider than H, as for a bidirectional output
			dXP, dHH, dBH, dHP := r.buf(xp), r.buf(hh), r.buf(bh), r.buf(hp)
			dHN, dG, dY := r.buf(r.rand(B*H)), r.buf(r.rand(B*4*H)), r.buf(r.rand(B*ys))
			// ResetAfter forward.
			r.run(func(q *queue) { q.gruFwdAfter(elems(B*H), B, H, step, lens, dXP, dHH, dBH, dHP, dHN, dG, dY, ys) })
			hn, g, y := r.read(dHN, B*H), r.read(dG, B*4*H), r.read(dY, B*ys)
			for b := range B {
				for j := range H {
					want, out := hp[b*H+j], 0.0
					if step < int(lensHost[b]) {
						x, u := xp[b*3*H:], hh[b*3*H:]
						rr, z := sig(x[j]+u[j]+bh[j]), sig(x[H+j]+u[H+j]+bh[H+j])
						hnj := u[2*H+j] + bh[2*H+j]
						n := math.Tanh(x[2*H+j] + rr*hnj)
						want = z*hp[b*H+j] + (1-z)*n
						out = want
						r.near("after gates", []float64{g[b*4*H+j], g[b*4*H+H+j], g[b*4*H+2*H+j], g[b*4*H+3*H+j]}, []float64{rr, z, n, hnj})
					}
					r.near("after h'", []float64{hn[b*H+j], y[b*ys+j]}, []float64{want, out})
				}
			}

			// ResetBefore forward, both passes.
			r.run(func(q *queue) {
				q.gruFwdBefore1(elems(B*H), B, H, step, lens, dXP, dHH, dBH, dHP, dG)
				q.gruFwdBefore2(elems(B*H), B, H, step, lens, dXP, dHH, dBH, dHP, dHN, dG, dY, ys)
			})
			hn, g = r.read(dHN, B*H), r.read(dG, B*4*H)
			for b := range B {
				if step >= int(lensHost[b]) {
					continue
				}
				for j := range H {
					x, u := xp[b*3*H:], hh[b*3*H:]
					rr, z := sig(x[j]+u[j]+bh[j]), sig(x[H+j]+u[H+j]+bh[H+j])
					n := math.Tanh(x[2*H+j] + u[2*H+j] + bh[2*H+j])
					r.near("before", []float64{g[b*4*H+j], g[b*4*H+H+j], g[b*4*H+2*H+j], g[b*4*H+3*H+j], hn[b*H+j]},
						[]float64{rr, z, n, rr * hp[b*H+j], z*hp[b*H+j] + (1-z)*n})
				}
			}

			// ResetAfter backward from random saved gates.
			gates, dy, dh := r.rand(B*4*H), r.rand(B*ys), r.rand(B*H)
			dGates, dDY, dDH := r.buf(gates), r.buf(dy), r.buf(dh)
			dGX, dGH := r.buf(r.rand(B*3*H)), r.buf(r.rand(B*3*H))
			r.run(func(q *queue) { q.gruBwdAfter(elems(B*H), B, H, step, lens, dGates, dHP, dDY, ys, dGX, dGH, dDH) })
			gx, gh, dhOut := r.read(dGX, B*3*H), r.read(dGH, B*3*H), r.read(dDH, B*H)
			for b := range B {
				for j := range H {
					if step >= int(lensHost[b]) {
						r.near("bwd padding", []float64{gx[b*3*H+j], gh[b*3*H+2*H+j], dhOut[b*H+j]}, []float64{0, 0, dh[b*H+j]})
						continue
					}
					gg := gates[b*4*H:]
					rr, z, n, hnj := gg[j], gg[H+j], gg[2*H+j], gg[3*H+j]
					d := dh[b*H+j] + dy[b*ys+j]
					daz := d * (hp[b*H+j] - n) * z * (1 - z)
					dan := d * (1 - z) * (1 - n*n)
					dar := dan * hnj * rr * (1 - rr)
					r.near("bwd after", []float64{gx[b*3*H+j], gx[b*3*H+H+j], gx[b*3*H+2*H+j], gh[b*3*H+2*H+j], dhOut[b*H+j]},
						[]float64{dar, daz, dan, dan * rr, d * z})
				}
			}
		})
	}
}

func TestKernelReductions(t *testing.T) {
	r := newRig(t)
	for _, sz := range []struct{ rows, cols int }{{1, 1}, {9, 33}, {100, 300}} {
		src, dst := r.rand(sz.rows*sz.cols), r.rand(sz.cols)
		dSrc, dDst := r.buf(src), r.buf(dst)
		r.run(func(q *queue) { q.sumRows(colSums(sz.cols), sz.rows, sz.cols, dSrc, dDst, 0.5) })
		want := make([]float64, sz.cols)
		for c := range want {
			want[c] = 0.5 * dst[c]
			var s float64
			for i := range sz.rows {
				s += src[i*sz.cols+c]
			}
			want[c] += s
		}
		got := r.read(dDst, sz.cols)
		for c := range want {
			if math.Abs(got[c]-want[c]) > 1e-12*math.Max(1, math.Abs(want[c])) {
				t.Fatalf("sum_rows %v: [%d] = %v, want %v", sz, c, got[c], want[c])
			}
		}
	}
	for _, n := range []int{1, 255, 257, 100003} {
		v := r.rand(n)
		tn, _ := r.be.newTensor(n)
		r.be.Write(tn, v)
		normT, _ := r.be.newTensor(1)
		if err := r.be.ClipGradNorm([]gru.Tensor{tn}, 0, normT); err != nil {
			t.Fatal(err)
		}
		norm := r.read(normT.p, 1)[0]
		var ss float64
		for _, x := range v {
			ss += x * x
		}
		if math.Abs(norm-math.Sqrt(ss)) > 1e-10*math.Sqrt(ss) {
			t.Errorf("norm of %d values: %v, want %v", n, norm, math.Sqrt(ss))
		}
	}
}

func TestKernelSoftmaxAndRows(t *testing.T) {
	r := newRig(t)
	for _, V := range []int{1, 257, 600} {
		const rows = 3
		lv := r.rand(rows * V)
		targets := []int32{0, int32(V - 1), int32(V / 2)}
		logits, _ := r.be.newTensor(rows, V)
		r.be.Write(logits, lv)
		dl, _ := r.be.newTensor(rows, V)
		lossT, _ := r.be.newTensor(1)
		if err := r.be.SoftmaxCrossEntropy(logits, r.ids(V, targets), dl, lossT); err != nil {
			t.Fatal(err)
		}
		loss := r.read(lossT.p, 1)[0]
		var want float64
		grad := make([]float64, rows*V)
		for i := range rows {
			m := lv[i*V]
			for _, x := range lv[i*V : (i+1)*V] {
				m = math.Max(m, x)
			}
			var s float64
			for _, x := range lv[i*V : (i+1)*V] {
				s += math.Exp(x - m)
			}
			lse := m + math.Log(s)
			want += lse - lv[i*V+int(targets[i])]
			for v := range V {
				grad[i*V+v] = math.Exp(lv[i*V+v]-lse) / rows
			}
			grad[i*V+int(targets[i])] -= 1.0 / rows
		}
		r.near(fmt.Sprintf("softmax V=%d loss", V), []float64{loss}, []float64{want / rows})
		r.near(fmt.Sprintf("softmax V=%d grad", V), r.read(dl.p, rows*V), grad)
	}
	// Scatter-add with repeated ids and a width past one block; transpose of awkward sizes.
	const n, C = 5, 257
	table, src := r.rand(4*C), r.rand(n*C)
	ids := []int32{3, 0, 3, 3, 1}
	tt, _ := r.be.newTensor(4, C)
	st, _ := r.be.newTensor(n, C)
	r.be.Write(tt, table)
	r.be.Write(st, src)
	if err := r.be.ScatterAdd(tt, st, r.ids(4, ids)); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		for c := range C {
			table[int(id)*C+c] += src[i*C+c]
		}
	}
	r.near("scatter_add", r.read(tt.p, 4*C), table)
	a, b, w := 3, 5, 7
	v := r.rand(a * b * w)
	dv, out := r.buf(v), r.buf(make([]float64, a*b*w))
	r.run(func(q *queue) { q.transpose01(elems(a*b*w), a, b, w, dv, out) })
	got := r.read(out, a*b*w)
	for i := range a {
		for j := range b {
			r.near("transpose01", got[(j*a+i)*w:(j*a+i+1)*w], v[(i*b+j)*w:(i*b+j+1)*w])
		}
	}
}

func TestSimulatorRejectsBadLaunches(t *testing.T) {
	r := newRig(t)
	one := device.LaunchGeom{Grid: device.Dim3{X: 1, Y: 1, Z: 1}, Block: device.Dim3{X: 1, Y: 1, Z: 1}}
	for _, k := range []device.Kernel{-1, device.NumKernels} {
		if err := r.be.dev.Launch(k, one, nil); err == nil || !strings.Contains(err.Error(), "no such kernel") {
			t.Errorf("unknown kernel %d: %v, want no such kernel", int(k), err)
		}
	}
	if err := r.be.dev.Launch(device.KernelFillF64, device.LaunchGeom{Grid: device.Dim3{X: 1, Y: 1, Z: 1}, Block: device.Dim3{X: 2048, Y: 1, Z: 1}}, []uint64{0, 0, 0}); err == nil {
		t.Error("a block of 2048 threads: no error")
	}
	// fill takes (n, x, v): the simulator refuses two slots, or four, before it runs.
	for _, args := range [][]uint64{{0, 0}, {0, 0, 0, 0}} {
		err := r.be.dev.Launch(device.KernelFillF64, one, args)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d arguments for 3 parameters", len(args))) {
			t.Errorf("fill_f64 with %d arguments: %v, want a refusal", len(args), err)
		}
	}
	if err := r.be.dev.GEMM(true, false, false, 2, 2, 2, 1, 0, 1, 0, 2, 0, 0, 2); err == nil {
		t.Error("gemm with lda < m: no error")
	}
}

// A queue keeps its first error and skips the work after it, as bufio.Writer does.
func TestQueueStickyError(t *testing.T) {
	r := newRig(t)
	x := r.buf([]float64{1, 2, 3})
	q := r.be.queue()
	q.fill(device.LaunchGeom{Grid: device.Dim3{X: 1, Y: 1, Z: 1}, Block: device.Dim3{X: 2048, Y: 1, Z: 1}}, 3, x, 7) // a block the device refuses
	first := q.Err()
	if first == nil {
		t.Fatal("a block of 2048 threads: no error")
	}
	q.fill(elems(3), 3, x, 9)
	q.gemm(false, false, 1, 1, 1, 1, x, 1, x, 1, 0, x, 1)
	if q.Err() != first {
		t.Errorf("Err = %v after more work, want the first error %v", q.Err(), first)
	}
	r.near("x after the failed queue", r.read(x, 3), []float64{1, 2, 3})
}
