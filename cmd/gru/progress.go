package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows training progress: a bar on stderr when it is a terminal, or one
// log/slog line every --log-every steps otherwise.
type progress struct {
	bar      *progressbar.ProgressBar
	log      *slog.Logger
	out      io.Writer
	every    int
	step_    int
	epoch    int
	epochs   int
	useBar   bool
	lastLine string
}

func newProgress(o *trainOptions, stderr io.Writer) *progress {
	p := &progress{out: stderr, every: o.LogEvery, epochs: o.Epochs}
	switch o.Progress {
	case "bar":
		p.useBar = true
	case "auto":
		if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			p.useBar = true
		}
	}
	p.log = slog.New(slog.NewTextHandler(stderr, nil))
	return p
}

func (p *progress) startEpoch(epoch, batches int) {
	p.epoch = epoch
	if p.useBar {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(p.epochs, progressbar.OptionSetWriter(p.out),
				progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
		}
	}
}

func (p *progress) step(loss, tokensPerS float64) {
	p.step_++
	if p.useBar {
		p.bar.Describe(fmt.Sprintf("epoch %d loss %.3f ppl %.2f %.0f tok/s", p.epoch, loss, exp(loss), tokensPerS))
		return
	}
	if p.step_%p.every == 0 {
		p.log.Info("train", "epoch", p.epoch, "step", p.step_, "loss", round(loss), "perplexity", round(exp(loss)), "tokens_per_s", int(tokensPerS))
	}
}

// endEpoch ends an epoch: a step of the bar, or a log line at the first, every
// tenth and the last epoch, and at every epoch that has a validation perplexity.
func (p *progress) endEpoch(r epochRecord) {
	if p.useBar {
		if r.ValidPerplexity != nil {
			p.bar.Describe(fmt.Sprintf("epoch %d ppl %.2f valid ppl %.2f", r.Epoch, r.Perplexity, *r.ValidPerplexity))
		}
		p.bar.Add(1)
		return
	}
	if r.ValidPerplexity != nil {
		p.log.Info("epoch", "epoch", r.Epoch, "loss", round(r.Loss), "perplexity", round(r.Perplexity),
			"valid_loss", round(*r.ValidLoss), "valid_perplexity", round(*r.ValidPerplexity), "tokens_per_s", int(r.TokensPerS))
		return
	}
	if r.Epoch == 1 || r.Epoch%10 == 0 || r.Epoch == p.epochs {
		p.log.Info("epoch", "epoch", r.Epoch, "loss", round(r.Loss), "perplexity", round(r.Perplexity), "tokens_per_s", int(r.TokensPerS))
	}
}

// printf writes a line that is not part of the progress display.
func (p *progress) printf(format string, args ...any) {
	if p.useBar {
		p.bar.Clear()
		fmt.Fprintf(p.out, format+"\n", args...)
		return
	}
	p.log.Info(fmt.Sprintf(format, args...))
}

func (p *progress) done() {
	if p.useBar && p.bar != nil {
		p.bar.Finish()
	}
}
