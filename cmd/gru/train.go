package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
	"github.com/gogru/gogru/internal/atomicfile"
)

// trainOptions are gru train's flags.
type trainOptions struct {
	Data        string  `json:"data"`
	Corpus      string  `json:"corpus"`                  // what --data named, as train printed it
	CorpusHash  string  `json:"corpus_sha256,omitempty"` // the SHA-256 of the characters trained on (see usedText)
	MaxTokens   int     `json:"max_tokens"`
	Raw         bool    `json:"raw"`
	Batch       int     `json:"batch"`
	Steps       int     `json:"steps"`
	Hidden      int     `json:"hidden"`
	Layers      int     `json:"layers"`
	Embed       int     `json:"embed"`
	Variant     string  `json:"variant"`
	Init        string  `json:"init"`
	Bidir       bool    `json:"bidirectional"`
	Optimizer   string  `json:"optimizer"`
	LR          float64 `json:"lr"`
	Clip        float64 `json:"clip"`
	Epochs      int     `json:"epochs"`
	Sampling    string  `json:"sampling"`
	Seed        uint64  `json:"seed"`
	Device      string  `json:"-"`
	Kernel      string  `json:"-"`
	DType       string  `json:"dtype"`
	Checkpoint  string  `json:"-"`
	Every       int     `json:"-"`
	Resume      bool    `json:"-"`
	Overwrite   bool    `json:"-"`
	FineTune    bool    `json:"-"`
	InitFrom    string  `json:"init_from"`
	LogEvery    int     `json:"-"`
	SampleEvery int     `json:"-"`
	Prefix      string  `json:"-"`
	Plot        string  `json:"-"`
	Progress    string  `json:"-"`

	// The optimiser's and the schedule's flags (trainopt.go), and the cosine
	// schedule's length in steps, fixed when the run starts.
	Momentum    float64 `json:"momentum,omitempty"`
	WeightDecay float64 `json:"weight_decay,omitempty"`
	LRSchedule  string  `json:"lr_schedule,omitempty"`
	Warmup      int     `json:"warmup,omitempty"`
	LRStep      int     `json:"lr_step,omitempty"`
	LRGamma     float64 `json:"lr_gamma,omitempty"`
	LRTotal     int     `json:"lr_total_steps,omitempty"`

	// Dropout's flags (dropout.go): between layers and on the GRU's input.
	Dropout      float64 `json:"dropout,omitempty"`
	InputDropout float64 `json:"input_dropout,omitempty"`
	// ValidFraction is the share of the corpus's tail held out (valid.go).
	ValidFraction float64         `json:"valid_fraction,omitempty"`
	Keep          string          `json:"-"`
	given         map[string]bool // the flags set on the command line

	dist *job // the data-parallel job this process is a rank of; nil alone
}

