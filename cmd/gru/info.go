package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/kernels"
)

// buildTags lists the optional build tags this binary was built with; files with
// those tags append to it.
var buildTags []string

func runInfo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("info", "Reports the build tags, the BLAS in use, the GPUs, the precisions, the embedded\n"+
		"kernels and the default corpus; with --checkpoint, also the run a checkpoint holds.", "gru info --checkpoint runs/tm", stderr)
	ckDir := fs.String("checkpoint", "", "also describe the checkpoint in this directory: epoch, model, corpus")
	if err := parse(fs, args); err != nil {
		return err
	}
	tags := "none"
	if len(buildTags) > 0 {
		tags = strings.Join(buildTags, ",")
	}
	fmt.Fprintf(stdout, "gogru on %s/%s, %s, %d CPUs\n", runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU())
	fmt.Fprintf(stdout, "build tags: %s\n", tags)
	fmt.Fprintln(stdout, blasLine())
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
	fmt.Fprintln(stdout, "dtypes: float32, float64; on a GPU also tf32 and bf16 (float32 tensors, GEMM operands in TF32 or bfloat16 on tensor cores)")
	archs := kernels.Architectures()
	if len(archs) == 0 {
		fmt.Fprintln(stdout, "kernels: none embedded")
	} else {
		fmt.Fprintf(stdout, "kernels: %s\n", strings.Join(archs, " "))
	}
	fmt.Fprintf(stdout, "recurrent kernels (GPU, --kernel): %v (default), %v (opt-in: all steps in one cooperative kernel, W_h in shared memory)\n",
		cuda.KernelGEMM, cuda.KernelPersistent)
	fmt.Fprintf(stdout, "default corpus: %s\n", defaultCorpusStatus())
	fmt.Fprintf(stdout, "data-parallel (gru train under mpirun or srun): %s\n", distributedStatus())
	if *ckDir != "" {
		return describeCheckpoint(stdout, *ckDir)
	}
	return nil
}

// defaultCorpusStatus says whether train's default corpus is in the cache.
func defaultCorpusStatus() string {
	dir, err := corpus.CacheDir()
	if err != nil {
		return fmt.Sprintf("The Time Machine, but %v", err)
	}
	if path, ok := corpus.TimeMachine.Cached(dir); ok {
		return "The Time Machine is cached at " + path
	}
	return fmt.Sprintf("The Time Machine, not cached yet: train fetches it from %s on first use (or caches a copy given with --data PATH)", corpus.TimeMachine.URL)
}

// describeCheckpoint prints the run a checkpoint directory holds.
func describeCheckpoint(stdout io.Writer, dir string) error {
	ck, err := checkpoint.Load(checkpointPath(dir))
	if err != nil {
		return err
	}
	o, err := storedOptions(ck)
	if err != nil {
		return err
	}
	src := o.Corpus
	if src == "" { // written before checkpoints named their corpus
		src = fmt.Sprintf("--data %q", o.Data)
	}
	fmt.Fprintf(stdout, "checkpoint %s: epoch %s, %s\n", ck.Path, ck.Meta["epoch"], describeModel(ck.Model))
	fmt.Fprintf(stdout, "  corpus: %s\n", src)
	if ck.Verified {
		fmt.Fprintf(stdout, "  integrity: the SHA-256 of its tensors and metadata matches\n")
	} else {
		fmt.Fprintf(stdout, "  integrity: no checksum (written before gogru stored one); loaded unverified\n")
	}
	fmt.Fprintf(stdout, "  training: %s, clip %g, batch %d, steps %d, %s sampling, dtype %s\n",
		optimizerSummary(&o), o.Clip, o.Batch, o.Steps, o.Sampling, o.DType)
	if o.ValidFraction > 0 {
		fmt.Fprintf(stdout, "  validation: the last %g%% of the corpus held out (--valid-fraction %v)\n", 100*o.ValidFraction, o.ValidFraction)
	}
	return nil
}
