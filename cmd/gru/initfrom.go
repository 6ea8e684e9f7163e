package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru/interop"
	"github.com/gogru/gogru/gru/lm"
)

// initVariant takes the cell of the --init-from file when --variant was not given,
// and says so: a bare nn.GRU's weights are reset-after, where gru train's default
// is D2L's reset-before. A --variant given explicitly is kept, and initFrom refuses
// a file of the other cell.
func initVariant(o *trainOptions, fs *flag.FlagSet, stdout io.Writer) error {
	if o.InitFrom == "" {
		return nil
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "variant" })
	if given {
		return nil
	}
	v, err := interop.PyTorchLMCell(o.InitFrom)
	if err != nil {
		return fmt.Errorf("--init-from: %w", err)
	}
	if v.String() != o.Variant {
		o.Variant = v.String()
		fmt.Fprintf(stdout, "init: %s holds %v weights, so the run trains that cell (--variant %v)\n", o.InitFrom, v, v)
	}
	return nil
}

// initVocab returns the vocabulary of a new run: the one stored in the --init-from
// file when it holds one (a file gru export wrote), so that its token ids keep their
// meaning, else the corpus's own.
func initVocab(path, text string) (*corpus.Vocab, error) {
	if path == "" {
		return corpus.BuildVocab(text), nil
	}
	tokens, err := interop.PyTorchLMVocab(path)
	if err != nil {
		return nil, fmt.Errorf("--init-from: %w", err)
	}
	if tokens == nil {
		return corpus.BuildVocab(text), nil
	}
	return corpus.NewVocab(tokens), nil
}

// initFrom overwrites m's freshly initialised parameters with the weights of a
// PyTorch state_dict in safetensors (--init-from): nn.GRU's tensors, bare or under
// "gru.", and "embedding.weight" and "linear.*" when the file has them. Shapes,
// dtypes and finiteness are checked, with errors naming the tensor, before
// anything is written. Nothing happens when path is empty.
func initFrom(path string, m *lm.Model, stdout io.Writer) error {
	if path == "" {
		return nil
	}
	mc := m.Config()
	w, err := interop.LoadPyTorchLM(path, mc)
	if err != nil {
		return fmt.Errorf("--init-from: %w\n(the run's model: %s; the flags --hidden, --layers, --embed and the vocabulary set its shapes)", err, describeModel(mc))
	}
	if v := w.Config.GRU.Variant; v != mc.GRU.Variant {
		return usagef("--init-from %s holds weights for the %v cell (a bare nn.GRU's are reset-after); the run's --variant is %v: add --variant %v", path, v, mc.GRU.Variant, v)
	}
	names := m.ParamNames()
	loaded := map[string]bool{}
	for i, p := range m.Params() {
		v, ok := w.Tensors[names[i]]
		if !ok {
			continue
		}
		if err := m.Backend().Write(p, v); err != nil {
			return err
		}
		part, _, _ := strings.Cut(names[i], ".")
		loaded[part] = true
	}
	var from, kept []string
	for _, part := range []struct{ name, what string }{{"embedding", "embedding"}, {"gru", "GRU"}, {"out", "linear layer"}} {
		switch {
		case loaded[part.name]:
			from = append(from, part.what)
		case part.name != "embedding" || mc.Embed > 0:
			kept = append(kept, part.what)
		}
	}
	msg := fmt.Sprintf("init: %s from %s", strings.Join(from, ", "), path)
	if len(kept) > 0 {
		msg += fmt.Sprintf("; %s from --init", strings.Join(kept, ", "))
	}
	fmt.Fprintln(stdout, msg)
	return nil
}
