package main

import (
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// plotCurve draws perplexity and loss per epoch to a PNG.
func plotCurve(path string, history []epochRecord) error {
	p := plot.New()
	p.Title.Text = "gru train"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "perplexity / loss"
	ppl, loss := make(plotter.XYs, len(history)), make(plotter.XYs, len(history))
	for i, r := range history {
		ppl[i] = plotter.XY{X: float64(r.Epoch), Y: r.Perplexity}
		loss[i] = plotter.XY{X: float64(r.Epoch), Y: r.Loss}
	}
	if err := plotutil.AddLines(p, "perplexity", ppl, "loss", loss); err != nil {
		return err
	}
	return savePNG(p, path)
}

// benchBar is one bar of the benchmark chart.
type benchBar struct {
	label string
	value float64
}

// plotBars draws a bar chart of tokens/s per benchmark row.
func plotBars(path, title string, bars []benchBar) error {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "tokens/s"
	vals := make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	for i, b := range bars {
		vals[i], names[i] = b.value, b.label
	}
	ch, err := plotter.NewBarChart(vals, vg.Points(14))
	if err != nil {
		return err
	}
	p.Add(ch)
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = 0.9
	p.X.Tick.Label.XAlign = -0.5
	return savePNG(p, path)
}

func savePNG(p *plot.Plot, path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	if err := p.Save(8*vg.Inch, 5*vg.Inch, path); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return nil
}
