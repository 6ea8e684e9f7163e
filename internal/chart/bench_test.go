package chart

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/gogru/gogru/internal/benchfile"
)

// lookDir is where the tests also write their PNGs for a person to open:
// GOGRU_CHART_OUT=/tmp/charts go test ./internal/chart.
func keep(t *testing.T, name string, b []byte) {
	t.Helper()
	if dir := os.Getenv("GOGRU_CHART_OUT"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkPNG decodes b and checks its pixel size and that it is not blank.
func checkPNG(t *testing.T, b []byte, wantW int, maxBytes int) (w, h int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	r := img.Bounds()
	if r.Dx() != wantW || r.Dy() < 200 || r.Dy() > 2000 {
		t.Errorf("size %dx%d, want %d wide and 200 to 2000 high", r.Dx(), r.Dy(), wantW)
	}
	if len(b) > maxBytes {
		t.Errorf("%d bytes, want at most %d", len(b), maxBytes)
	}
	colours := map[uint32]bool{}
	for y := r.Min.Y; y < r.Max.Y; y += 7 {
		for x := r.Min.X; x < r.Max.X; x += 7 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			colours[cr>>8<<16|cg>>8<<8|cb>>8] = true
		}
	}
	if len(colours) < 5 {
		t.Errorf("only %d colours: a blank picture", len(colours))
	}
	return r.Dx(), r.Dy()
}

func committedRuns(t *testing.T, names ...string) []benchfile.Row {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join("..", "..", "docs", "bench", n))
	}
	rows, err := benchfile.ReadFiles(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestBenchChartCPUAndGPU(t *testing.T) {
	rows := committedRuns(t, "cpu-2026-11-26.json", "h200-run4.json")
	b, err := Bench(rows, BenchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "cpu-gpu.png", b)
	checkPNG(t, b, 960, 100_000)
}

func TestBenchChartAgainstPeers(t *testing.T) {
	rows := committedRuns(t, "h200-run3.json")
	b, err := Bench(rows, BenchOptions{Baseline: "peer", Variant: "all"})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "gpu-peer.png", b)
	checkPNG(t, b, 960, 100_000)
}

// row is a benchmark row for the tests below.
func row(device, prec string, peer bool, cell, op string, h int, tps float64) benchfile.Row {
	return benchfile.Row{Backend: "test", Device: device, Precision: prec, Peer: peer, B: 2, T: 3, D: 4, H: h,
		Shape: "s", Variant: cell, Op: op, TokensPerS: tps}
}

