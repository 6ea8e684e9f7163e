package gru

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Init names a parameter initialiser.
type Init int

const (
	// InitPyTorch draws every weight and bias from U(−1/√H, 1/√H), as nn.GRU does.
	InitPyTorch Init = iota
	// InitD2L draws weights from N(0, 0.01²) and sets biases to zero, as D2L's
	// from-scratch GRU does.
	InitD2L
	// InitXavierOrthogonal draws W_x Xavier-uniform (per gate block), makes each
	// H×H gate block of W_h orthogonal, and sets biases to zero (Keras's default).
	InitXavierOrthogonal
)

// String names the initialiser as the CLI spells it.
func (i Init) String() string {
	switch i {
	case InitPyTorch:
		return "pytorch"
	case InitD2L:
		return "d2l"
	case InitXavierOrthogonal:
		return "xavier-orthogonal"
	}
	return fmt.Sprintf("Init(%d)", int(i))
}

// ParseInit reads an initialiser name as printed by Init.String.
func ParseInit(s string) (Init, error) {
	for _, i := range []Init{InitPyTorch, InitD2L, InitXavierOrthogonal} {
		if i.String() == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("gru: unknown initialiser %q (want pytorch, d2l or xavier-orthogonal)", s)
}

// NewRand returns the seeded generator gogru uses everywhere (PCG), so that a
// run is reproducible from its seed.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// InitParams returns parameters for cfg drawn by init from rng.
func InitParams(cfg Config, init Init, rng *rand.Rand) (*Params, error) {
	if rng == nil {
		return nil, fmt.Errorf("gru: InitParams: nil random source")
	}
	p, err := NewParams(cfg)
	if err != nil {
		return nil, err
	}
	H := cfg.HiddenSize
	for i := range p.Cells {
		c := &p.Cells[i]
		switch init {
		case InitPyTorch:
			k := 1 / math.Sqrt(float64(H))
			for _, s := range c.Tensors() {
				for j := range s {
					s[j] = (2*rng.Float64() - 1) * k
				}
			}
		case InitD2L:
			for _, s := range [][]float64{c.Wx, c.Wh} {
				for j := range s {
					s[j] = 0.01 * rng.NormFloat64()
				}
			}
		case InitXavierOrthogonal:
			D := len(c.Wx) / (3 * H)
			a := math.Sqrt(6 / float64(D+H))
			for j := range c.Wx {
				c.Wx[j] = (2*rng.Float64() - 1) * a
			}
			for g := range 3 {
				q := orthogonal(H, rng)
				for r := range H {
					for col := range H {
						c.Wh[r*3*H+g*H+col] = q.At(r, col)
					}
				}
			}
		default:
			return nil, fmt.Errorf("gru: unknown %v", init)
		}
	}
	return p, nil
}

// orthogonal returns an n×n orthogonal matrix: the Q of a Gaussian matrix's QR
// factorisation, with signs fixed so that the distribution is uniform (Haar).
func orthogonal(n int, rng *rand.Rand) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := range n {
		if r.At(j, j) < 0 {
			for i := range n {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return &q
}
