package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru/checkpoint"
)

// statDir reports whether path is a directory.
func statDir(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return fi.IsDir(), nil
}

// checkpointVocab reads the vocabulary gru train stores in a checkpoint; it must
// have one token per id of the saved model.
func checkpointVocab(ck *checkpoint.Checkpoint) (*corpus.Vocab, error) {
	var tokens []string
	if err := json.Unmarshal([]byte(ck.Meta["vocab"]), &tokens); err != nil || len(tokens) != ck.Model.Vocab {
		return nil, fmt.Errorf("%s: no usable vocabulary stored (want %d tokens)", ck.Path, ck.Model.Vocab)
	}
	return corpus.NewVocab(tokens), nil
}

// loadCheckpoint reads the checkpoint in a directory (or the file itself) that gru
// train wrote, with its vocabulary (see verifiedCheckpoint).
func loadCheckpoint(dir string, stderr io.Writer) (*checkpoint.Checkpoint, *corpus.Vocab, error) {
	path := dir
	if isDir, err := statDir(path); err == nil && isDir {
		path = checkpointPath(path)
	}
	ck, err := verifiedCheckpoint(path, stderr)
	if err != nil {
		return nil, nil, err
	}
	vocab, err := checkpointVocab(ck)
	if err != nil {
		return nil, nil, err
	}
	return ck, vocab, nil
}

// verifiedCheckpoint loads and verifies a checkpoint (see checkpoint.Load) and, for one
// written before checkpoints carried a checksum, tells stderr that it was loaded
// unverified.
func verifiedCheckpoint(path string, stderr io.Writer) (*checkpoint.Checkpoint, error) {
	ck, err := checkpoint.Load(path)
	if err == nil && !ck.Verified {
		fmt.Fprintf(stderr, "notice: %s has no checksum (written before gogru stored one), so it was loaded unverified; the next save adds one\n", ck.Path)
	}
	return ck, err
}
