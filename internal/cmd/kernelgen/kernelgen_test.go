package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The repository's kernels: what kernelgen reads from them, and that the
// committed generated files are what it writes.
func TestRepositoryKernels(t *testing.T) {
	kdir, cdir := filepath.Join("..", "..", "..", "kernels"), filepath.Join("..", "..", "..", "cuda")
	u, err := parseUnit(kdir, root, wrappers)
	if err != nil {
		t.Fatal(err)
	}
	// The kernels that synchronise are those the simulator's hand-kept flags named,
	// and the cooperative ones.
	wantCoop := map[string]bool{"grid_sync_check": true, "gru_persist_fwd_after": true, "gru_persist_fwd_before": true,
		"gru_persist_bwd_after": true, "gru_persist_bwd_before": true}
	wantSyncs := map[string]bool{"sum_rows": true, "sum_squares": true, "sum_final": true, "mean_final": true, "softmax_xent": true}
	for name := range wantCoop {
		wantSyncs[name] = true
	}
	arity := map[string]int{}
	for _, k := range u.kernels {
		if k.syncs != wantSyncs[k.name] {
			t.Errorf("%s: syncs = %v", k.name, k.syncs)
		}
		if k.cooperative != wantCoop[k.name] {
			t.Errorf("%s: cooperative = %v", k.name, k.cooperative)
		}
		arity[k.name] = len(k.params)
		if len(k.doc) == 0 {
			t.Errorf("%s has no formula comment", k.name)
		}
	}
	if len(u.kernels) != 27 || len(instances(u.kernels)) != 52 {
		t.Errorf("%d kernels, %d entry points; want 27 and 52", len(u.kernels), len(instances(u.kernels)))
	}
	for name, n := range map[string]int{"gru_fwd_after": 12, "gru_bwd_before2": 10, "sum_final": 3, "adamw": 11, "dropout": 9,
		"gru_persist_fwd_after": 15, "gru_persist_bwd_before": 16} {
		if arity[name] != n {
			t.Errorf("%s has %d parameters, want %d", name, arity[name], n)
		}
	}
	if len(u.consts) == 0 || u.consts[0].name != "GOGRU_THREADS" {
		t.Errorf("constants %v, want GOGRU_THREADS first", u.consts)
	}

	files, err := generate(kdir, cdir)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		if have, err := os.ReadFile(path); err != nil || !bytes.Equal(have, want) {
			t.Errorf("%s is stale (%v): run make generate", path, err)
		}
	}
}

// writeUnit writes all.cu and the other files to a temporary directory and
// parses them.
func writeUnit(t *testing.T, files map[string]string) (*unit, error) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return parseUnit(dir, root, wrappers)
}