func TestBenchRatiosAndLabels(t *testing.T) {
	rows := []benchfile.Row{
		row("cpu", "float32", false, "reset-after", "forward", 8, 100),
		row("cpu", "float32", false, "reset-after", "forward", 8, 300), // a second run of the same bar: the median is taken
		row("cpu", "float32", false, "reset-before", "forward", 8, 50),
		row("cpu", "float32", true, "reset-after", "forward", 8, 400),
		row("cuda", "tf32", false, "reset-after", "forward", 8, 8000),
		row("cuda", "tf32", true, "reset-after", "forward", 8, 4000),
		row("cuda", "float32", false, "reset-after", "forward", 16, 1000), // a shape without CPU rows
		row("cuda", "float32", false, "reset-after", "train", 16, 500),
	}
	d, err := prepareBench(rows, BenchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, s := range d.series {
		labels = append(labels, s.label)
	}
	want := []string{"gogru CPU FP32", "gogru GPU FP32", "gogru GPU TF32", "PyTorch CPU FP32", "cuDNN TF32"}
	if !reflect.DeepEqual(labels, want) {
		t.Errorf("series %q, want %q", labels, want)
	}
	if d.cell != "reset-after" || d.baseline != "gogru CPU FP32" || !reflect.DeepEqual(d.ops, []string{"forward", "train"}) {
		t.Errorf("cell %q, baseline %q, ops %q; want reset-after, gogru CPU FP32, [forward train]", d.cell, d.baseline, d.ops)
	}
	check := func(d *benchData, series, shape, op int, want float64, ok bool) {
		t.Helper()
		got, gotOK := d.ratio(series, shape, op)
		if gotOK != ok || math.Abs(got-want) > 1e-12 {
			t.Errorf("ratio(%s, shape %d, op %d) = %v, %v; want %v, %v", d.series[series].label, shape, op, got, gotOK, want, ok)
		}
	}
	check(d, 2, 0, 0, 8000.0/200, true) // GPU TF32 over the CPU's median of 100 and 300
	check(d, 3, 0, 0, 400.0/200, true)
	check(d, 0, 0, 0, 1, true)
	check(d, 1, 1, 0, 0, false) // no CPU bar at the second shape: no ratio
	// Matched peers: gogru TF32 over cuDNN TF32, gogru CPU over PyTorch.
	d, err = prepareBench(rows, BenchOptions{Baseline: "PEER"})
	if err != nil {
		t.Fatal(err)
	}
	check(d, 2, 0, 0, 2, true)
	check(d, 0, 0, 0, 0.5, true)
	check(d, 1, 1, 0, 0, false) // no cuDNN FP32 row
	// A named baseline, any case.
	d, err = prepareBench(rows, BenchOptions{Baseline: "cudnn tf32"})
	if err != nil {
		t.Fatal(err)
	}
	check(d, 0, 0, 0, 0.05, true)
	// Both cells: the cell joins the label.
	d, err = prepareBench(rows, BenchOptions{Variant: "all", Ops: []string{"forward"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.series[0].label != "gogru CPU FP32 reset-before" || len(d.ops) != 1 {
		t.Errorf("first series %q and ops %q, want gogru CPU FP32 reset-before and [forward]", d.series[0].label, d.ops)
	}
}

func TestBenchMachinesTellSeriesApart(t *testing.T) {
	a, b := row("cpu", "float32", false, "reset-after", "forward", 8, 100), row("cpu", "float32", false, "reset-after", "forward", 8, 200)
	a.Machine, b.Machine = "AMD EPYC, 2 CPUs", "Intel Xeon, 16 CPUs"
	d, err := prepareBench([]benchfile.Row{a, b}, BenchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.series) != 2 || d.series[0].label != "gogru CPU FP32 (AMD EPYC, 2 CPUs)" || d.series[1].label != "gogru CPU FP32 (Intel Xeon, 16 CPUs)" {
		t.Errorf("series %+v, want one per machine, named", d.series)
	}
}

func TestBenchRefuses(t *testing.T) {
	rows := []benchfile.Row{row("cpu", "float32", false, "reset-after", "forward", 8, 100)}
	for _, c := range []struct {
		rows []benchfile.Row
		o    BenchOptions
		want string
	}{
		{nil, BenchOptions{}, "no benchmark rows"},
		{rows, BenchOptions{Baseline: "cuDNN FP32"}, `the series are "gogru CPU FP32"`},
		{rows, BenchOptions{Variant: "reset-before"}, "no rows of the cell"},
		{rows, BenchOptions{Ops: []string{"train"}}, "no rows of the op"},
	} {
		if _, err := Bench(c.rows, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one saying %q", c.o, err, c.want)
		}
	}
}

func TestBenchLogAxisWhereTheRangeNeedsIt(t *testing.T) {
	rows := []benchfile.Row{
		row("cpu", "float32", false, "reset-after", "forward", 8, 1e4),
		row("cuda", "float32", false, "reset-after", "forward", 8, 1e6), // 100×: log
		row("cpu", "float32", false, "reset-after", "train", 8, 1e4),
		row("cuda", "float32", false, "reset-after", "train", 8, 1.5e5), // 15×: linear
	}
	d, err := prepareBench(rows, BenchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for op, want := range []bool{true, false} {
		p := d.panel(op)
		if got := p.Y.Scale == (plot.LogScale{}); got != want {
			t.Errorf("%s: log axis %v, want %v", d.ops[op], got, want)
		}
		if p.Y.Max <= 1e6/10 || (want && p.Y.Min > 1e4) || (!want && p.Y.Min != 0) {
			t.Errorf("%s: axis %v to %v does not hold the bars from their foot", d.ops[op], p.Y.Min, p.Y.Max)
		}
	}
	if got := []string{ratioText(0.434), ratioText(0.00213), ratioText(0.6), ratioText(0.999), ratioText(1.04), ratioText(9.96), ratioText(153.4)}; !reflect.DeepEqual(got, []string{"0.43×", "0.0021×", "0.60×", "1.00×", "1.04×", "10×", "153×"}) {
		t.Errorf("ratio texts %q", got)
	}
}

// A full gpu-check: three precisions, two recurrent kernels, the peers, the CPU,
// six shapes. The ratios stand upright when they are wider than their bars.
func TestBenchChartCrowded(t *testing.T) {
	var rows []benchfile.Row
	shapes := [][4]int{{32, 35, 28, 256}, {64, 100, 256, 256}, {64, 100, 512, 512}, {128, 50, 1024, 1024}, {256, 100, 1024, 1024}, {32, 1500, 1024, 1024}}
	for _, s := range shapes {
		for _, op := range []string{"forward", "train"} {
			tps := 2e4 / float64(s[3]/256)
			add := func(device, prec, kernel string, peer bool) {
				tps *= 1.37
				if device == "cuda" && tps < 1e6 {
					tps *= 30
				}
				rows = append(rows, benchfile.Row{Machine: "NVIDIA H200", Backend: "b", Device: device, Precision: prec, Kernel: kernel, Peer: peer,
					B: s[0], T: s[1], D: s[2], H: s[3], Variant: "reset-after", Op: op, TokensPerS: tps})
			}
			add("cpu", "float32", "", false)
			add("cpu", "float32", "", true)
			for _, prec := range []string{"float32", "tf32", "bf16"} {
				add("cuda", prec, "gemm", false)
				add("cuda", prec, "persistent", false)
				add("cuda", prec, "", true)
			}
		}
	}
	d, err := prepareBench(rows, BenchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.series) != 11 || d.panel(0).Y.Scale != (plot.LogScale{}) {
		t.Errorf("%d series, log axis %v; want 11 and a log axis", len(d.series), d.panel(0).Y.Scale == (plot.LogScale{}))
	}
	if upright, _ := d.ratioLayout(0); !upright {
		t.Error("ratios lying down over bars narrower than they are")
	}
	b, err := Bench(rows, BenchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "crowded.png", b)
	checkPNG(t, b, 960, 100_000)
}

func TestLogTicks(t *testing.T) {
	labels := func(min, max float64) (out []string) {
		for _, tk := range (logTicks{}).Ticks(min, max) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	for _, c := range []struct {
		min, max float64
		want     []string
	}{
		{1e3, 2e7, []string{"1k", "10k", "100k", "1M", "10M"}},
		{0.8, 30, []string{"1", "2", "5", "10", "20"}},
		{1e-5, 1e9, []string{"0.0001", "0.01", "1", "100", "10k", "1M", "100M"}}, // 14 decades: every second
	} {
		if got := labels(c.min, c.max); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%g to %g: labels %q, want %q", c.min, c.max, got, c.want)
		}
	}
}
