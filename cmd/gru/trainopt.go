package main

import (
	"flag"
	"fmt"
	"math"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/optim"
)

// optimizerFlags registers the flags of the optimiser and its learning-rate
// schedule (see docs/training.md).
func optimizerFlags(fs *flag.FlagSet, o *trainOptions) {
	fs.StringVar(&o.Optimizer, "optimizer", "sgd", "sgd, momentum (SGD with --momentum), adam or adamw (Adam with decoupled --weight-decay), as torch.optim's")
	fs.Float64Var(&o.LR, "lr", 1, "learning rate (adam and adamw: 0.001, PyTorch's default, unless given; with --resume: the run's unless given)")
	fs.Float64Var(&o.Momentum, "momentum", 0.9, "--optimizer momentum: the momentum (dampening 0, no Nesterov, as torch.optim.SGD)")
	fs.Float64Var(&o.WeightDecay, "weight-decay", 0, "weight decay: for sgd and momentum an L2 penalty added to the gradient; for adamw decoupled, 0.01 unless given (PyTorch's defaults); adam takes none")
	fs.StringVar(&o.LRSchedule, "lr-schedule", "constant", "learning rate by step (one step is one minibatch): constant, step (times --lr-gamma every --lr-step steps) or cosine (down to 0 at the run's last step)")
	fs.IntVar(&o.Warmup, "warmup", 0, "raise the learning rate linearly over the first N steps, then follow --lr-schedule")
	fs.IntVar(&o.LRStep, "lr-step", 0, "--lr-schedule step: the steps between decays")
	fs.Float64Var(&o.LRGamma, "lr-gamma", 0.1, "--lr-schedule step: the factor of each decay")
}

// validateOptimizer checks the optimiser's flags and settles the defaults that
// depend on the optimiser, so that the stored options hold the values used:
// momentum only for momentum, lr 0.001 for adam and adamw and weight decay 0.01
// for adamw unless given, the step schedule's fields only for it. On --resume
// it leaves them to resumeOptimizer, which knows the run's.
func (o *trainOptions) validateOptimizer() error {
	switch o.Optimizer {
	case "sgd", "momentum", "adam", "adamw":
	default:
		return usagef("--optimizer %q: want sgd, momentum, adam or adamw", o.Optimizer)
	}
	if o.Resume {
		return nil
	}
	if (o.Optimizer == "adam" || o.Optimizer == "adamw") && !o.given["lr"] {
		o.LR = optim.DefaultAdamWLR
	}
	if o.Optimizer != "momentum" && !o.given["momentum"] {
		o.Momentum = 0
	}
	if o.Optimizer == "adamw" && !o.given["weight-decay"] {
		o.WeightDecay = optim.DefaultAdamWWeightDecay
	}
	if o.LRSchedule != "step" && !o.given["lr-gamma"] {
		o.LRGamma = 0
	}
	return o.checkOptimizer()
}

// checkOptimizer checks the settled values of the optimiser's flags.
func (o *trainOptions) checkOptimizer() error {
	if o.Optimizer != "momentum" && o.Momentum != 0 {
		return usagef("--momentum is for --optimizer momentum, not %s", o.Optimizer)
	}
	if o.Optimizer == "adam" && o.WeightDecay != 0 {
		return usagef("--weight-decay with --optimizer adam: torch.optim.Adam's is an L2 penalty that Adam's scaling undoes; use --optimizer adamw, whose decay is decoupled")
	}
	if !(o.LR > 0) || math.IsInf(o.LR, 1) {
		return usagef("--lr %v: must be positive and finite", o.LR)
	}
	if !(o.Momentum >= 0 && o.Momentum < 1) {
		return usagef("--momentum %v: must lie in [0, 1)", o.Momentum)
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 1) {
		return usagef("--weight-decay %v: must be 0 or positive and finite", o.WeightDecay)
	}
	kind, err := optim.ParseScheduleKind(o.LRSchedule)
	if err != nil {
		return usagef("--lr-schedule %q: want constant, step or cosine", o.LRSchedule)
	}
	if o.Warmup < 0 {
		return usagef("--warmup %d: must be 0 or more steps", o.Warmup)
	}
	if kind != optim.StepDecay {
		if o.LRStep != 0 || o.LRGamma != 0 {
			return usagef("--lr-step and --lr-gamma are for --lr-schedule step")
		}
		return nil
	}
	if o.LRStep < 1 {
		return usagef("--lr-schedule step needs --lr-step N, the steps between decays (at least 1)")
	}
	if !(o.LRGamma > 0) || math.IsInf(o.LRGamma, 1) {
		return usagef("--lr-gamma %v: must be positive and finite", o.LRGamma)
	}
	return nil
}

