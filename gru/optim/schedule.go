package optim

import (
	"fmt"
	"math"
)

// ScheduleKind names a learning-rate schedule.
type ScheduleKind int

const (
	// Constant keeps the learning rate (after any warm-up).
	Constant ScheduleKind = iota
	// StepDecay multiplies it by Gamma every StepSize steps, as
	// torch.optim.lr_scheduler.StepLR.
	StepDecay
	// Cosine anneals it to 0 along half a cosine over the run's remaining steps, as
	// torch.optim.lr_scheduler.CosineAnnealingLR with eta_min 0.
	Cosine
)

// String names the kind as ParseScheduleKind reads it.
func (k ScheduleKind) String() string {
	switch k {
	case Constant:
		return "constant"
	case StepDecay:
		return "step"
	case Cosine:
		return "cosine"
	}
	return fmt.Sprintf("ScheduleKind(%d)", int(k))
}

// ParseScheduleKind reads "constant", "step" or "cosine".
func ParseScheduleKind(s string) (ScheduleKind, error) {
	for _, k := range []ScheduleKind{Constant, StepDecay, Cosine} {
		if s == k.String() {
			return k, nil
		}
	}
	return 0, fmt.Errorf("gru: unknown learning-rate schedule %q: want constant, step or cosine", s)
}

// Schedule scales an optimiser's learning rate step by step. Steps count updates
// from 0. The first Warmup steps ramp the rate linearly, step t taking
// (t+1)/Warmup of it (torch's LinearLR with start_factor 1/Warmup and total_iters
// Warmup−1); from step Warmup on, the Kind's schedule runs with u = t − Warmup:
//
//	Constant   1
//	StepDecay  Gamma^⌊u/StepSize⌋
//	Cosine     (1 + cos(π·u/M))/2 with M = Total − Warmup, and 0 once u ≥ M
//
// as torch's SequentialLR of the two, milestone Warmup. The zero value keeps the
// rate constant.
type Schedule struct {
	Kind     ScheduleKind
	Warmup   int     // steps of linear warm-up (0 or 1: none)
	StepSize int     // StepDecay: steps between decays
	Gamma    float64 // StepDecay: the factor of each decay
	Total    int     // Cosine: the steps of the whole run, warm-up included
}

// Validate checks the schedule's fields for its Kind.
func (s Schedule) Validate() error {
	if s.Warmup < 0 {
		return fmt.Errorf("learning-rate warm-up of %d steps", s.Warmup)
	}
	switch s.Kind {
	case Constant:
	case StepDecay:
		if s.StepSize < 1 || !(s.Gamma > 0) || math.IsInf(s.Gamma, 0) {
			return fmt.Errorf("step schedule: step size %d must be at least 1 and gamma %v positive", s.StepSize, s.Gamma)
		}
	case Cosine:
		if s.Total <= s.Warmup {
			return fmt.Errorf("cosine schedule: %d steps in all leave none after %d of warm-up", s.Total, s.Warmup)
		}
	default:
		return fmt.Errorf("unknown learning-rate schedule %v", s.Kind)
	}
	return nil
}

// Factor returns the multiple of the base learning rate at step t (from 0), or
// NaN for a schedule that Validate refuses.
func (s Schedule) Factor(t int) float64 {
	if s.Validate() != nil {
		return math.NaN()
	}
	if t < s.Warmup {
		return float64(t+1) / float64(s.Warmup)
	}
	u := t - s.Warmup
	switch s.Kind {
	case StepDecay:
		return math.Pow(s.Gamma, float64(u/s.StepSize))
	case Cosine:
		m := s.Total - s.Warmup
		if u >= m {
			return 0
		}
		return (1 + math.Cos(math.Pi*float64(u)/float64(m))) / 2
	}
	return 1
}

// Rate returns base·Factor(t), the learning rate at step t.
func (s Schedule) Rate(base float64, t int) float64 { return base * s.Factor(t) }
