package cuda

import (
	"fmt"
	"time"
)

// KernelAuto chooses between the recurrent kernels per shape by timing them, as
// PyTorch's cudnn.benchmark chooses convolution algorithms: the first passes of
// each stack's shape alternate between the paths, each Forward and Backward timed
// alone from a Sync before it to a Sync after it, and then the shape keeps the
// faster path and the choice is logged once (Info, SetLogger). A shape the
// persistent kernel cannot hold runs KernelGEMM without timing. Inside a
// recording nothing is timed (a Sync would spoil it): undecided shapes run
// KernelGEMM there, and gru/lm's Trainer records no step while Tuning reports
// true. Results are those of whichever path ran; both save the same activations.

// The passes KernelAuto times: autoWarmup untimed passes of each path, then
// autoTrials timed ones.
const (
	autoWarmup = 1
	autoTrials = 3
)

// The paths KernelAuto chooses between, as indices.
const (
	pathGEMM = iota
	pathPersistent
)

// autoTune is KernelAuto's record of one workspace's shape.
type autoTune struct {
	forwards   [2]int           // forwards run on each path, warm-up included
	fwd, bwd   [2]time.Duration // summed times of the timed passes
	nfwd, nbwd [2]int           // timed passes
	last       int              // the path of the last forward: its backward runs there too
	decided    bool
	choice     int
}

// next is the path of the next forward while undecided: GEMM first, then the
// persistent kernel, each for its warm-up and trials.
func (a *autoTune) next() int {
	if a.forwards[pathGEMM] < autoWarmup+autoTrials {
		return pathGEMM
	}
	return pathPersistent
}

// ready reports whether every path has its timed forwards.
func (a *autoTune) ready() bool {
	return a.nfwd[pathGEMM] >= autoTrials && a.nfwd[pathPersistent] >= autoTrials
}

// cost is a path's mean forward plus mean backward time (a backward never timed
// adds nothing).
func (a *autoTune) cost(path int) time.Duration {
	c := a.fwd[path] / time.Duration(a.nfwd[path])
	if a.nbwd[path] > 0 {
		c += a.bwd[path] / time.Duration(a.nbwd[path])
	}
	return c
}

// Tuning reports whether KernelAuto is still timing the paths of some stack's
// shape: a caller that records steps (gru/lm's Trainer) runs them eagerly until
// it is done, so that no recording holds a path the shape then leaves.
func (be *Backend) Tuning() bool {
	if be.recurrent != KernelAuto {
		return false
	}
	for s := range be.stacks {
		if s.ws != nil && s.ws.auto != nil && !s.ws.auto.decided {
			return true
		}
	}
	return false
}

// now reads the backend's clock: time since the backend opened, or the clock a
// test injects.
func (be *Backend) now() time.Duration {
	if be.clock != nil {
		return be.clock()
	}
	return time.Since(be.opened)
}

// passPlan returns the persistent plan the next pass (forward or backward) of
// the stack runs, nil for the per-step GEMM path, and done, which the caller
// calls when the pass has queued its work without error: under KernelAuto it
// ends the pass's timing.
func (s *stack) passPlan(forward bool) (plan *persistPlan, done func() error, err error) {
	done = func() error { return nil }
	plan, err = s.persistentPlan()
	be, ws := s.be, s.ws
	if err != nil || be.recurrent != KernelAuto {
		return plan, done, err
	}
	if ws.auto == nil {
		ws.auto = &autoTune{}
	}
	a := ws.auto
	if !a.decided && plan == nil {
		a.decided, a.choice = true, pathGEMM
		s.logChoice("gemm: the persistent kernel does not run this shape")
	}
	if forward && !a.decided && a.ready() {
		a.decided = true
		g, p := a.cost(pathGEMM), a.cost(pathPersistent)
		if p < g {
			a.choice = pathPersistent
		}
		s.logChoice(fmt.Sprintf("%s: gemm %v a pass, persistent %v", []string{"gemm", "persistent"}[a.choice], g, p))
	}
	path := a.choice
	if !a.decided {
		if be.recording {
			return nil, done, nil // untimed: a Sync would spoil the recording
		}
		path = a.last
		if forward {
			path = a.next()
			a.last = path
			a.forwards[path]++
		}
		if a.forwards[path] > autoWarmup {
			if err := be.dev.Sync(); err != nil {
				return nil, nil, err
			}
			t0 := be.now()
			done = func() error {
				if err := be.dev.Sync(); err != nil {
					return err
				}
				dt := be.now() - t0
				if forward {
					a.fwd[path] += dt
					a.nfwd[path]++
				} else {
					a.bwd[path] += dt
					a.nbwd[path]++
				}
				return nil
			}
		}
	}
	if path == pathGEMM {
		plan = nil
	}
	return plan, done, nil
}

// logChoice says once, for the stack's shape, what KernelAuto chose.
func (s *stack) logChoice(choice string) {
	ws := s.ws
	s.be.info(fmt.Sprintf("cuda: --kernel auto, T=%d B=%d H=%d: %s", ws.steps, ws.batch, s.cfg.HiddenSize, choice))
}
