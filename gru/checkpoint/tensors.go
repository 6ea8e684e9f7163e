package checkpoint

// Tensors reads the model's parameters to the host, by the names of
// lm.Config.ParamShapes, in gogru's layouts; the optimiser's state is left out.
// It needs no backend: exports read a checkpoint this way.
func (c *Checkpoint) Tensors() (map[string][]float64, error) {
	names, shapes := c.Model.ParamShapes()
	out := make(map[string][]float64, len(names))
	for i, n := range names {
		v, err := c.file.Tensor(n, shapes[i])
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}