func trainFlags(o *trainOptions, out io.Writer) *flag.FlagSet {
	fs := newFlagSet("train", "Trains a character language model: one-hot (or embedding) → GRU → linear →\n"+
		"softmax cross-entropy. The defaults are D2L's GRU run on The Time Machine (batch 32,\n"+
		"35 steps, hidden 256, SGD lr 1, clip 1, 500 epochs, letters only, 10000 tokens).",
		"gru train --checkpoint runs/tm", out)
	fs.StringVar(&o.Data, "data", "timemachine", "text to train on: 'timemachine' (D2L's corpus, fetched once, verified by SHA-1 and cached; a local copy given as a file is cached too), 'builtin' (a short text in the binary) or a UTF-8 file")
	fs.IntVar(&o.MaxTokens, "max-tokens", 10000, "keep the first N tokens of the corpus (0 keeps all)")
	fs.BoolVar(&o.Raw, "raw", false, "keep every character as a token instead of D2L's letters-only lower case")
	fs.IntVar(&o.Batch, "batch", 32, "sequences per minibatch")
	fs.IntVar(&o.Steps, "steps", 35, "time steps per minibatch")
	fs.IntVar(&o.Hidden, "hidden", 256, "hidden units per layer")
	fs.IntVar(&o.Layers, "layers", 1, "stacked GRU layers")
	fs.IntVar(&o.Embed, "embed", 0, "embedding width (0 feeds one-hot vectors, as D2L)")
	fs.StringVar(&o.Variant, "variant", "reset-before", "cell: reset-before (D2L) or reset-after (cuDNN/PyTorch)")
	fs.StringVar(&o.Init, "init", "d2l", "initialiser: d2l, pytorch or xavier-orthogonal")
	fs.BoolVar(&o.Bidir, "bidirectional", false, "bidirectional GRU (refused: a language model must not see the future)")
	optimizerFlags(fs, o)
	fs.Float64Var(&o.Clip, "clip", 1, "clip gradients to this global L2 norm (0 disables)")
	dropoutFlags(fs, o)
	fs.IntVar(&o.Epochs, "epochs", 500, "epochs to train (with --resume: the total, counting those done)")
	fs.StringVar(&o.Sampling, "sampling", "sequential", "minibatches: sequential (state carried between batches) or random")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed for initialisation and batching")
	fs.StringVar(&o.Device, "device", "auto", "cpu, cuda, auto (the GPU when the binary has it and one exists) or sim (the CUDA simulator, slow)")
	fs.StringVar(&o.Kernel, "kernel", "gemm", kernelUsage)
	fs.StringVar(&o.DType, "dtype", "float32", dtypeHelp)
	fs.StringVar(&o.Checkpoint, "checkpoint", "", "directory for checkpoints (written atomically)")
	fs.IntVar(&o.Every, "checkpoint-every", 50, "write a checkpoint every N epochs (and at the end)")
	fs.Float64Var(&o.ValidFraction, "valid-fraction", 0, "hold out this share of the corpus's tail (after --max-tokens) and log its perplexity each epoch")
	fs.StringVar(&o.Keep, "keep", "last", "checkpoints to keep: last, or best (also DIR/best, the epoch of the best validation perplexity; needs --valid-fraction)")
	fs.BoolVar(&o.Resume, "resume", false, "continue from the checkpoint in --checkpoint (on the same corpus)")
	fs.BoolVar(&o.Overwrite, "overwrite", false, "start afresh in a --checkpoint directory that holds a run, moving that run aside to DIR.old-<time>")
	fs.BoolVar(&o.FineTune, "fine-tune", false, "--resume on another corpus; its characters must all be in the run's vocabulary")
	fs.StringVar(&o.InitFrom, "init-from", "", "start from the weights of a PyTorch state_dict in safetensors: an nn.GRU's, or a file gru export wrote (its vocabulary too); without --variant, the file's cell is trained; see docs/export.md")
	fs.IntVar(&o.LogEvery, "log-every", 100, "log a line every N steps when stderr is not a terminal")
	fs.IntVar(&o.SampleEvery, "sample-every", 50, "print a sample continuation of --prefix every N epochs (0 never)")
	fs.StringVar(&o.Prefix, "prefix", "time traveller", "prefix for the sample continuations")
	fs.StringVar(&o.Plot, "plot", "", "write the loss and perplexity curves to this PNG (default: DIR/curve.png with --checkpoint)")
	fs.StringVar(&o.Progress, "progress", "auto", "progress display: auto (a bar on a terminal), bar or log")
	return fs
}