func TestSyncDetection(t *testing.T) {
	u, err := writeUnit(t, map[string]string{
		root: `#include "common.cuh"
#include "k.cu"
#include "kernels_gen.cuh"
`,
		"common.cuh": `#pragma once
#define GOGRU_THREADS 128  // threads per block
template <typename T>
__device__ T barrier_sum(T v) { __syncthreads(); return v; }
__device__ int outer(int v) { return barrier_sum<int>(v); }
`,
		"k.cu": `#include "common.cuh"
// Calls a function that calls one that synchronises.
//gogru:kernel
template <typename T>
__device__ void deep_impl(int n, T* x) { x[0] = outer(n); }

// Uses shared memory.
//gogru:kernel
extern "C" __global__ void shared(int n, double* x) { __shared__ double b[4]; b[0] = x[0]; }

// Mentions __syncthreads only in a comment and a string.
//gogru:kernel
template <typename T>
__device__ void plain_impl(const T* x, T* y, T v) {
  // __syncthreads();
  const char* s = "__syncthreads() {";
  y[0] = x[0] * v + (s != 0);
}
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, k := range u.kernels {
		got[k.name] = k.syncs
	}
	want := map[string]bool{"deep": true, "shared": true, "plain": false}
	for name, s := range want {
		if got[name] != s {
			t.Errorf("%s: syncs = %v, want %v", name, got[name], s)
		}
	}
	if len(u.consts) != 1 || u.consts[0] != (constant{"GOGRU_THREADS", "128", "threads per block"}) {
		t.Errorf("constants %+v", u.consts)
	}
	cuh := string(emitWrappers(u))
	for _, want := range []string{
		`extern "C" __global__ void plain_f32(const float* x, float* y, float v) {` + "\n  plain_impl<float>(x, y, v);",
		`extern "C" __global__ void plain_f64(const double* x, double* y, double v) {`,
	} {
		if !strings.Contains(cuh, want) {
			t.Errorf("kernels_gen.cuh lacks %q:\n%s", want, cuh)
		}
	}
	if strings.Contains(cuh, "void shared") {
		t.Error("kernels_gen.cuh defines the plain kernel again")
	}
	reg := string(emitRegistry(u))
	for _, want := range []string{"KERNEL(deep_f32, 2, 1, 0),", "KERNEL(shared, 2, 1, 0),", "KERNEL(plain_f64, 3, 0, 0),"} {
		if !strings.Contains(reg, want) {
			t.Errorf("registry lacks %q:\n%s", want, reg)
		}
	}
	goSrc, err := emitGo(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"threads = 128 // GOGRU_THREADS: threads per block",
		"func (q *queue) plain(lg device.LaunchGeom, x, y device.Ptr, v float64) {",
		"q.launch(q.typed(device.KernelPlainF32, device.KernelPlainF64), lg, argPtr(x), argPtr(y), q.be.argT(v))",
		"func (q *queue) shared(lg device.LaunchGeom, n int, x device.Ptr) {",
	} {
		if !strings.Contains(string(goSrc), want) {
			t.Errorf("kernels_gen.go lacks %q:\n%s", want, goSrc)
		}
	}
}

// A kernel marked cooperative is flagged in KernelSigs and the registry; one that
// reaches grid_sync without the mark, or a static __shared__ variable with it, is
// refused, while dynamic shared memory (extern __shared__) is allowed.
func TestCooperative(t *testing.T) {
	common := `#pragma once
__device__ void grid_sync(unsigned* bar) { __syncthreads(); }
template <typename T>
__device__ T* dynamic_shared() { extern __shared__ unsigned char raw[]; return (T*)raw; }
__device__ void wait_all(unsigned* bar) { grid_sync(bar); }
`
	u, err := writeUnit(t, map[string]string{
		root:         "#include \"common.cuh\"\n#include \"k.cu\"\n",
		"common.cuh": common,
		"k.cu": `#include "common.cuh"
// Waits for the grid through a helper and keeps data in dynamic shared memory.
//gogru:kernel cooperative
template <typename T>
__device__ void sweep_impl(int n, T* x, unsigned* bar) { T* s = dynamic_shared<T>(); s[0] = x[0]; wait_all(bar); }

// An ordinary kernel.
//gogru:kernel
extern "C" __global__ void plain(int n) {}
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	coop := map[string]bool{}
	for _, k := range u.kernels {
		coop[k.name] = k.cooperative
	}
	if !coop["sweep"] || coop["plain"] {
		t.Errorf("cooperative marks %v, want sweep only", coop)
	}
	reg := string(emitRegistry(u))
	for _, want := range []string{"KERNEL(sweep_f32, 3, 1, 1),", "KERNEL(plain, 1, 0, 0),"} {
		if !strings.Contains(reg, want) {
			t.Errorf("registry lacks %q:\n%s", want, reg)
		}
	}
	goSrc, err := emitGo(u)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(goSrc), "It is cooperative") {
		t.Errorf("kernels_gen.go does not say the launch is cooperative:\n%s", goSrc)
	}
	ids, err := emitKernelIDs(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`KernelSweepF64: {"sweep_f64", 3, true},`, `KernelPlain:    {"plain", 1, false},`} {
		if !strings.Contains(string(ids), want) {
			t.Errorf("the device room's kernels_gen.go lacks %q:\n%s", want, ids)
		}
	}

	for _, c := range []struct{ name, src, want string }{
		{"grid_sync unmarked", "// Doc.\n//gogru:kernel\nextern \"C\" __global__ void k(unsigned* bar) { wait_all(bar); }\n", "mark it //gogru:kernel cooperative"},
		{"static shared", "// Doc.\n//gogru:kernel cooperative\nextern \"C\" __global__ void k(unsigned* bar) { __shared__ int s[4]; s[0] = 1; grid_sync(bar); }\n", "static __shared__"},
		{"unknown word", "// Doc.\n//gogru:kernel persistent\nextern \"C\" __global__ void k(int n) {}\n", "has no //gogru:kernel line"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := writeUnit(t, map[string]string{root: "#include \"common.cuh\"\n#include \"k.cu\"\n", "common.cuh": common, "k.cu": c.src})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// The kernels come in the order nvcc reads them, each file once.
func TestIncludeOrder(t *testing.T) {
	k := func(name string) string {
		return "// " + name + ".\n//gogru:kernel\nextern \"C\" __global__ void " + name + "(int n) {}\n"
	}
	u, err := writeUnit(t, map[string]string{
		root:    "#include \"b.cu\"\n#include \"a.cu\"\n",
		"a.cu":  k("a1") + "#include \"b.cu\"\n" + k("a2"),
		"b.cu":  k("b1") + "#include \"c.cuh\"\n" + k("b2"),
		"c.cuh": "#pragma once\n" + k("c1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range u.kernels {
		names = append(names, k.name)
	}
	if got := strings.Join(names, " "); got != "b1 c1 b2 a1 a2" {
		t.Errorf("order %q, want b1 c1 b2 a1 a2", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"undirected global", "// Doc.\nextern \"C\" __global__ void k(int n) {}\n", "has no //gogru:kernel line"},
		{"directive on a helper", "// Doc.\n//gogru:kernel\n__device__ int f(int n) { return n; }\n", "must precede"},
		{"directive before a gap", "// Doc.\n//gogru:kernel\n\nextern \"C\" __global__ void k(int n) {}\n", "has no //gogru:kernel line"},
		{"directive on nothing", "// Doc.\n//gogru:kernel\nint x;\n", "is not followed by a kernel"},
		{"unsupported type", "// Doc.\n//gogru:kernel\nextern \"C\" __global__ void k(long n) {}\n", `type "long"`},
		{"T in a plain kernel", "// Doc.\n//gogru:kernel\nextern \"C\" __global__ void k(T v) {}\n", `type "T"`},
		{"template without _impl", "// Doc.\n//gogru:kernel\ntemplate <typename T>\n__device__ void k(T v) {}\n", "must end in _impl"},
		{"no formula", "//gogru:kernel\nextern \"C\" __global__ void k(int n) {}\n", "has no comment"},
		{"twice", "// A.\n//gogru:kernel\nextern \"C\" __global__ void k(int n) {}\n// B.\n//gogru:kernel\nextern \"C\" __global__ void k(int m) {}\n", "declared again"},
		{"unbalanced", "// Doc.\n//gogru:kernel\nextern \"C\" __global__ void k(int n) {\n", "unbalanced"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := writeUnit(t, map[string]string{root: "#include \"k.cu\"\n", "k.cu": c.src})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// A parameter named like an identifier of the Go launch method.
	u, err := writeUnit(t, map[string]string{root: "// Doc.\n//gogru:kernel\nextern \"C\" __global__ void k(int q) {}\n"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emitGo(u); err == nil || !strings.Contains(err.Error(), "rename parameter q") {
		t.Errorf("parameter q: %v", err)
	}
}
