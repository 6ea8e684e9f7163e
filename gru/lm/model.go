package lm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gogru/gogru/gru"
)

// Config describes a token language model:
// input (one-hot or a learned embedding) → GRU stack → linear → softmax cross-entropy.
type Config struct {
	Vocab int        // number of token ids
	Embed int        // embedding width; 0 feeds one-hot vectors of width Vocab
	GRU   gru.Config // the stack; its InputSize must be Embed, or Vocab when Embed is 0
	Init  gru.Init   // initialiser for every parameter
}

// InputWidth is the width of the GRU's input: Embed, or Vocab for one-hot.
func (mc Config) InputWidth() int {
	if mc.Embed > 0 {
		return mc.Embed
	}
	return mc.Vocab
}

// Validate reports the first inconsistent field.
func (mc Config) Validate() error {
	if mc.Vocab < 1 {
		return fmt.Errorf("gru: model: Vocab must be at least 1, got %d", mc.Vocab)
	}
	if mc.Embed < 0 {
		return fmt.Errorf("gru: model: Embed must be 0 (one-hot) or positive, got %d", mc.Embed)
	}
	if mc.GRU.InputSize != mc.InputWidth() {
		return fmt.Errorf("gru: model: GRU.InputSize is %d, the input is %d wide", mc.GRU.InputSize, mc.InputWidth())
	}
	return mc.GRU.Validate()
}

// Model is a language model whose parameters, activations, gradients and optimiser
// state all live on one gru.Backend. A training step moves only token ids in and the
// scalar loss out; a Trainer runs whole steps, recorded once and replayed where the
// backend can (the CUDA backend).
type Model struct {
	be    gru.Backend
	cfg   Config
	stack gru.Stack

	// The parameters around the stack and their gradients.
	emb, dEmb   gru.Tensor // [Vocab, Embed] when Embed > 0
	wOut, dWOut gru.Tensor // [dirs·H, Vocab]
	bOut, dBOut gru.Tensor // [Vocab]

	loss gru.Tensor // [1]: the mean cross-entropy of the last Step or Loss

	steps, batch int        // the shape the buffers below are sized for
	generation   int        // counts the sizings of the buffers below (stepState)
	in, targets  gru.IDs    // [T·B] input and target ids in [0, Vocab)
	x, y, dy     gru.Tensor // [T,B,in], [T,B,dirs·H], [T,B,dirs·H]
	dx           gru.Tensor // [T,B,Embed] when Embed > 0
	logits, dlg  gru.Tensor // [T·B, Vocab]
	state, hN    gru.Tensor // [cells,B,H]: the carried state and the final one
	carry        bool       // state holds a state to start from
	fwdDrop      *dropout   // what the last forward dropped, for its backward; nil: nothing
}

// dropout is what a training forward pass drops (Trainer.SetDropout): the outputs
// of the stack's layers but the last (stream l+1 for layer l) and the model's input
// (stream 0), with masks keyed by seed and the step number on the backend.
type dropout struct {
	layers, input float64
	seed          uint64
	step          gru.IDs // [1]: the step number the masks are drawn for
	steps         int     // the number last written to step
}

