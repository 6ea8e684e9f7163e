package corpus

import (
	"fmt"
	"sort"
)

// Unknown is the token at index 0 of every vocabulary, as in D2L's Vocab.
const Unknown = "<unk>"

// Vocab maps character tokens to ids and back. Index 0 is Unknown; the others are
// ordered by falling frequency, ties by first appearance, as D2L's Vocab does.
type Vocab struct {
	Tokens []string // id → token
	index  map[string]int32
}

// BuildVocab counts the characters of text.
func BuildVocab(text string) *Vocab {
	count := map[rune]int{}
	var order []rune
	for _, r := range text {
		if count[r] == 0 {
			order = append(order, r)
		}
		count[r]++
	}
	sort.SliceStable(order, func(i, j int) bool { return count[order[i]] > count[order[j]] })
	tokens := []string{Unknown}
	for _, r := range order {
		tokens = append(tokens, string(r))
	}
	return NewVocab(tokens)
}

// NewVocab rebuilds a vocabulary from its token list (as stored in a checkpoint).
func NewVocab(tokens []string) *Vocab {
	v := &Vocab{Tokens: tokens, index: make(map[string]int32, len(tokens))}
	for i, t := range tokens {
		v.index[t] = int32(i)
	}
	return v
}

// Len is the number of tokens, Unknown included.
func (v *Vocab) Len() int { return len(v.Tokens) }

// Encode returns the ids of text's characters; characters not in the vocabulary map
// to Unknown's id 0.
func (v *Vocab) Encode(text string) []int32 {
	ids := make([]int32, 0, len(text))
	for _, r := range text {
		ids = append(ids, v.index[string(r)])
	}
	return ids
}

// Decode returns the text of ids.
func (v *Vocab) Decode(ids []int32) (string, error) {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id < 0 || int(id) >= len(v.Tokens) {
			return "", fmt.Errorf("corpus: id %d outside a vocabulary of %d", id, len(v.Tokens))
		}
		b = append(b, v.Tokens[id]...)
	}
	return string(b), nil
}

// Missing returns the distinct characters of text that are not in the vocabulary
// (which Encode would map to Unknown), in order of first appearance.
func (v *Vocab) Missing(text string) []string {
	var out []string
	seen := map[rune]bool{}
	for _, r := range text {
		if _, ok := v.index[string(r)]; !ok && !seen[r] {
			seen[r] = true
			out = append(out, string(r))
		}
	}
	return out
}
