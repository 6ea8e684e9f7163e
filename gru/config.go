package gru

import (
	"fmt"
	"math"

	"github.com/gogru/gogru/internal/checked"
)

// Variant selects where the reset gate is applied in the candidate state.
type Variant int

const (
	// ResetBefore is the D2L / Cho et al. v3 cell: N = tanh(X W_xn + b_xn + (R⊙H) W_hn + b_hn).
	// It is the zero value.
	ResetBefore Variant = iota
	// ResetAfter is the cuDNN / PyTorch cell: N = tanh(X W_xn + b_xn + R⊙(H W_hn + b_hn)).
	ResetAfter
)

// String returns the variant's name as the CLI spells it.
func (v Variant) String() string {
	switch v {
	case ResetBefore:
		return "reset-before"
	case ResetAfter:
		return "reset-after"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// ParseVariant reads a variant name as printed by Variant.String.
func ParseVariant(s string) (Variant, error) {
	switch s {
	case "reset-before", "before", "d2l":
		return ResetBefore, nil
	case "reset-after", "after", "cudnn", "pytorch":
		return ResetAfter, nil
	}
	return 0, fmt.Errorf("gru: unknown variant %q (want reset-before or reset-after)", s)
}

// Layout is the order of the time and batch axes of inputs and outputs.
type Layout int

const (
	// TimeMajor stores sequences as [T, B, D]. It is the zero value.
	TimeMajor Layout = iota
	// BatchFirst stores sequences as [B, T, D].
	BatchFirst
)

// String names the layout.
func (l Layout) String() string {
	switch l {
	case TimeMajor:
		return "time-major"
	case BatchFirst:
		return "batch-first"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// Config describes a GRU stack: layers × directions of cells.
type Config struct {
	InputSize     int     // D, features of each input step
	HiddenSize    int     // H, features of the state
	Layers        int     // number of stacked layers, at least 1
	Bidirectional bool    // run a reverse-direction cell beside each forward one
	Variant       Variant // where the reset gate is applied
	Layout        Layout  // axis order of x, y, dx and dy
}

// Directions is 2 for a bidirectional stack and 1 otherwise.
func (c Config) Directions() int {
	if c.Bidirectional {
		return 2
	}
	return 1
}

// Cells is the number of cells, Layers × Directions.
func (c Config) Cells() int { return c.Layers * c.Directions() }

// LayerInputSize is the input width of layer l: InputSize for the first layer and
// Directions·HiddenSize above it.
func (c Config) LayerInputSize(l int) int {
	if l == 0 {
		return c.InputSize
	}
	return c.Directions() * c.HiddenSize
}

// OutputSize is the width of each output step, Directions·HiddenSize.
func (c Config) OutputSize() int { return c.Directions() * c.HiddenSize }

// Validate reports the first field that cannot describe a GRU.
func (c Config) Validate() error {
	switch {
	case c.InputSize < 1:
		return fmt.Errorf("gru: config: InputSize must be at least 1, got %d", c.InputSize)
	case c.HiddenSize < 1:
		return fmt.Errorf("gru: config: HiddenSize must be at least 1, got %d", c.HiddenSize)
	case c.Layers < 1:
		return fmt.Errorf("gru: config: Layers must be at least 1, got %d", c.Layers)
	case c.Variant != ResetBefore && c.Variant != ResetAfter:
		return fmt.Errorf("gru: config: unknown %v", c.Variant)
	case c.Layout != TimeMajor && c.Layout != BatchFirst:
		return fmt.Errorf("gru: config: unknown %v", c.Layout)
	}
	if n := c.ParamCount(); n > maxParams {
		return fmt.Errorf("gru: config: %d layers of HiddenSize %d on InputSize %d give %s parameters, more than the %s that can be addressed",
			c.Layers, c.HiddenSize, c.InputSize, checked.Count(n), checked.Count(maxParams))
	}
	return nil
}

// maxParams bounds a stack's parameter count, so that every size derived from a
// valid Config (a tensor's elements, their bytes in float64, Cells) fits in an int.
const maxParams = math.MaxInt / 64

// ParamCount is the number of parameters of the stack. It is computed in closed
// form (no loop over layers) and in float64, exact below 2^53, so that no
// configuration, however large, overflows it or takes time to size.
func (c Config) ParamCount() float64 {
	dirs, h := float64(c.Directions()), float64(c.HiddenSize)
	cell := func(in float64) float64 { return in*3*h + h*3*h + 6*h }
	return dirs * (cell(float64(c.InputSize)) + float64(max(c.Layers-1, 0))*cell(dirs*h))
}

// SeqShape is the shape of a sequence tensor of width w in this layout:
// [T, B, w] time-major or [B, T, w] batch-first.
func (c Config) SeqShape(T, B, w int) []int {
	if c.Layout == BatchFirst {
		return []int{B, T, w}
	}
	return []int{T, B, w}
}

// StateShape is the shape of h0, hN, dh0 and dhN: [Layers·Directions, B, H].
func (c Config) StateShape(B int) []int { return []int{c.Cells(), B, c.HiddenSize} }