// validate checks flag values that flag itself cannot.
func (o *trainOptions) validate() error {
	if o.Bidir {
		return usagef("--bidirectional: a bidirectional GRU reads the characters it must predict, so it cannot be a language model; drop the flag")
	}
	for _, c := range []struct {
		name string
		v    int
		min  int
	}{{"--batch", o.Batch, 1}, {"--steps", o.Steps, 1}, {"--hidden", o.Hidden, 1}, {"--layers", o.Layers, 1},
		{"--epochs", o.Epochs, 1}, {"--embed", o.Embed, 0}, {"--max-tokens", o.MaxTokens, 0},
		{"--checkpoint-every", o.Every, 1}, {"--log-every", o.LogEvery, 1}, {"--sample-every", o.SampleEvery, 0}} {
		if c.v < c.min {
			return usagef("%s %d: must be at least %d", c.name, c.v, c.min)
		}
	}
	if _, err := parseKernel(o.Kernel); err != nil {
		return err
	}
	if !(o.Clip >= 0) || math.IsInf(o.Clip, 1) {
		return usagef("--clip %v: must be 0 (off) or positive and finite", o.Clip)
	}
	if _, err := gru.ParseVariant(o.Variant); err != nil {
		return usageError{err}
	}
	if _, err := gru.ParseInit(o.Init); err != nil {
		return usageError{err}
	}
	if _, err := corpus.ParseSampling(o.Sampling); err != nil {
		return usageError{err}
	}
	if o.Progress != "auto" && o.Progress != "bar" && o.Progress != "log" {
		return usagef("--progress %q: want auto, bar or log", o.Progress)
	}
	if o.FineTune {
		o.Resume = true
	}
	if o.Resume && o.Checkpoint == "" {
		return usagef("--resume and --fine-tune need --checkpoint DIR")
	}
	if o.Overwrite && (o.Resume || o.Checkpoint == "") {
		return usagef("--overwrite starts afresh in --checkpoint DIR: it needs --checkpoint and excludes --resume and --fine-tune")
	}
	if o.Resume && o.InitFrom != "" {
		return usagef("--init-from starts a new run; --resume continues one: give one of them")
	}
	if err := o.validateDropout(); err != nil {
		return err
	}
	if !(o.ValidFraction >= 0 && o.ValidFraction < 1) {
		return usagef("--valid-fraction %v: must lie in [0, 1)", o.ValidFraction)
	}
	switch {
	case o.Keep != "last" && o.Keep != "best":
		return usagef("--keep %q: want last or best", o.Keep)
	case o.Keep == "best" && ((o.ValidFraction == 0 && !o.Resume) || o.Checkpoint == ""):
		// A resume takes the run's --valid-fraction (checked there).
		return usagef("--keep best needs --valid-fraction f (what best means) and --checkpoint DIR (where to keep it)")
	}
	return o.validateOptimizer()
}

func (o *trainOptions) modelConfig(vocab int) lm.Config {
	v, _ := gru.ParseVariant(o.Variant)
	init, _ := gru.ParseInit(o.Init)
	mc := lm.Config{Vocab: vocab, Embed: o.Embed, Init: init,
		GRU: gru.Config{HiddenSize: o.Hidden, Layers: o.Layers, Variant: v}}
	mc.GRU.InputSize = mc.InputWidth()
	return mc
}

// loadText returns the training text named by --data and a description of it.
// "timemachine" (the default) is D2L's corpus from the cache, downloaded and
// verified on first use; "builtin" is the short text in the binary; anything else
// is a file, read only as far as maxTokens needs when it is large (see
// corpus.ReadFile), and a file that is D2L's corpus (its SHA-1 matches) is also
// cached, so that later runs find it without a network.
func loadText(data string, maxTokens int, lettersOnly bool) (string, string, error) {
	switch data {
	case "builtin":
		return corpus.Embedded, "the short built-in text", nil
	case "timemachine":
		dir, err := corpus.CacheDir()
		if err != nil {
			return "", "", err
		}
		tm := corpus.TimeMachine
		if url := os.Getenv("GOGRU_TIMEMACHINE_URL"); url != "" { // a mirror
			tm.URL = url
		}
		text, err := tm.Fetch(context.Background(), dir)
		if err != nil {
			return "", "", fmt.Errorf("The Time Machine (D2L's corpus, the default --data) is not in %s yet: %w.\n"+
				"A copy given once is checked against SHA-1 %s and cached, so later runs need no flag; --data builtin trains on the short built-in text instead",
				dir, err, corpus.TimeMachine.SHA1)
		}
		return text, timeMachineSource(filepath.Join(dir, corpus.TimeMachine.Name)), nil
	case "":
		return "", "", usagef("--data is empty: give a file, timemachine (the default) or builtin")
	}
	text, err := corpus.ReadFile(data, maxTokens, lettersOnly)
	if err != nil {
		return "", "", err
	}
	dir, err := corpus.CacheDir()
	if err != nil {
		return text, data, nil // a file needs no cache
	}
	if ok, err := corpus.TimeMachine.Adopt([]byte(text), dir); ok {
		src := timeMachineSource(data)
		if err == nil {
			src += ", now cached for runs without --data"
		}
		return text, src, nil
	}
	return text, data, nil
}