// resumeOptimizer settles the optimiser's flags on --resume: those not given
// take the run's values; those given must equal them, except --lr, which may
// change (train says so). A cosine schedule spans the run's planned steps, so
// --epochs may not change under it.
func (o *trainOptions) resumeOptimizer(saved trainOptions, path string) error {
	if saved.LRSchedule == "" { // a run from before schedules
		saved.LRSchedule = "constant"
	}
	if !o.given["lr"] {
		o.LR = saved.LR
	}
	o.LRTotal = saved.LRTotal
	for _, err := range []error{
		adopt(o, path, "optimizer", &o.Optimizer, saved.Optimizer),
		adopt(o, path, "momentum", &o.Momentum, saved.Momentum),
		adopt(o, path, "weight-decay", &o.WeightDecay, saved.WeightDecay),
		adopt(o, path, "lr-schedule", &o.LRSchedule, saved.LRSchedule),
		adopt(o, path, "warmup", &o.Warmup, saved.Warmup),
		adopt(o, path, "lr-step", &o.LRStep, saved.LRStep),
		adopt(o, path, "lr-gamma", &o.LRGamma, saved.LRGamma),
	} {
		if err != nil {
			return err
		}
	}
	if err := o.checkOptimizer(); err != nil {
		return err
	}
	if o.LRSchedule == "cosine" && o.Epochs != saved.Epochs {
		return fmt.Errorf("%s: the cosine schedule spans the run's --epochs %d (%d steps); --epochs %d would change it", path, saved.Epochs, saved.LRTotal, o.Epochs)
	}
	return nil
}

// adopt sets the flag name's value *now to the run's, then, unless it was given;
// given, it must equal the run's.
func adopt[T comparable](o *trainOptions, path, name string, now *T, then T) error {
	if !o.given[name] {
		*now = then
		return nil
	}
	if *now != then {
		return fmt.Errorf("%s: the run used --%s %v; the flags say %v (leave it out to keep the run's)", path, name, then, *now)
	}
	return nil
}

// schedule is the learning-rate schedule of the flags. A cosine one spans
// LRTotal steps, set on a fresh run to --epochs times the most minibatches an
// epoch of train's ids has, and kept by resume.
func (o *trainOptions) schedule(trainIDs int) (optim.Schedule, error) {
	kind, err := optim.ParseScheduleKind(o.LRSchedule)
	if err != nil {
		return optim.Schedule{}, usageError{err}
	}
	s := optim.Schedule{Kind: kind, Warmup: o.Warmup, StepSize: o.LRStep, Gamma: o.LRGamma}
	if kind == optim.Cosine {
		if o.LRTotal == 0 {
			sampling, _ := corpus.ParseSampling(o.Sampling)
			o.LRTotal = o.Epochs * corpus.MaxBatches(trainIDs, o.Batch, o.Steps, sampling)
		}
		s.Total = o.LRTotal
	}
	if err := s.Validate(); err != nil {
		return s, usagef("--lr-schedule %s with --warmup %d: %v", o.LRSchedule, o.Warmup, err)
	}
	return s, nil
}

// newOptimizer builds the optimiser of the flags over params, following s.
func newOptimizer(be gru.Backend, params []gru.Tensor, o *trainOptions, s optim.Schedule) (optim.Optimizer, error) {
	switch o.Optimizer {
	case "adam", "adamw":
		a, err := optim.NewAdamW(be, params, o.LR, o.WeightDecay)
		if err != nil {
			return nil, err
		}
		a.Schedule = s
		return a, nil
	}
	sgd, err := optim.NewSGD(be, params, o.LR, o.Momentum, o.WeightDecay)
	if err != nil {
		return nil, err
	}
	sgd.Schedule = s
	return sgd, nil
}

// optimizerSummary describes the optimiser and its schedule from the settled
// flags: "adamw lr 0.001, weight decay 0.01, cosine to 0 over 1600 steps,
// warm-up 100 steps".
func optimizerSummary(o *trainOptions) string {
	line := fmt.Sprintf("%s lr %g", o.Optimizer, o.LR)
	if o.Momentum != 0 {
		line += fmt.Sprintf(", momentum %g", o.Momentum)
	}
	if o.WeightDecay != 0 {
		line += fmt.Sprintf(", weight decay %g", o.WeightDecay)
	}
	switch o.LRSchedule {
	case "step":
		line += fmt.Sprintf(", times %g every %d steps", o.LRGamma, o.LRStep)
	case "cosine":
		line += fmt.Sprintf(", cosine to 0 over %d steps", o.LRTotal)
	}
	if o.Warmup > 1 {
		line += fmt.Sprintf(", warm-up %d steps", o.Warmup)
	}
	return line
}
