package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/gogru/gogru/gru/lm"
)

// dropoutFlags registers gru train's dropout flags.
func dropoutFlags(fs *flag.FlagSet, o *trainOptions) {
	fs.Float64Var(&o.Dropout, "dropout", 0, "in training, drop each output of every GRU layer but the last with this probability, scaling the rest by 1/(1-p) (nn.GRU's dropout); in [0, 1)")
	fs.Float64Var(&o.InputDropout, "input-dropout", 0, "in training, drop each element of the GRU's input (the embedding or one-hot vectors) with this probability; in [0, 1)")
}

// validateDropout checks the dropout flags.
func (o *trainOptions) validateDropout() error {
	for _, f := range []struct {
		name string
		p    float64
	}{{"--dropout", o.Dropout}, {"--input-dropout", o.InputDropout}} {
		if !(f.p >= 0 && f.p < 1) {
			return usagef("%s %v: must lie in [0, 1)", f.name, f.p)
		}
	}
	return nil
}

// setDropout gives the trainer the run's dropout, its masks keyed by --seed and
// the optimiser's step count (which a checkpoint keeps), and says so.
func setDropout(tr *lm.Trainer, o *trainOptions, stdout io.Writer) error {
	if o.Dropout == 0 && o.InputDropout == 0 {
		return nil
	}
	if err := tr.SetDropout(o.Dropout, o.InputDropout, o.Seed); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dropout: %v between layers, %v on the input, in training only (masks keyed by --seed %d and the step)\n", o.Dropout, o.InputDropout, o.Seed)
	if o.Dropout > 0 && o.Layers == 1 {
		fmt.Fprintf(stdout, "note: --dropout %v drops between layers, as nn.GRU's, so with --layers 1 it drops nothing\n", o.Dropout)
	}
	return nil
}

// resumeDropout settles the dropout flags on --resume: those not given take the
// run's values, and those given must equal them.
func (o *trainOptions) resumeDropout(saved trainOptions, path string) error {
	if err := adopt(o, path, "dropout", &o.Dropout, saved.Dropout); err != nil {
		return err
	}
	return adopt(o, path, "input-dropout", &o.InputDropout, saved.InputDropout)
}
