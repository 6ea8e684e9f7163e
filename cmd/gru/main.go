// Command gru trains, samples and benchmarks GRU language models on the CPU and,
// in a build with -tags cuda, on NVIDIA GPUs.
//
//	gru train     train a character language model (D2L's recipe by default)
//	gru generate  continue a prefix with a trained checkpoint
//	gru bench     time forward passes and training steps on every backend present
//	gru plot      draw the benchmark chart or a checkpoint's training curves
//	gru info      report the build, the BLAS, the GPUs and the embedded kernels
//	gru export    write a checkpoint's model as a PyTorch state_dict or an ONNX model
//
// Run "gru help" or "gru CMD -h" for usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"train", "train a character language model (D2L's GRU recipe by default)", runTrain},
		{"generate", "continue a prefix with a trained checkpoint", runGenerate},
		{"bench", "time forward passes and training steps on every backend present", runBench},
		{"plot", "draw the benchmark chart from bench --json files, or a checkpoint's training curves", runPlot},
		{"info", "report the build tags, the BLAS, the GPUs and the embedded kernels", runInfo},
		{"export", "write a checkpoint's model as a PyTorch state_dict or an ONNX model", runExport},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit status: 0 on success, 2 on a
// usage error, 1 on any other failure.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return run([]string{args[1], "-h"}, stdout, stderr)
		}
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		chooseBLAS()
		err := c.run(args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errQuiet): // rank 0 of the job has printed it
			return 1
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "gru %s: %v\nRun 'gru %s -h' for usage.\n", c.name, err, c.name)
			return 2
		default:
			fmt.Fprintf(stderr, "gru %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "gru: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gru trains and runs GRU language models on the CPU and on NVIDIA GPUs.")
	fmt.Fprintln(w, "\nUsage:\n  gru <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'gru <command> -h' for a command's flags and an example.")
}

// usageError is a bad flag or argument; it exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// newFlagSet makes a flag set whose -h output lists defaults and an example.
func newFlagSet(name, summary, example string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: gru %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
		fmt.Fprintf(out, "\nExample:\n  %s\n", example)
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
