package lm

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/optim"
	"github.com/gogru/gogru/internal/record"
)

// Trainer runs whole training steps of a Model: it writes the ids in, runs the
// forward pass, the loss, the backward pass, gradient clipping and the optimiser's
// update on the backend, with the gradients zeroed first, and reads the loss back.
//
// On a backend that can record (the CUDA backend), a step's device
// work is recorded once per shape and replayed: the first step of a shape runs
// eagerly and sizes every buffer, the second is recorded, and it and every later
// one replay the recording with one launch. A replayed step costs the host a
// handful of calls (the ids, the learning rate, Adam's step number, dropout's, the launch,
// the loss) instead of hundreds, whatever T is. Recordings are kept per (T, B, state carried or not,
// training or evaluation) and dropped when the model's buffers are sized anew (a
// new T or B, or Model.Next in between), when Clip or the optimiser's
// hyperparameters or the dropout (SetDropout) change, or when backend memory was freed beneath them; the next
// step then runs eagerly again. Results are bit for bit those of running the
// operations one by one.
//
// Recording is a speed path, and a failing one costs speed, never the run
// (fallback.go): a step whose recording or replay fails runs eagerly, with the
// same results, the failure is logged once to Logger, and that shape (every
// shape, where the backend cannot record at all) is not recorded again. A lost
// device stops the run with a *DeviceLostError.
//
// A Trainer is not safe for concurrent use, and nothing else should use its model
// during a step.
type Trainer struct {
	// Clip is the global L2 norm the gradients are clipped to each step; 0 only
	// measures the norm (GradNorm).
	Clip float64
	// Graphs records and replays steps on a backend that can; NewTrainer sets it.
	// Off, every step runs its operations one by one: for debugging a step, or
	// timing it against its recording.
	Graphs bool
	// Reducer, when set, averages each step's gradients (and loss) over the
	// processes of a data-parallel job before clipping; nil trains alone.
	Reducer GradReducer
	// Logger receives the one-time warnings of steps that fell back from their
	// recording to eager work; nil is slog.Default().
	Logger *slog.Logger

	m     *Model
	opt   optim.Optimizer
	split record.Update // opt's step in two halves, nil where opt cannot split it: every step eager
	norm  gru.Tensor    // [1]: the gradient norm of the last step, before clipping
	drop  *dropout      // the training steps' dropout (SetDropout); nil: none

	recs       map[stepKey]record.Recording
	ran        map[stepKey]bool // the keys run eagerly since the recordings were dropped
	generation int              // the model's buffers' generation when they were dropped
	hyper      []float64        // the optimiser's hyperparameters and Clip they hold

	norecord     map[stepKey]bool // keys whose recording or replay failed: eager from now on
	unrecordable bool             // the backend cannot record at all: every step is eager
	warned       map[string]bool  // the fallbacks warned of (warnOnce)
}

// stepKey is what a recorded step depends on besides the contents of memory.
type stepKey struct {
	steps, batch int
	carry        bool // the step starts from the carried state
	train        bool // a training step, not an evaluation
	part         int  // with a host-staged Reducer: 1 before the reduction, 2 after
}

// NewTrainer returns a Trainer of m with opt, clipping to clip (0: no clipping).
func NewTrainer(m *Model, opt optim.Optimizer, clip float64) (*Trainer, error) {
	if m == nil || opt == nil {
		return nil, fmt.Errorf("gru: NewTrainer: nil model or optimizer")
	}
	norm, err := m.be.NewTensor(1)
	if err != nil {
		return nil, err
	}
	split, _ := record.UpdateFor(opt)
	return &Trainer{Clip: clip, Graphs: true, m: m, opt: opt, split: split, norm: norm,
		recs: map[stepKey]record.Recording{}, ran: map[stepKey]bool{}, norecord: map[stepKey]bool{}, warned: map[string]bool{}}, nil
}

// Step runs one training step on T×B time-major inputs and targets (as Model.Step)
// and returns the mean cross-entropy before the update. An error that says the
// device is lost is a *DeviceLostError.
func (t *Trainer) Step(inputs, targets []int32, steps, batch int) (float64, error) {
	loss, err := t.step(inputs, targets, steps, batch)
	return loss, deviceLost(err)
}

