// Package corpus turns text into token ids for a character language model, the way
// D2L's chapter on recurrent networks does: it reads a text (a file, D2L's Time
// Machine, or the corpus embedded in the binary), keeps letters only in lower case,
// splits characters, builds a vocabulary by frequency, and cuts minibatches by
// sequential partitioning or random sampling. It is for applications that train a
// language model (see gru/lm) on text.
package corpus
