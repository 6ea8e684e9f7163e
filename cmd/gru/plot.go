package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/internal/atomicfile"
	"github.com/gogru/gogru/internal/benchfile"
	"github.com/gogru/gogru/internal/chart"
)

// plotCurve draws the training curves of history to a PNG at path, written
// atomically; notes go under the title (the model, the run).
func plotCurve(path string, history []epochRecord, notes ...string) error {
	png, err := chart.Curves(toEpochs(history), chart.CurveOptions{Notes: notes})
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, png)
}

// toEpochs is history as the chart takes it.
func toEpochs(history []epochRecord) []chart.Epoch {
	epochs := make([]chart.Epoch, len(history))
	for i, r := range history {
		epochs[i] = chart.Epoch{Epoch: r.Epoch, Loss: r.Loss, Perplexity: r.Perplexity, ValidLoss: r.ValidLoss, ValidPerplexity: r.ValidPerplexity}
	}
	return epochs
}

// plotBench draws the benchmark chart of rows to a PNG at path, written atomically.
func plotBench(path string, rows []benchfile.Row, o chart.BenchOptions) error {
	png, err := chart.Bench(rows, o)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, png)
}

// runPlot draws a chart from files: "bench" from `gru bench --json` files, "curve"
// from a checkpoint directory's history.
func runPlot(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plot bench|curve", "Draws a chart as PNG.\n\n"+
		"  gru plot bench FILE.json...  the benchmark chart of `gru bench --json` runs and their peers\n"+
		"                               (scripts/peer_torch.py --json), merged: one panel per op, bars\n"+
		"                               grouped by shape, one colour per backend and precision, the ratio\n"+
		"                               to --baseline over each bar\n"+
		"  gru plot curve DIR           the training curves of the checkpoint in DIR (perplexity and loss\n"+
		"                               per epoch, validation beside training when the run had it)\n\n"+
		"Flags may come before or after the files. See docs/plots.md.",
		"gru plot bench cpu.json gpu.json peers.json -o chart.png --baseline \"gogru CPU FP32\"", stderr)
	out := fs.String("o", "", "the PNG to write (required)")
	baseline := fs.String("baseline", "", "bench: the series each ratio is over, as the legend names it (\"gogru CPU FP32\", \"cuDNN TF32\"), or \"peer\" for the peer at the bar's own device and precision; default gogru CPU FP32 when present, else the first series")
	variant := fs.String("variant", "", "bench: reset-after, reset-before or all; default reset-after when present (the cell the peers run)")
	ops := fs.String("ops", "", "bench: comma-separated panels (forward, train, forward-graph, train-graph); default forward,train")
	title := fs.String("title", "", "the chart's title")
	var notes []string
	fs.Func("note", "a line under the title, such as where the figures come from (repeatable)", func(s string) error {
		notes = append(notes, s)
		return nil
	})
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("want bench or curve, then the files")
	}
	if *out == "" {
		return usagef("-o PATH.png is required")
	}
	switch what, files := pos[0], pos[1:]; what {
	case "bench":
		if len(files) == 0 {
			return usagef("plot bench: want one or more `gru bench --json` files")
		}
		rows, err := benchfile.ReadFiles(files...)
		if err != nil {
			return err
		}
		o := chart.BenchOptions{Baseline: *baseline, Variant: *variant, Title: *title, Notes: notes}
		if *ops != "" {
			o.Ops = strings.Split(*ops, ",")
		}
		if err := plotBench(*out, rows, o); err != nil {
			return err
		}
	case "curve":
		if len(files) != 1 {
			return usagef("plot curve: want one checkpoint directory")
		}
		ck, err := checkpoint.Load(checkpointPath(files[0]))
		if err != nil {
			return err
		}
		var history []epochRecord
		if err := json.Unmarshal([]byte(ck.Meta["history"]), &history); err != nil {
			return fmt.Errorf("%s: bad history: %v", ck.Path, err)
		}
		png, err := chart.Curves(toEpochs(history), chart.CurveOptions{Title: *title, Notes: append([]string{describeModel(ck.Model)}, notes...)})
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(*out, png); err != nil {
			return err
		}
	default:
		return usagef("plot %q: want bench or curve", what)
	}
	fmt.Fprintf(stdout, "chart: %s\n", *out)
	return nil
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments, and returns the positional ones in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
