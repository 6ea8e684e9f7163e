package main

import (
	"encoding/json"
	"fmt"
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
// train wrote, with its vocabulary.
func loadCheckpoint(dir string) (*checkpoint.Checkpoint, *corpus.Vocab, error) {
	path := dir
	if isDir, err := statDir(path); err == nil && isDir {
		path = checkpointPath(path)
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		return nil, nil, err
	}
	vocab, err := checkpointVocab(ck)
	if err != nil {
		return nil, nil, err
	}
	return ck, vocab, nil
}
