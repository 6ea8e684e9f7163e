package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/kernels"
)

// buildTags lists the optional build tags this binary was built with; files with
// those tags append to it.
var buildTags []string

func runInfo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("info", "Reports the build tags, the BLAS in use, the GPUs and the embedded kernels.", "gru info", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	tags := "none"
	if len(buildTags) > 0 {
		tags = strings.Join(buildTags, ",")
	}
	fmt.Fprintf(stdout, "gogru on %s/%s, %s, %d CPUs\n", runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU())
	fmt.Fprintf(stdout, "build tags: %s\n", tags)
	fmt.Fprintf(stdout, "BLAS: %s; %s\n", cpu.BLAS(), cpu.BLASReason())
	devs, err := cuda.Devices()
	switch {
	case err != nil:
		fmt.Fprintf(stdout, "GPUs: none (%v)\n", err)
	case len(devs) == 0:
		fmt.Fprintln(stdout, "GPUs: none found by the driver")
	default:
		for _, d := range devs {
			fmt.Fprintf(stdout, "GPU %d: %s, compute capability %d.%d, %.1f GiB, driver %d.%d\n",
				d.Index, d.Name, d.Major, d.Minor, float64(d.MemoryBytes)/(1<<30), d.Driver/1000, d.Driver%1000/10)
		}
	}
	archs := kernels.Architectures()
	if len(archs) == 0 {
		fmt.Fprintln(stdout, "kernels: none embedded")
	} else {
		fmt.Fprintf(stdout, "kernels: %s\n", strings.Join(archs, " "))
	}
	fmt.Fprintf(stdout, "recurrent kernels (GPU, --kernel): %v (default), %v (opt-in: all steps in one cooperative kernel, W_h in shared memory)\n",
		cuda.KernelGEMM, cuda.KernelPersistent)
	return nil
}