func (t *Trainer) step(inputs, targets []int32, steps, batch int) (float64, error) {
	m := t.m
	if err := m.load(inputs, targets, steps, batch); err != nil {
		return 0, err
	}
	if err := t.prepareDropout(); err != nil {
		return 0, err
	}
	if t.split != nil {
		if err := t.split.Prepare(m.be); err != nil {
			return 0, err
		}
	}
	_, carry := m.stepState()
	key := stepKey{steps: steps, batch: batch, carry: carry, train: true}
	if err := t.runTrain(key); err != nil {
		return 0, err
	}
	return m.readLoss()
}

// runTrain runs a training step as one recording, or, with a Reducer that is
// not device work alone (record.DeviceOnly), as two with the reduction between
// them.
func (t *Trainer) runTrain(key stepKey) error {
	if t.Reducer == nil || record.IsDeviceOnly(t.Reducer) {
		return t.run(key, t.trainStep)
	}
	key.part = 1
	if err := t.run(key, t.gradients); err != nil {
		return err
	}
	if err := t.reduce(); err != nil {
		return err
	}
	key.part = 2
	return t.run(key, t.update)
}

// trainStep is a training step's device work.
func (t *Trainer) trainStep() error {
	if err := t.gradients(); err != nil {
		return err
	}
	if t.Reducer != nil {
		if err := t.reduce(); err != nil {
			return err
		}
	}
	return t.update()
}

// gradients zeroes the gradients and runs the forward and backward passes.
func (t *Trainer) gradients() error {
	m := t.m
	if err := m.ZeroGrads(); err != nil {
		return err
	}
	if err := m.forward(t.drop); err != nil {
		return err
	}
	return m.backward()
}

// reduce averages the gradients and the loss over the Reducer's processes.
func (t *Trainer) reduce() error {
	m := t.m
	return t.Reducer.Average(m.be, append(m.Grads(), m.loss))
}

// update clips the gradients and applies the optimiser.
func (t *Trainer) update() error {
	m := t.m
	grads := m.Grads()
	if err := m.be.ClipGradNorm(grads, t.Clip, t.norm); err != nil {
		return err
	}
	if t.split == nil {
		return t.opt.Step(m.be, m.Params(), grads)
	}
	return t.split.Apply(m.be, m.Params(), grads)
}

// Loss returns the mean cross-entropy of the targets without gradients (as
// Model.Loss), recorded and replayed like a training step.
func (t *Trainer) Loss(inputs, targets []int32, steps, batch int) (float64, error) {
	loss, err := t.loss(inputs, targets, steps, batch)
	return loss, deviceLost(err)
}

func (t *Trainer) loss(inputs, targets []int32, steps, batch int) (float64, error) {
	m := t.m
	if err := m.load(inputs, targets, steps, batch); err != nil {
		return 0, err
	}
	_, carry := m.stepState()
	key := stepKey{steps: steps, batch: batch, carry: carry}
	err := t.run(key, func() error {
		if err := m.forward(nil); err != nil {
			return err
		}
		return m.evaluate()
	})
	if err != nil {
		return 0, err
	}
	return m.readLoss()
}

// GradNorm reads the global L2 norm of the last step's gradients, before clipping.
func (t *Trainer) GradNorm() (float64, error) {
	var v [1]float64
	err := t.m.be.Read(v[:], t.norm)
	return v[0], deviceLost(err)
}

