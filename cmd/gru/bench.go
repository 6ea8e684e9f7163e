package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/grubench"
	"github.com/gogru/gogru/internal/benchfile"
	"github.com/gogru/gogru/internal/chart"
	"github.com/gogru/gogru/internal/record"
)

// benchRow is one measured (backend, recurrent kernel, shape, variant, op): the
// rows of --json, which `gru plot bench` draws.
type benchRow = benchfile.Row

// measureOp times f as grubench.Measure does; an op ending in "-graph" times the
// replay of f recorded once (f has run eagerly before, in the op without the
// suffix, so every buffer is sized).
func measureOp(be gru.Backend, rec record.Recorder, op string, f func() error, warmup, runs int) (grubench.Timing, error) {
	if !strings.HasSuffix(op, "-graph") {
		return grubench.Measure(be, f, warmup, runs)
	}
	r, err := rec.Record(f)
	if err != nil {
		return grubench.Timing{}, err
	}
	defer r.Close()
	return grubench.Measure(be, r.Replay, warmup, runs)
}

// parseShapes reads "BxTxDxH,BxTxDxH".
func parseShapes(s string) ([]grubench.Shape, error) {
	var out []grubench.Shape
	for _, part := range strings.Split(s, ",") {
		f := strings.Split(strings.TrimSpace(part), "x")
		if len(f) != 4 {
			return nil, usagef("--shapes: %q is not BxTxDxH", part)
		}
		var v [4]int
		for i, x := range f {
			n, err := strconv.Atoi(x)
			if err != nil || n < 1 {
				return nil, usagef("--shapes: %q: %q is not a positive integer", part, x)
			}
			v[i] = n
		}
		out = append(out, grubench.Shape{B: v[0], T: v[1], D: v[2], H: v[3]})
	}
	return out, nil
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "Times forward passes and training steps (forward, backward through time, SGD) of\n"+
		"a one-layer GRU on every backend present: warm-up, then the median of --runs, with\n"+
		"the device synchronised before each stop of the clock. On a GPU the ops ending in\n"+
		"-graph replay the step recorded once as a CUDA graph.",
		"gru bench --shapes 32x35x28x256,64x100x512x512 --runs 5 --json", stderr)
	shapes := fs.String("shapes", "32x35x28x256,64x100x256x256,64x100x512x512", "comma-separated BxTxDxH shapes (a GPU adds 256x100x1024x1024 unless set)")
	runs := fs.Int("runs", 5, "timed runs per row (the median is reported)")
	warmup := fs.Int("warmup", 2, "untimed runs first")
	variant := fs.String("variant", "both", "reset-before, reset-after or both")
	device := fs.String("device", "all", "all (every backend present), cpu, cuda or sim (the CUDA simulator)")
	dtype := fs.String("dtype", "float32", dtypeHelp+"; the CPU rows are float32")
	kernelList := fs.String("kernel", "gemm", "how the GPU runs the recurrence, a comma-separated list to time side by side: "+kernelChoices)
	asJSON := fs.Bool("json", false, "print JSON rows instead of a table")
	graphs := fs.Bool("graphs", true, "on a GPU, also time forward-graph and train-graph: the step recorded once as a CUDA graph and replayed")
	plotPath := fs.String("plot", "", "also draw this run's chart to a PNG: tokens/s by shape, a bar per backend, precision and cell, the ratio to the CPU's over each (to merge runs and peers: --json, then gru plot bench)")
	if err := parse(fs, args); err != nil {
		return err
	}
	prec, err := parsePrecision(*dtype)
	if err != nil {
		return err
	}
	shapeSet := false
	fs.Visit(func(f *flag.Flag) { shapeSet = shapeSet || f.Name == "shapes" })
	grid, err := parseShapes(*shapes)
	if err != nil {
		return err
	}
	if *runs < 1 || *runs > grubench.MaxRuns || *warmup < 0 {
		return usagef("--runs must be from 1 to %d and --warmup at least 0", grubench.MaxRuns)
	}
	var gpuKernels []cuda.RecurrentKernel
	for _, name := range strings.Split(*kernelList, ",") {
		k, err := parseKernel(strings.TrimSpace(name))
		if err != nil {
			return err
		}
		if k != cuda.KernelGEMM && *device == "cpu" {
			return usagef("--kernel %v needs a GPU (--device cuda, sim or all); the CPU has one recurrent path", k)
		}
		gpuKernels = append(gpuKernels, k)
	}
	var variants []gru.Variant
	switch *variant {
	case "both":
		variants = []gru.Variant{gru.ResetBefore, gru.ResetAfter}
	default:
		v, err := gru.ParseVariant(*variant)
		if err != nil {
			return usageError{err}
		}
		variants = []gru.Variant{v}
	}

	type backend struct {
		name string
		be   gru.Backend
		gpu  *cuda.Backend // the same backend when it is the GPU's, else nil
	}
	var backends []backend
	if *device == "all" || *device == "cpu" {
		be, err := cpu.New(prec.dtype)
		if err != nil {
			return err
		}
		backends = append(backends, backend{"cpu", be, nil})
	}
	if *device == "all" || *device == "cuda" || *device == "sim" {
		be, err := openGPU(prec, *device == "sim", 0, gpuKernels[0])
		switch {
		case err == nil:
			backends = append(backends, backend{"cuda", be, be})
			if !shapeSet {
				grid = append(grid, grubench.Shape{B: 256, T: 100, D: 1024, H: 1024})
			}
		case *device != "all":
			return err
		default:
			fmt.Fprintf(stderr, "bench: no GPU backend (%v)\n", err)
		}
	}
	if len(backends) == 0 {
		return usagef("--device %q: want all, cpu, cuda or sim", *device)
	}
	defer func() {
		for _, b := range backends {
			b.be.Close()
		}
	}()

	// Every shape is checked against every backend's memory before anything is
	// timed, as train checks a run, so a shape that cannot fit is refused at once.
	skip := func(b backend, s grubench.Shape) bool {
		return b.gpu == nil && s.H >= 1024 && !shapeSet // the GPU-only shape would take minutes on a CPU
	}
	for _, b := range backends {
		for _, s := range grid {
			if skip(b, s) {
				continue
			}
			if err := checkBenchFits(b.be, s); err != nil {
				return err
			}
		}
	}
	var rows []benchRow
	cpuTime := map[string]float64{}
	host := benchfile.HostCPU()
	for _, b := range backends {
		for _, s := range grid {
			if skip(b, s) {
				continue
			}
			for _, v := range variants {
				kernels := []cuda.RecurrentKernel{cuda.KernelGEMM} // the CPU's one path, unnamed in its rows
				if b.gpu != nil {
					kernels = gpuKernels
				}
				for _, k := range kernels {
					kernel := ""
					var before cuda.RecurrentRuns
					if b.gpu != nil {
						if err := b.gpu.SetRecurrentKernel(k); err != nil {
							return err
						}
						kernel, before = k.String(), b.gpu.RecurrentRuns()
					}
					more, err := benchCase(b.be, s, v, *warmup, *runs, *graphs)
					if err != nil {
						return err
					}
					if b.gpu != nil && k == cuda.KernelPersistent && b.gpu.RecurrentRuns().Persistent == before.Persistent {
						kernel = "persistent→gemm" // it fell back (no fit, tf32/bf16, a driver failure): say so in the rows
					}
					for _, r := range more {
						r.Kernel = kernel
						r.Machine, r.Device, r.Precision = host, "cpu", prec.dtype.String()
						if b.gpu != nil {
							r.Device, r.Precision, r.Machine = "cuda", prec.name, benchfile.GPUName(r.Backend)
							if *device == "sim" {
								r.Device = "sim"
							}
						}
						key := s.String() + v.String() + r.Op
						if b.gpu == nil {
							cpuTime[key] = r.MsPerStep
						} else if ct, ok := cpuTime[key]; ok {
							r.Speedup = ct / r.MsPerStep
						}
						rows = append(rows, r)
					}
				}
			}
		}
	}
	if *asJSON {
		if err := benchfile.Write(stdout, rows); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "backend\tkernel\tshape\tvariant\top\tms/step\ttokens/s\tGFLOP/s\tGPU/CPU\t")
		for _, r := range rows {
			sp, kernel := "-", "-"
			if r.Speedup > 0 {
				sp = fmt.Sprintf("%.1fx", r.Speedup)
			}
			if r.Kernel != "" {
				kernel = r.Kernel
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\t%.0f\t%.1f\t%s\t\n", r.Backend, kernel, r.Shape, r.Variant, r.Op, r.MsPerStep, r.TokensPerS, r.GFlops, sp)
		}
		tw.Flush()
	}
	if *plotPath != "" {
		if err := plotBench(*plotPath, rows, chart.BenchOptions{Variant: "all"}); err != nil {
			return err
		}
	}
	return nil
}