// timeMachineSource describes D2L's corpus read from path.
func timeMachineSource(path string) string {
	return fmt.Sprintf("The Time Machine (D2L's corpus, SHA-1 %s… verified) from %s", corpus.TimeMachine.SHA1[:10], path)
}

// epochRecord is one epoch of the learning curve.
type epochRecord struct {
	Epoch      int     `json:"epoch"`
	Loss       float64 `json:"loss"`
	Perplexity float64 `json:"perplexity"`
	TokensPerS float64 `json:"tokens_per_s"`
	// ValidLoss and ValidPerplexity are the validation split's, nil when none was scored.
	ValidLoss       *float64 `json:"valid_loss,omitempty"`
	ValidPerplexity *float64 `json:"valid_perplexity,omitempty"`
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	var o trainOptions
	fs := trainFlags(&o, stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	o.given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.given[f.Name] = true })
	if err := o.validate(); err != nil {
		return err
	}
	j, err := startJob(fs)
	if err != nil {
		return err
	}
	o.dist = j
	out, errOut := j.out(stdout), j.out(stderr) // rank 0 alone prints
	if err = initVariant(&o, fs, out); err == nil {
		err = train(&o, out, errOut)
	}
	return j.finish(err, stderr)
}

// checkpointPath is the one checkpoint file in a checkpoint directory.
func checkpointPath(dir string) string { return filepath.Join(dir, "checkpoint.safetensors") }

// graphsEnv names the environment variable that, set to 0, turns the Trainer's
// recording off (lm.Trainer.Graphs), so that every step runs its operations one
// by one: for debugging a step, or timing it against its recording.
const graphsEnv = "GOGRU_GRAPHS"