// New allocates a model on be with parameters drawn from rng. It refuses,
// with a *MemoryError and before allocating anything, a model whose parameters
// cannot fit on the host or on a backend that reports its memory.
func New(be gru.Backend, mc Config, rng *rand.Rand) (*Model, error) {
	if be == nil {
		return nil, fmt.Errorf("gru: lm.New: nil backend")
	}
	if err := mc.Validate(); err != nil {
		return nil, err
	}
	if err := checkModelFits(be, mc); err != nil {
		return nil, err
	}
	p, err := gru.InitParams(mc.GRU, mc.Init, rng)
	if err != nil {
		return nil, err
	}
	m := &Model{be: be, cfg: mc}
	if m.stack, err = be.NewStack(mc.GRU, p); err != nil {
		return nil, err
	}
	out := mc.GRU.OutputSize()
	if err := m.alloc([]*gru.Tensor{&m.loss}, 1); err != nil {
		return nil, err
	}
	if err := m.alloc([]*gru.Tensor{&m.wOut, &m.dWOut}, out, mc.Vocab); err != nil {
		return nil, err
	}
	if err := m.alloc([]*gru.Tensor{&m.bOut, &m.dBOut}, mc.Vocab); err != nil {
		return nil, err
	}
	w := make([]float64, out*mc.Vocab)
	b := make([]float64, mc.Vocab)
	initLinear(mc.Init, w, b, out, rng)
	if err := be.Write(m.wOut, w); err != nil {
		return nil, err
	}
	if err := be.Write(m.bOut, b); err != nil {
		return nil, err
	}
	if mc.Embed > 0 {
		if err := m.alloc([]*gru.Tensor{&m.emb, &m.dEmb}, mc.Vocab, mc.Embed); err != nil {
			return nil, err
		}
		e := make([]float64, mc.Vocab*mc.Embed)
		for i := range e {
			e[i] = rng.NormFloat64() // nn.Embedding's N(0, 1)
		}
		if err := be.Write(m.emb, e); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// initLinear fills the output layer: N(0, 0.01²) and zero bias under InitD2L (as
// D2L's W_hq and b_q), else U(±1/√in) as nn.Linear.
func initLinear(init gru.Init, w, b []float64, in int, rng *rand.Rand) {
	if init == gru.InitD2L {
		for i := range w {
			w[i] = 0.01 * rng.NormFloat64()
		}
		return
	}
	k := 1 / math.Sqrt(float64(in))
	for _, s := range [][]float64{w, b} {
		for i := range s {
			s[i] = (2*rng.Float64() - 1) * k
		}
	}
}

func (m *Model) alloc(dst []*gru.Tensor, shape ...int) error {
	for _, d := range dst {
		t, err := m.be.NewTensor(shape...)
		if err != nil {
			return err
		}
		*d = t
	}
	return nil
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// Backend returns the backend the model lives on.
func (m *Model) Backend() gru.Backend { return m.be }

// Params returns every parameter tensor, in the order of ParamNames.
func (m *Model) Params() []gru.Tensor {
	ps := append([]gru.Tensor(nil), m.stack.Params()...)
	if m.emb != nil {
		ps = append(ps, m.emb)
	}
	return append(ps, m.wOut, m.bOut)
}

// Grads returns the gradient tensors matching Params.
func (m *Model) Grads() []gru.Tensor {
	gs := append([]gru.Tensor(nil), m.stack.Grads()...)
	if m.dEmb != nil {
		gs = append(gs, m.dEmb)
	}
	return append(gs, m.dWOut, m.dBOut)
}

// ParamNames names the tensors of Params: "gru.cell[0].Wx", …, "embedding", "out.weight", "out.bias".
func (m *Model) ParamNames() []string {
	names, _ := m.cfg.ParamShapes()
	return names
}

// ParamShapes lists the model's parameter names, in the order of Model.Params, and
// their shapes.
func (mc Config) ParamShapes() ([]string, [][]int) {
	var names []string
	var shapes [][]int
	for i, n := range gru.TensorNames(mc.GRU) {
		names = append(names, "gru."+n)
		shapes = append(shapes, gru.CellShapes(mc.GRU, i/4/mc.GRU.Directions())[i%4])
	}
	if mc.Embed > 0 {
		names, shapes = append(names, "embedding"), append(shapes, []int{mc.Vocab, mc.Embed})
	}
	out := mc.GRU.OutputSize()
	return append(names, "out.weight", "out.bias"), append(shapes, []int{out, mc.Vocab}, []int{mc.Vocab})
}

// ZeroGrads clears every accumulated gradient.
func (m *Model) ZeroGrads() error {
	if err := m.stack.ZeroGrads(); err != nil {
		return err
	}
	for _, g := range m.Grads()[len(m.stack.Grads()):] {
		if err := m.be.Fill(g, 0); err != nil {
			return err
		}
	}
	return nil
}

// ResetState makes the next batch start from a zero state.
func (m *Model) ResetState() { m.carry = false }

// stepState is what a Trainer's recording of the next step depends on besides
// the contents of backend memory: the generation of the model's buffers (counted
// up each time they are sized anew, which frees the old ones, whose addresses a
// recording holds) and whether the step starts from the carried state.
func (m *Model) stepState() (generation int, carry bool) { return m.generation, m.carry }

// setCarry says whether the next step starts from the carried state, for a
// Trainer whose replayed step carried it on the device alone (forward's host
// half did not run), or which runs a step again after a failure, from the state
// it started with.
func (m *Model) setCarry(carry bool) { m.carry = carry }

// shape sizes the activation buffers for T steps of B sequences.
func (m *Model) shape(steps, batch int) error {
	if steps == m.steps && batch == m.batch {
		return nil
	}
	m.freeBuffers()
	m.generation++
	mc := m.cfg
	out, in := mc.GRU.OutputSize(), mc.InputWidth()
	errs := []error{
		m.alloc([]*gru.Tensor{&m.x}, steps, batch, in),
		m.alloc([]*gru.Tensor{&m.y, &m.dy}, steps, batch, out),
		m.alloc([]*gru.Tensor{&m.logits, &m.dlg}, steps*batch, mc.Vocab),
		m.alloc([]*gru.Tensor{&m.state, &m.hN}, mc.GRU.StateShape(batch)...),
	}
	if mc.Embed > 0 {
		errs = append(errs, m.alloc([]*gru.Tensor{&m.dx}, steps, batch, mc.Embed))
	}
	for _, ids := range []*gru.IDs{&m.in, &m.targets} {
		var err error
		*ids, err = m.be.NewIDs(steps*batch, mc.Vocab)
		errs = append(errs, err)
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	m.steps, m.batch, m.carry = steps, batch, false
	return nil
}

func (m *Model) freeBuffers() {
	for _, t := range []*gru.Tensor{&m.x, &m.y, &m.dy, &m.dx, &m.logits, &m.dlg, &m.state, &m.hN} {
		if *t != nil {
			m.be.Free(*t)
			*t = nil
		}
	}
	for _, ids := range []*gru.IDs{&m.in, &m.targets} {
		if *ids != nil {
			m.be.FreeIDs(*ids)
			*ids = nil
		}
	}
	m.steps, m.batch = 0, 0
}

// load sizes the buffers for T×B time-major token ids and writes the inputs, and
// the targets unless they are nil, to the backend: the only host data a step reads.
func (m *Model) load(inputs, targets []int32, steps, batch int) error {
	if len(inputs) != steps*batch {
		return fmt.Errorf("gru: model: %d input ids for T=%d × B=%d", len(inputs), steps, batch)
	}
	if targets != nil && len(targets) != steps*batch {
		return fmt.Errorf("gru: model: %d target ids for T=%d × B=%d", len(targets), steps, batch)
	}
	if err := m.shape(steps, batch); err != nil {
		return err
	}
	if err := m.be.WriteIDs(m.in, inputs); err != nil {
		return fmt.Errorf("%w: model inputs, vocabulary of %d", err, m.cfg.Vocab)
	}
	if targets != nil {
		if err := m.be.WriteIDs(m.targets, targets); err != nil {
			return fmt.Errorf("%w: model targets, vocabulary of %d", err, m.cfg.Vocab)
		}
	}
	return nil
}

// forward runs input → GRU → logits on the loaded ids, starting from the carried
// state, and carries the final state (detached) to the next call, with the
// dropout of a training step when drop is not nil. It does device work only, so a
// Trainer can record it.
func (m *Model) forward(drop *dropout) error {
	var err error
	if m.emb != nil {
		err = m.be.Gather(m.x, m.emb, m.in)
	} else {
		err = m.be.OneHot(m.x, m.in)
	}
	if err != nil {
		return err
	}
	var sd gru.Dropout
	if drop != nil {
		if drop.input > 0 {
			if err := m.be.Dropout(m.x, m.x, drop.input, drop.seed, 0, drop.step); err != nil {
				return err
			}
		}
		sd = gru.Dropout{P: drop.layers, Seed: drop.seed, Step: drop.step}
	}
	if err := m.stack.SetDropout(sd); err != nil {
		return err
	}
	m.fwdDrop = drop
	var h0 gru.Tensor
	if m.carry {
		h0 = m.state
	}
	if err := m.stack.Forward(m.x, h0, nil, m.y, m.hN); err != nil {
		return err
	}
	// logits = Y·W_out + b_out: [T·B, dirs·H]·[dirs·H, V].
	if err := m.be.MatMul(false, false, 1, m.y, m.wOut, 0, m.logits); err != nil {
		return err
	}
	if err := m.be.AddRow(m.logits, m.bOut); err != nil {
		return err
	}
	if err := m.be.Copy(m.state, m.hN); err != nil {
		return err
	}
	m.carry = true
	return nil
}

// backward writes the mean cross-entropy of the loaded targets to m.loss and adds
// the gradients of the last forward to the accumulated ones, on the device alone.
func (m *Model) backward() error {
	be := m.be
	if err := be.SoftmaxCrossEntropy(m.logits, m.targets, m.dlg, m.loss); err != nil {
		return err
	}
	// dW_out += Yᵀ·dlogits; db_out += Σ rows; dY = dlogits·W_outᵀ.
	if err := be.MatMul(true, false, 1, m.y, m.dlg, 1, m.dWOut); err != nil {
		return err
	}
	if err := be.SumRows(m.dBOut, m.dlg, 1); err != nil {
		return err
	}
	if err := be.MatMul(false, true, 1, m.dlg, m.wOut, 0, m.dy); err != nil {
		return err
	}
	if err := m.stack.Backward(m.dy, nil, m.dx, nil); err != nil {
		return err
	}
	if m.emb == nil {
		return nil
	}
	if d := m.fwdDrop; d != nil && d.input > 0 { // the input's mask, on its gradient
		if err := be.Dropout(m.dx, m.dx, d.input, d.seed, 0, d.step); err != nil {
			return err
		}
	}
	return be.ScatterAdd(m.dEmb, m.dx, m.in)
}

// evaluate writes the mean cross-entropy of the loaded targets to m.loss, without
// gradients.
func (m *Model) evaluate() error {
	return m.be.SoftmaxCrossEntropy(m.logits, m.targets, nil, m.loss)
}

// readLoss reads m.loss, the one value a step sends back to the host.
func (m *Model) readLoss() (float64, error) {
	var v [1]float64
	err := m.be.Read(v[:], m.loss)
	return v[0], err
}

// Step runs a training step's forward and backward for T×B time-major inputs and
// targets and returns the mean cross-entropy. Gradients are added to the
// accumulated ones; the optimiser applies them. A Trainer runs whole steps.
func (m *Model) Step(inputs, targets []int32, steps, batch int) (float64, error) {
	return m.lossOf(inputs, targets, steps, batch, m.backward)
}

// Loss returns the mean cross-entropy of the targets without computing gradients.
func (m *Model) Loss(inputs, targets []int32, steps, batch int) (float64, error) {
	return m.lossOf(inputs, targets, steps, batch, m.evaluate)
}

// lossOf loads the ids, runs the forward pass and then work (backward or
// evaluate), and reads back the loss work wrote.
func (m *Model) lossOf(inputs, targets []int32, steps, batch int, work func() error) (float64, error) {
	if err := m.load(inputs, targets, steps, batch); err != nil {
		return 0, err
	}
	if err := m.forward(nil); err != nil {
		return 0, err
	}
	if err := work(); err != nil {
		return 0, err
	}
	return m.readLoss()
}

// Next feeds one token of a single sequence and returns the logits of the token
// that follows it. The state carries across calls; ResetState starts afresh.
func (m *Model) Next(id int32) ([]float64, error) {
	if err := m.load([]int32{id}, nil, 1, 1); err != nil {
		return nil, err
	}
	if err := m.forward(nil); err != nil {
		return nil, err
	}
	out := make([]float64, m.cfg.Vocab)
	return out, m.be.Read(out, m.logits)
}

// Close frees everything the model holds on its backend.
func (m *Model) Close() error {
	m.freeBuffers()
	for _, t := range []gru.Tensor{m.loss, m.emb, m.dEmb, m.wOut, m.dWOut, m.bOut, m.dBOut} {
		if t != nil {
			m.be.Free(t)
		}
	}
	return m.stack.Close()
}