// benchCase times a forward pass and a training step of one shape and variant on
// be: warmup untimed runs, then the median, fastest and slowest of runs. With
// graphs, on a backend that records, it also times both recorded once and
// replayed (the ops forward-graph and train-graph).
func benchCase(be gru.Backend, s grubench.Shape, v gru.Variant, warmup, runs int, graphs bool) ([]benchRow, error) {
	c, err := grubench.NewCase(be, s, v)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ops := []string{"forward", "train"}
	rec, recording := record.For(be)
	if recording && graphs {
		ops = append(ops, "forward-graph", "train-graph")
	}
	var rows []benchRow
	for _, op := range ops {
		f, flops := c.Forward, c.ForwardFlops
		if strings.HasPrefix(op, "train") {
			f, flops = c.TrainStep, c.TrainStepFlops
		}
		tm, err := measureOp(be, rec, op, f, warmup, runs)
		if err != nil {
			return nil, err
		}
		sec := tm.Median.Seconds()
		rows = append(rows, benchRow{Backend: be.Name(), Shape: s.String(), B: s.B, T: s.T, D: s.D, H: s.H, Variant: v.String(), Op: op,
			MsPerStep: sec * 1e3, MinMs: tm.Min.Seconds() * 1e3, MaxMs: tm.Max.Seconds() * 1e3, TokensPerS: float64(s.B*s.T) / sec, GFlops: flops / sec / 1e9})
	}
	return rows, nil
}
