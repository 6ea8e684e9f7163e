package checkpoint

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
	"github.com/gogru/gogru/internal/tensorfile"
)

// checkpointFormat marks gogru checkpoints; a file without it is refused.
const checkpointFormat = "gogru/checkpoint/v1"

// Metadata keys gogru reserves in a checkpoint; callers' keys may not start with "gogru.".
const (
	metaFormat = "gogru.format"
	metaModel  = "gogru.model"
	metaDType  = "gogru.dtype"
	metaSteps  = "gogru.optimizer_steps"
)

// Save writes the model's parameters, the optimiser's state (opt may be
// nil) and the caller's metadata to path as one safetensors file. The write is
// atomic: a temporary file is written, fsynced and renamed over path, so a crash
// leaves the previous checkpoint intact. Tensors are stored in the backend's
// precision, so a resumed float32 run continues bit for bit. A checksum of the
// tensors and metadata is stored with them and verified by Load. A tensor holding
// NaN or ±Inf is refused with an error naming it, and nothing is written, so a
// diverged model never replaces the last good checkpoint.
func Save(path string, m *lm.Model, opt optim.Optimizer, meta map[string]string) error {
	if m == nil {
		return fmt.Errorf("gru: checkpoint.Save %s: nil model", path)
	}
	be := m.Backend()
	tensors := map[string]tensorfile.Tensor{}
	add := func(name string, t gru.Tensor) error {
		v := make([]float64, gru.Len(t.Shape()))
		if err := be.Read(v, t); err != nil {
			return err
		}
		for i, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("gru: checkpoint %s not written: tensor %s holds %v at index %d", path, name, x, i)
			}
		}
		tensors[name] = tensorfile.Tensor{Shape: t.Shape(), Data: v, DType: be.DType()}
		return nil
	}
	names := m.ParamNames()
	for i, p := range m.Params() {
		if err := add(names[i], p); err != nil {
			return err
		}
	}
	steps := 0
	if opt != nil {
		st, err := stateful(opt)
		if err != nil {
			return err
		}
		var state map[string]gru.Tensor
		state, steps = st.State()
		for name, t := range state {
			if err := add("optimizer."+name, t); err != nil {
				return err
			}
		}
	}
	model, err := json.Marshal(m.Config())
	if err != nil {
		return err
	}
	all := map[string]string{
		metaFormat: checkpointFormat,
		metaModel:  string(model),
		metaDType:  be.DType().String(),
		metaSteps:  strconv.Itoa(steps),
	}
	for k, v := range meta {
		if strings.HasPrefix(k, "gogru.") {
			return fmt.Errorf("gru: checkpoint metadata key %q is reserved", k)
		}
		all[k] = v
	}
	return tensorfile.Write(path, tensors, all)
}

// Checkpoint is a parsed checkpoint file.
type Checkpoint struct {
	Path           string
	Model          lm.Config         // the configuration it was saved from
	DType          gru.DType         // the precision of the tensors
	OptimizerSteps int               // the optimiser's step counter
	Meta           map[string]string // the caller's metadata
	// Verified is true when the file's checksum was present and matched; a
	// checkpoint written before checksums loads with Verified false.
	Verified bool
	file     *tensorfile.File
}

// Load reads and checks a checkpoint: its checksum (see Checkpoint.Verified), its
// header and the presence and shape of every parameter. A truncated or corrupt
// file, a file that is not safetensors or not a gogru checkpoint gives an error
// naming the file, before anything is restored.
func Load(path string) (*Checkpoint, error) {
	f, err := tensorfile.Read(path)
	if err != nil {
		return nil, err
	}
	return checkpointFrom(f)
}

// Parse is Load for bytes already in memory; name labels errors.
func Parse(name string, b []byte) (*Checkpoint, error) {
	f, err := tensorfile.Parse(name, b)
	if err != nil {
		return nil, err
	}
	return checkpointFrom(f)
}

