package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/gru/checkpoint"
)

// usedText is the part of the (preprocessed) text that training reads: its first
// maxTokens characters, or all of it when maxTokens is 0.
func usedText(text string, maxTokens int) string {
	if maxTokens <= 0 {
		return text
	}
	n := 0
	for i := range text {
		if n == maxTokens {
			return text[:i]
		}
		n++
	}
	return text
}

// corpusHash is the hex SHA-256 of the characters a run trains on, as stored in
// its checkpoint.
func corpusHash(used string) string {
	h := sha256.Sum256([]byte(used))
	return hex.EncodeToString(h[:])
}

// checkCorpus refuses to resume a run on a corpus other than the one it was
// trained on, unless --fine-tune asks for that; and, in either case, refuses text
// with characters outside the run's vocabulary, which would silently become <unk>.
// A checkpoint from before corpus hashes is resumed with a notice.
func checkCorpus(ck *checkpoint.Checkpoint, o *trainOptions, used string, vocab *corpus.Vocab, stdout, stderr io.Writer) error {
	saved, err := storedOptions(ck)
	if err != nil {
		return err
	}
	switch {
	case saved.CorpusHash == "":
		fmt.Fprintf(stderr, "gru train: notice: %s predates corpus hashes, so the corpus is not checked against the run's\n", ck.Path)
	case saved.CorpusHash != o.CorpusHash && !o.FineTune:
		return fmt.Errorf("%s: the run was trained on another corpus (%s, SHA-256 %.12s…); --data gives %s (SHA-256 %.12s…). "+
			"Resume with the run's --data and --max-tokens, or add --fine-tune to go on training on this text",
			ck.Path, saved.Corpus, saved.CorpusHash, o.Corpus, o.CorpusHash)
	case saved.CorpusHash != o.CorpusHash:
		fmt.Fprintf(stdout, "fine-tuning on %s (the run so far trained on %s)\n", o.Corpus, saved.Corpus)
	}
	if missing := vocab.Missing(used); len(missing) > 0 {
		show := missing
		if len(show) > 10 {
			show = show[:10]
		}
		return fmt.Errorf("%s: the text has %d character(s) outside the run's vocabulary of %d: %q%s. "+
			"The model has no input or output for them; remove them from the text, or train a new run on it",
			ck.Path, len(missing), vocab.Len(), strings.Join(show, ""), map[bool]string{true: "…", false: ""}[len(missing) > 10])
	}
	return nil
}