func train(o *trainOptions, stdout, stderr io.Writer) error {
	started := time.Now()
	if err := o.dist.checkBatch(o.Batch); err != nil {
		return err
	}
	// The device first: a flag it refuses should not wait for the corpus.
	be, err := openBackend(o.Device, o.DType, o.Kernel, o.dist.gpu(o.Device), stdout)
	if err != nil {
		return err
	}
	defer be.Close()
	var rd *runDir
	if o.Checkpoint != "" && o.dist.leader() { // rank 0 alone writes there
		if rd, err = openRunDir(o, stderr); err != nil {
			return err
		}
		defer rd.Close()
	} else if err := atomicfile.CheckDestination(o.Plot); o.Plot != "" && err != nil {
		return err // what openRunDir checks for the curve, without a directory
	}
	text, source, err := loadText(o.Data, o.MaxTokens, !o.Raw)
	if err != nil {
		return err
	}
	text = corpus.Preprocess(text, !o.Raw)
	o.Corpus = source

	var ck *checkpoint.Checkpoint
	var vocab *corpus.Vocab
	if o.Resume {
		if ck, err = verifiedCheckpoint(checkpointPath(o.Checkpoint), stderr); err != nil {
			return err
		}
		if vocab, err = checkpointVocab(ck); err != nil {
			return err
		}
		saved, err := storedOptions(ck)
		if err != nil {
			return err
		}
		if err := o.resumeOptimizer(saved, ck.Path); err != nil {
			return err
		}
		if err := o.resumeDropout(saved, ck.Path); err != nil {
			return err
		}
		if err := o.resumeValidation(saved, ck.Path); err != nil {
			return err
		}
	} else if vocab, err = initVocab(o.InitFrom, text); err != nil {
		return err
	}
	used := usedText(text, o.MaxTokens)
	o.CorpusHash = corpusHash(used)
	if ck != nil {
		if err := checkCorpus(ck, o, used, vocab, stdout, stderr); err != nil {
			return err
		}
	}
	ids := vocab.Encode(used)
	fmt.Fprintf(stdout, "data: %s, %d tokens, vocabulary %d\n", source, len(ids), vocab.Len())
	if err := o.dist.agree(o, be, ids, stdout); err != nil {
		return err
	}
	all := len(ids)
	ids, valid, err := splitValid(ids, o.ValidFraction, o.Batch, o.Steps)
	if err != nil {
		return err
	}
	if valid != nil {
		fmt.Fprintf(stdout, "validation: the last %d tokens (--valid-fraction %v), scored in batches of %d × %d (%d in all)\n",
			all-len(ids), o.ValidFraction, valid[0].B, valid[0].T, len(valid))
	}
	sched, err := o.schedule(len(ids))
	if err != nil {
		return err
	}

	mc := o.modelConfig(vocab.Len())
	if ck != nil && ck.Model != mc {
		return fmt.Errorf("%s: the checkpoint was trained with %s; the flags ask for %s", ck.Path, describeModel(ck.Model), describeModel(mc))
	}
	if err := checkTrainingFits(be, mc, o); err != nil {
		return err
	}
	model, err := lm.New(be, mc, gru.NewRand(o.Seed))
	if err != nil {
		return err
	}
	defer model.Close()
	if err := initFrom(o.InitFrom, model, stdout); err != nil {
		return err
	}
	opt, err := newOptimizer(be, model.Params(), o, sched)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "optimizer: %s\n", optimizerSummary(o))
	trainer, err := lm.NewTrainer(model, opt, o.Clip)
	if err != nil {
		return err
	}
	defer trainer.Close()
	trainer.Graphs = os.Getenv(graphsEnv) != "0"
	if err := setDropout(trainer, o, stdout); err != nil {
		return err
	}
	if trainer.Reducer, err = o.dist.reducer(be, o.Device, stdout); err != nil {
		return err
	}
	defer o.dist.closeReducer()
	sampling, _ := corpus.ParseSampling(o.Sampling)
	src := rand.NewPCG(o.Seed, 0x5eed)
	rng := rand.New(src)
	var history []epochRecord
	first := 0
	if ck != nil {
		if first, history, err = restoreRun(ck, model, opt, src, o); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "resumed from %s at epoch %d\n", ck.Path, first)
		if saved, err := storedOptions(ck); err == nil && (saved.LR != o.LR || saved.Clip != o.Clip) {
			fmt.Fprintf(stdout, "from epoch %d: --lr %v --clip %v (the run so far used --lr %v --clip %v)\n", first+1, o.LR, o.Clip, saved.LR, saved.Clip)
		}
	}

	if rd != nil {
		aside, err := rd.moveAside()
		if err != nil {
			return err
		}
		if aside != "" {
			fmt.Fprintf(stdout, "--overwrite: the previous run in %s is now in %s\n", o.Checkpoint, aside)
		}
	}
	prog := newProgress(o, stderr)
	var tokens int
	trainTime := time.Duration(0)
	saved := first // the epoch of the last checkpoint written (or resumed from)
	for epoch := first + 1; epoch <= o.Epochs; epoch++ {
		t0 := time.Now()
		batches, err := corpus.Epoch(ids, o.Batch, o.Steps, sampling, rng)
		if err != nil {
			return err
		}
		prog.startEpoch(epoch, len(batches))
		model.ResetState()
		var sum float64
		var n int
		for step, b := range batches {
			global := len(b.X) // the tokens of every rank's rows
			if b, err = o.dist.rows(b); err != nil {
				return err
			}
			if sampling == corpus.Random {
				model.ResetState()
			}
			loss, err := trainer.Step(b.X, b.Y, b.T, b.B) // zero grads, forward, backward, clip, update
			if err != nil {
				return err
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				prog.done()
				writeCurve(o, history, stdout, stderr, describeModel(mc))
				return o.dist.alike(fmt.Errorf("the run diverged: epoch %d, step %d of %d: the loss is %v. %s",
					epoch, step+1, len(batches), loss, divergedAdvice(o, saved)))
			}
			sum += loss * float64(global)
			n += global
			prog.step(sum/float64(n), float64(n)/time.Since(t0).Seconds())
		}
		if err := be.Sync(); err != nil {
			if errors.Is(err, gru.ErrDeviceLost) {
				return &lm.DeviceLostError{Err: err} // as the Trainer reports it: the checkpoint is intact
			}
			return err
		}
		dt := time.Since(t0)
		trainTime += dt
		tokens += n
		rec := epochRecord{Epoch: epoch, Loss: sum / float64(n), Perplexity: math.Exp(sum / float64(n)), TokensPerS: float64(n) / dt.Seconds()}
		if valid != nil {
			vl, err := scoreValid(trainer, model, valid)
			if err != nil {
				return err
			}
			vp := math.Exp(vl)
			rec.ValidLoss, rec.ValidPerplexity = &vl, &vp
		}
		best := bestSoFar(history)
		history = append(history, rec)
		prog.endEpoch(rec)
		if o.dist.leader() && o.Keep == "best" && rec.ValidPerplexity != nil && *rec.ValidPerplexity < best {
			if err := saveRunTo(keepBestPath(o), o, model, opt, src, vocab, epoch, history); err != nil {
				return fmt.Errorf("epoch %d: keeping the best checkpoint: %w", epoch, err)
			}
		}
		if o.dist.leader() && o.SampleEvery > 0 && (epoch%o.SampleEvery == 0 || epoch == o.Epochs) {
			s, err := generate(model, vocab, o.Prefix, !o.Raw, 50, 0, nil)
			if err != nil {
				return err
			}
			prog.printf("epoch %d sample: %q", epoch, s)
		}
		if o.dist.leader() && o.Checkpoint != "" && (epoch%o.Every == 0 || epoch == o.Epochs) {
			if err := saveRun(o, model, opt, src, vocab, epoch, history); err != nil {
				prog.done()
				writeCurve(o, history, stdout, stderr, describeModel(mc))
				return fmt.Errorf("epoch %d: %w. %s", epoch, err, keptNote(o, saved))
			}
			saved = epoch
		}
	}
	prog.done()
	if first >= o.Epochs {
		fmt.Fprintf(stdout, "nothing to do: the checkpoint is at epoch %d of --epochs %d\n", first, o.Epochs)
		return nil
	}
	last := history[len(history)-1]
	fmt.Fprintf(stdout, "final: epoch %d, perplexity %.3f, %.0f tokens/s, wall %.1fs (training %.1fs)\n",
		last.Epoch, last.Perplexity, float64(tokens)/trainTime.Seconds(), time.Since(started).Seconds(), trainTime.Seconds())
	reportValid(stdout, o, history)
	writeCurve(o, history, stdout, stderr, describeModel(mc))
	return nil
}

