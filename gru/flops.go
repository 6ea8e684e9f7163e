package gru

// GEMMFlops counts the floating-point operations of a stack's matrix products for
// T steps of B sequences: 2·T·B·(D_l·3H + H·3H) per cell forward, and three times
// that for a training step (forward; dH and dX; dW_x and dW_h). Pointwise work is
// not counted.
func GEMMFlops(cfg Config, steps, batch int, train bool) float64 {
	H := cfg.HiddenSize
	var f float64
	for l := range cfg.Layers {
		f += float64(cfg.Directions()) * 2 * float64(steps*batch) * float64(cfg.LayerInputSize(l)*3*H+H*3*H)
	}
	if train {
		f *= 3
	}
	return f
}