func checkpointFrom(f *tensorfile.File) (*Checkpoint, error) {
	if f.Meta[metaFormat] != checkpointFormat {
		return nil, fmt.Errorf("gru: %s: not a gogru checkpoint (format %q, want %q)", f.Path, f.Meta[metaFormat], checkpointFormat)
	}
	c := &Checkpoint{Path: f.Path, file: f, Meta: map[string]string{}, Verified: f.Verified}
	if err := json.Unmarshal([]byte(f.Meta[metaModel]), &c.Model); err != nil {
		return nil, fmt.Errorf("gru: %s: bad model configuration: %v", f.Path, err)
	}
	if err := c.Model.Validate(); err != nil {
		return nil, fmt.Errorf("gru: %s: %w", f.Path, err)
	}
	switch f.Meta[metaDType] {
	case "float32":
		c.DType = gru.Float32
	case "float64":
		c.DType = gru.Float64
	default:
		return nil, fmt.Errorf("gru: %s: unknown dtype %q", f.Path, f.Meta[metaDType])
	}
	steps, err := strconv.Atoi(f.Meta[metaSteps])
	if err != nil || steps < 0 {
		return nil, fmt.Errorf("gru: %s: bad optimizer step count %q", f.Path, f.Meta[metaSteps])
	}
	c.OptimizerSteps = steps
	// Check every parameter's presence and shape now, before anyone allocates a
	// model from the (possibly hostile) configuration. Its sizes are dimensions of
	// those shapes and so bounded by the file, but Layers only counts tensors:
	// listing the parameters of 2^40 layers would allocate terabytes (or, with
	// 4·Cells overflowing, panic) from a file of 300 bytes. Each layer needs four
	// tensors per direction, so the file bounds it first.
	if g := c.Model.GRU; g.Layers > f.Len()/(4*g.Directions()) {
		return nil, fmt.Errorf("gru: %s: the model has %d layers of %d direction(s), 4 tensors each, but the file holds %d tensors",
			f.Path, g.Layers, g.Directions(), f.Len())
	}
	names, shapes := c.Model.ParamShapes()
	for i, n := range names {
		if err := f.CheckTensor(n, shapes[i]); err != nil {
			return nil, err
		}
	}
	for k, v := range f.Meta {
		if !strings.HasPrefix(k, "gogru.") {
			c.Meta[k] = v
		}
	}
	return c, nil
}

// Restore copies the checkpoint's parameters into m and its optimiser state into
// opt (nil to skip). The model's configuration must equal the saved one; every
// tensor is read and checked before anything is written, so a bad file changes
// nothing.
func (c *Checkpoint) Restore(m *lm.Model, opt optim.Optimizer) error {
	if m == nil {
		return fmt.Errorf("gru: %s: Restore: nil model", c.Path)
	}
	if m.Config() != c.Model {
		return fmt.Errorf("gru: %s: saved for %s, the model is %s", c.Path, describe(c.Model), describe(m.Config()))
	}
	type pending struct {
		t gru.Tensor
		v []float64
	}
	var todo []pending
	expected := map[string]bool{}
	load := func(name string, t gru.Tensor) error {
		v, err := c.file.Tensor(name, t.Shape())
		if err != nil {
			return err
		}
		expected[name] = true
		todo = append(todo, pending{t, v})
		return nil
	}
	names := m.ParamNames()
	for i, p := range m.Params() {
		if err := load(names[i], p); err != nil {
			return err
		}
	}
	var st optim.Stateful
	if opt != nil {
		var err error
		if st, err = stateful(opt); err != nil {
			return err
		}
		state, _ := st.State()
		keys := make([]string, 0, len(state))
		for k := range state {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := load("optimizer."+k, state[k]); err != nil {
				return err
			}
		}
	}
	for _, n := range c.file.Names() {
		if !expected[n] && (opt != nil || !strings.HasPrefix(n, "optimizer.")) {
			return fmt.Errorf("gru: %s: tensor %s is not part of this model", c.Path, n)
		}
	}
	for _, p := range todo {
		if err := m.Backend().Write(p.t, p.v); err != nil {
			return err
		}
	}
	if st != nil {
		st.Restore(c.OptimizerSteps)
	}
	return nil
}

// describe summarises a model configuration for error messages.
func describe(mc lm.Config) string {
	g := mc.GRU
	return fmt.Sprintf("vocab=%d embed=%d input=%d hidden=%d layers=%d bidirectional=%v variant=%v",
		mc.Vocab, mc.Embed, g.InputSize, g.HiddenSize, g.Layers, g.Bidirectional, g.Variant)
}

// stateful returns opt as an optim.Stateful, or an error that says it keeps no
// state a checkpoint could hold.
func stateful(opt optim.Optimizer) (optim.Stateful, error) {
	st, ok := opt.(optim.Stateful)
	if !ok {
		return nil, fmt.Errorf("gru: checkpoint: optimizer %T has no State and Restore (optim.Stateful); pass nil to leave the optimizer out", opt)
	}
	return st, nil
}