// plotPath is where train draws the learning curve: --plot, else DIR/curve.png
// with --checkpoint, else nowhere ("").
func plotPath(o *trainOptions) string {
	if o.Plot == "" && o.Checkpoint != "" {
		return filepath.Join(o.Checkpoint, "curve.png")
	}
	return o.Plot
}

// writeCurve draws the learning curve where plotPath says. A plot never fails a
// run: a failure is a warning on stderr.
func writeCurve(o *trainOptions, history []epochRecord, stdout, stderr io.Writer, notes ...string) {
	path := plotPath(o)
	if path == "" || len(history) == 0 || !o.dist.leader() {
		return
	}
	if err := plotCurve(path, history, notes...); err != nil {
		fmt.Fprintf(stderr, "gru train: warning: no curve drawn: %v\n", err)
		return
	}
	fmt.Fprintf(stdout, "curve: %s\n", path)
}

// divergedAdvice says what is left of a diverged run, and how to go on.
func divergedAdvice(o *trainOptions, saved int) string {
	if o.Checkpoint != "" && saved > 0 {
		return keptNote(o, saved) + ": resume from it with --resume and a lower --lr, or set --clip"
	}
	return keptNote(o, saved) + "; lower --lr or set --clip and train again"
}

// keptNote says which checkpoint a run that stops early leaves.
func keptNote(o *trainOptions, saved int) string {
	switch {
	case o.Checkpoint == "":
		return "No checkpoint was kept (no --checkpoint)"
	case saved == 0:
		return fmt.Sprintf("No checkpoint had been written yet (every %d epochs)", o.Every)
	}
	return fmt.Sprintf("The last good checkpoint, %s at epoch %d, is kept", checkpointPath(o.Checkpoint), saved)
}

