package gru

// SeqDims reads T and B from a sequence shape in cfg's layout; −1, −1 when the
// shape is not 3-D.
func (c Config) SeqDims(shape []int) (steps, batch int) {
	if len(shape) != 3 {
		return -1, -1
	}
	if c.Layout == BatchFirst {
		return shape[1], shape[0]
	}
	return shape[0], shape[1]
}

// CheckForward validates the shapes of a Stack.Forward call, so that every backend
// reports the same errors: x and y are required; h0 and hN are nil when absent. It
// returns T and B.
func (c Config) CheckForward(x, h0, y, hN []int, lengths []int) (steps, batch int, err error) {
	steps, batch = c.SeqDims(x)
	if steps < 1 || batch < 1 || x[2] != c.InputSize {
		want := c.SeqShape(-1, -1, c.InputSize)
		if steps >= 1 && batch >= 1 {
			want = c.SeqShape(steps, batch, c.InputSize)
		}
		return 0, 0, &ShapeError{Arg: "x", Want: want, Got: x}
	}
	if err := CheckShape("y", c.SeqShape(steps, batch, c.OutputSize()), y); err != nil {
		return 0, 0, err
	}
	for _, a := range []struct {
		name  string
		shape []int
	}{{"h0", h0}, {"hN", hN}} {
		if a.shape != nil {
			if err := CheckShape(a.name, c.StateShape(batch), a.shape); err != nil {
				return 0, 0, err
			}
		}
	}
	return steps, batch, CheckLengths(lengths, steps, batch)
}

// CheckBackward validates the shapes of a Stack.Backward call after a Forward of
// T steps and B sequences: dy is required; dhN, dx and dh0 are nil when absent.
func (c Config) CheckBackward(steps, batch int, dy, dhN, dx, dh0 []int) error {
	if err := CheckShape("dy", c.SeqShape(steps, batch, c.OutputSize()), dy); err != nil {
		return err
	}
	if dx != nil {
		if err := CheckShape("dx", c.SeqShape(steps, batch, c.InputSize), dx); err != nil {
			return err
		}
	}
	for _, a := range []struct {
		name  string
		shape []int
	}{{"dhN", dhN}, {"dh0", dh0}} {
		if a.shape != nil {
			if err := CheckShape(a.name, c.StateShape(batch), a.shape); err != nil {
				return err
			}
		}
	}
	return nil
}
