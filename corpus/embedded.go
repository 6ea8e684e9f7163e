package corpus

import _ "embed"

// Embedded is a short English text about GRUs built into the binary, so that
// training works on a fresh machine with no files and no network.
//
//go:embed embedded.txt
var Embedded string