// saveRun writes a checkpoint with everything needed to resume exactly.
func saveRun(o *trainOptions, m *lm.Model, opt optim.Optimizer, src *rand.PCG, vocab *corpus.Vocab, epoch int, history []epochRecord) error {
	return saveRunTo(checkpointPath(o.Checkpoint), o, m, opt, src, vocab, epoch, history)
}

// saveRunTo is saveRun to the checkpoint file path, its directory made if need be.
func saveRunTo(path string, o *trainOptions, m *lm.Model, opt optim.Optimizer, src *rand.PCG, vocab *corpus.Vocab, epoch int, history []epochRecord) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	rngState, err := src.MarshalBinary()
	if err != nil {
		return err
	}
	vj, err := json.Marshal(vocab.Tokens)
	if err != nil {
		return err
	}
	hj, err := json.Marshal(history)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	oj, err := json.Marshal(o)
	if err != nil {
		return err
	}
	meta := map[string]string{
		"epoch":   strconv.Itoa(epoch),
		"rng":     base64.StdEncoding.EncodeToString(rngState),
		"vocab":   string(vj),
		"history": string(hj),
		"options": string(oj),
	}
	return checkpoint.Save(path, m, opt, meta)
}

// storedOptions returns the training flags saveRun stored in a checkpoint.
func storedOptions(ck *checkpoint.Checkpoint) (trainOptions, error) {
	var o trainOptions
	if err := json.Unmarshal([]byte(ck.Meta["options"]), &o); err != nil {
		return o, fmt.Errorf("%s: bad stored options: %v", ck.Path, err)
	}
	return o, nil
}

// restoreRun loads the model, optimiser and RNG state and returns the epoch reached
// and the curve so far. Training flags that change the run's arithmetic must match,
// except --lr and --clip, which a resume may change (to recover from divergence, or
// to follow a schedule by hand); train says when they differ.
func restoreRun(ck *checkpoint.Checkpoint, m *lm.Model, opt optim.Optimizer, src *rand.PCG, o *trainOptions) (int, []epochRecord, error) {
	saved, err := storedOptions(ck)
	if err != nil {
		return 0, nil, err
	}
	savedMax := saved.MaxTokens
	if o.FineTune { // another corpus: its length is the user's choice
		savedMax = o.MaxTokens
	}
	for _, c := range []struct {
		name      string
		now, then any
	}{{"--optimizer", o.Optimizer, saved.Optimizer},
		{"--batch", o.Batch, saved.Batch}, {"--steps", o.Steps, saved.Steps}, {"--sampling", o.Sampling, saved.Sampling},
		{"--dtype", o.DType, saved.DType}, {"--max-tokens", o.MaxTokens, savedMax}, {"--raw", o.Raw, saved.Raw}} {
		if c.now != c.then {
			return 0, nil, fmt.Errorf("%s: the run used %s %v; the flags say %v", ck.Path, c.name, c.then, c.now)
		}
	}
	epoch, err := strconv.Atoi(ck.Meta["epoch"])
	if err != nil || epoch < 0 {
		return 0, nil, fmt.Errorf("%s: bad epoch %q: want the number of epochs done, 0 or more", ck.Path, ck.Meta["epoch"])
	}
	var history []epochRecord
	if err := json.Unmarshal([]byte(ck.Meta["history"]), &history); err != nil {
		return 0, nil, fmt.Errorf("%s: bad history: %v", ck.Path, err)
	}
	if len(history) > epoch {
		return 0, nil, fmt.Errorf("%s: bad history: %d epochs recorded, but the run is at epoch %d", ck.Path, len(history), epoch)
	}
	state, err := base64.StdEncoding.DecodeString(ck.Meta["rng"])
	if err == nil {
		err = src.UnmarshalBinary(state)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("%s: bad RNG state: %v", ck.Path, err)
	}
	if err := ck.Restore(m, opt); err != nil {
		return 0, nil, err
	}
	return epoch, history, nil
}

func describeModel(mc lm.Config) string {
	return fmt.Sprintf("vocab %d, embed %d, hidden %d, layers %d, variant %v, init %v",
		mc.Vocab, mc.Embed, mc.GRU.HiddenSize, mc.GRU.Layers, mc.GRU.Variant, mc.Init)
}