// run runs body, the device work of the step key, eagerly or from its recording.
func (t *Trainer) run(key stepKey, body func() error) error {
	rec, ok := record.For(t.m.be)
	if !t.Graphs || !ok || (key.train && t.split == nil) {
		return body()
	}
	var hyper []float64
	if t.split != nil {
		hyper = t.split.Hyperparameters()
	}
	hyper = append(hyper, t.Clip)
	generation, carry := t.m.stepState()
	if generation != t.generation || !slices.Equal(hyper, t.hyper) {
		if err := t.reset(); err != nil {
			return err
		}
		t.generation, t.hyper = generation, hyper
	}
	if r := t.recs[key]; r != nil {
		err := r.Replay()
		if err == nil {
			t.m.setCarry(true) // what the recorded forward did on the host
			return nil
		}
		if !errors.Is(err, record.ErrStale) {
			return t.replayFailed(key, r, carry, err, body)
		}
		if err := t.reset(); err != nil { // memory was freed beneath it: start over
			return err
		}
	}
	// The first step of a key sizes what is sized lazily.
	if !t.ran[key] || t.norecord[key] || t.unrecordable || tuning(t.m.be) {
		t.ran[key] = true
		return body()
	}
	r, err := rec.Record(body)
	if err != nil {
		return t.recordFailed(key, carry, err, body)
	}
	t.recs[key] = r
	if err := r.Replay(); err != nil {
		return t.replayFailed(key, r, carry, err, body)
	}
	return nil
}

// reset drops the recordings, so that the next step of each shape runs eagerly
// and the one after records again.
func (t *Trainer) reset() error {
	var first error
	for k, r := range t.recs {
		if err := r.Close(); err != nil && first == nil {
			first = err
		}
		delete(t.recs, k)
	}
	clear(t.ran)
	return first
}

// Close releases the recordings and the Trainer's tensor and ids; the model and
// the optimiser stay open.
func (t *Trainer) Close() error {
	err := t.reset()
	if t.norm != nil {
		err = errors.Join(err, t.m.be.Free(t.norm))
		t.norm = nil
	}
	if t.drop != nil {
		err = errors.Join(err, t.m.be.FreeIDs(t.drop.step))
		t.drop = nil
	}
	return err
}

// SetDropout makes the training steps drop, with probability layers, the output
// of every GRU layer but the last (nn.GRU's dropout) and, with probability input,
// the model's input (the embedding or one-hot vectors), scaling what is kept by
// 1/(1−p); evaluation (Loss), Model.Loss, Model.Step and Model.Next never drop.
// Both lie in [0, 1); 0 and 0 turn dropout off, and the steps are then exactly
// those without it. The masks are Philox4x32-10 draws keyed by seed and the
// step's number (see gru.Dropout and prepareDropout), written to the backend
// before each step: the same on every backend, right in a replayed recording,
// and drawn again by a run resumed from a checkpoint, whose optimiser restores
// its count of steps.
func (t *Trainer) SetDropout(layers, input float64, seed uint64) error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"dropout", layers}, {"input dropout", input}} {
		if !(p.v >= 0 && p.v < 1) {
			return fmt.Errorf("gru: trainer: %s must be in [0, 1), got %v", p.name, p.v)
		}
	}
	if err := t.reset(); err != nil { // the recordings hold the old probabilities
		return err
	}
	if layers == 0 && input == 0 {
		if t.drop != nil {
			err := t.m.be.FreeIDs(t.drop.step)
			t.drop = nil
			return err
		}
		return nil
	}
	if t.drop == nil {
		step, err := t.m.be.NewIDs(1, math.MaxInt32)
		if err != nil {
			return err
		}
		t.drop = &dropout{step: step}
	}
	t.drop.layers, t.drop.input, t.drop.seed = layers, input, seed
	return nil
}

// prepareDropout counts the step and writes its number to the backend, where the
// dropout masks read it: one past the optimiser's count of the steps it has taken
// where the optimiser keeps one (optim.Stateful: the count a checkpoint restores),
// else one past the previous step's.
func (t *Trainer) prepareDropout() error {
	d := t.drop
	if d == nil {
		return nil
	}
	n := d.steps + 1
	if s, ok := t.opt.(optim.Stateful); ok {
		_, taken := s.State()
		n = taken + 1
	}
	if n > math.MaxInt32-1 {
		return fmt.Errorf("gru: trainer: step %d does not fit the int32 the dropout masks read", n)
	}
	d.steps = n
	return t.m.be.WriteIDs(d.step, []int32{int32(n)})
}
