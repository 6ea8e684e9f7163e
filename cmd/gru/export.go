package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/interop"
)

func runExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "Writes a checkpoint's model for another runtime:\n"+
		"  pytorch  a state_dict in safetensors (embedding.weight, gru.* as nn.GRU names them,\n"+
		"           linear.weight, linear.bias) with the configuration and vocabulary in the metadata\n"+
		"  onnx     one runnable ONNX model: tokens int64 [T,B] and h0 [layers,B,H] in,\n"+
		"           logits [T,B,vocab] and hn out; the vocabulary in its metadata\n"+
		"See docs/export.md for running both.",
		"gru export --checkpoint runs/tm --format onnx --out tm.onnx", stderr)
	dir := fs.String("checkpoint", "", "checkpoint directory (or file) written by gru train")
	format := fs.String("format", "", "pytorch or onnx (default: from --out's extension, .safetensors or .onnx)")
	out := fs.String("out", "", "file to write (atomically)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		return usagef("--checkpoint and --out are required")
	}
	if *format == "" {
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".onnx":
			*format = "onnx"
		case ".safetensors":
			*format = "pytorch"
		default:
			return usagef("--format is needed: --out %q ends in neither .onnx nor .safetensors", *out)
		}
	}
	if *format != "pytorch" && *format != "onnx" {
		return usagef("--format %q: want pytorch or onnx", *format)
	}
	ck, vocab, err := loadCheckpoint(*dir, stderr)
	if err != nil {
		return err
	}
	tensors, err := ck.Tensors()
	if err != nil {
		return err
	}
	m := &interop.LM{Config: ck.Model, Tensors: tensors, Vocab: vocab.Tokens}
	cell := ck.Model.GRU.Variant
	if *format == "onnx" {
		if err := interop.SaveONNXLM(*out, m); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: ONNX model, %s; inputs tokens [T,B] int64 and h0 [%d,B,%d] float32, outputs logits [T,B,%d] and hn\n",
			*out, describeModel(ck.Model), ck.Model.GRU.Cells(), ck.Model.GRU.HiddenSize, ck.Model.Vocab)
		return nil
	}
	if err := interop.SavePyTorchLM(*out, m); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: PyTorch state_dict (safetensors, float32), %s\n", *out, describeModel(ck.Model))
	if cell != gru.ResetAfter {
		fmt.Fprintf(stderr, "export: note: the model uses the %v cell; torch.nn.GRU computes reset-after and would load these weights "+
			"but compute another function. Run them with the ResetBeforeGRU module in docs/export.md.\n", cell)
	}
	return nil
}
