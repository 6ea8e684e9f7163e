package chart

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Epoch is one point of the training curves. Valid* are nil when no validation
// split was scored that epoch.
type Epoch struct {
	Epoch           int
	Loss            float64 // mean cross-entropy per token, training split
	Perplexity      float64 // exp(Loss)
	ValidLoss       *float64
	ValidPerplexity *float64
}

// CurveOptions titles the training curves.
type CurveOptions struct {
	// Title replaces the default title; Notes are lines under it (the model, the data).
	Title string
	Notes []string
}

var (
	trainLine = draw.LineStyle{Color: rgb(0x00, 0x72, 0xb2), Width: vg.Points(1.6)}
	validLine = draw.LineStyle{Color: rgb(0xd5, 0x5e, 0x00), Width: vg.Points(1.6), Dashes: []vg.Length{vg.Points(5), vg.Points(2.5)}}
	badMark   = draw.GlyphStyle{Color: rgb(0xc0, 0x00, 0x00), Radius: vg.Points(3.5), Shape: draw.CrossGlyph{}}
)

// curve is one line of a panel. A point with ok false was not measured (no
// validation that epoch) and is simply absent; a measured point that is not
// finite breaks the line and is marked.
type curve struct {
	xs, ys []float64
	ok     []bool
	style  draw.LineStyle
	dots   bool // also a dot at each point, for short histories
}

// Curves draws the training curves as PNG: perplexity against epoch, as D2L
// draws it, on the left (a log axis when it spans more than a decade) and the
// loss on a panel of its own on the right, validation dashed beside training
// when the history has it. A non-finite value is left out of its line, which
// breaks there, and marked with a red × at the top of its panel.
func Curves(history []Epoch, o CurveOptions) ([]byte, error) {
	if len(history) == 0 {
		return nil, fmt.Errorf("chart: no epochs to draw")
	}
	n := len(history)
	xs := make([]float64, n)
	tp, tl, vp, vl := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	all, vpOK, vlOK := make([]bool, n), make([]bool, n), make([]bool, n)
	valid := false
	for i, e := range history {
		xs[i], tp[i], tl[i], all[i] = float64(e.Epoch), e.Perplexity, e.Loss, true
		if e.ValidPerplexity != nil {
			vp[i], vpOK[i], valid = *e.ValidPerplexity, true, true
		}
		if e.ValidLoss != nil {
			vl[i], vlOK[i], valid = *e.ValidLoss, true, true
		}
	}
	dots := n <= 30
	line := func(ys []float64, ok []bool, ls draw.LineStyle) curve {
		return curve{xs: xs, ys: ys, ok: ok, style: ls, dots: dots}
	}
	pplCurves, lossCurves := []curve{line(tp, all, trainLine)}, []curve{line(tl, all, trainLine)}
	if valid {
		pplCurves = append(pplCurves, line(vp, vpOK, validLine))
		lossCurves = append(lossCurves, line(vl, vlOK, validLine))
	}
	bad := 0
	for _, cv := range append(slices.Clone(pplCurves), lossCurves...) {
		for i, y := range cv.ys {
			if cv.ok[i] && !finite(y) {
				bad++
			}
		}
	}
	ppl := curvePanel("perplexity", pplCurves, true)
	loss := curvePanel("loss (cross-entropy per token)", lossCurves, false)

	title := o.Title
	if title == "" {
		title = "gru train"
	}
	h := header{title: title, notes: o.Notes}
	entries := []entry{{label: "training", draw: lineSwatch(trainLine)}}
	if valid {
		entries = append(entries, entry{label: "validation", draw: lineSwatch(validLine)})
	}
	if bad > 0 {
		entries = append(entries, entry{label: fmt.Sprintf("not finite, left out (%d)", bad), draw: glyphSwatch(badMark)})
	}
	width, panelH := vg.Inch*10, vg.Inch*3.4
	legendH := vg.Points(rowH) + vg.Points(4)
	return render(width, h.height()+legendH+panelH, func(c draw.Canvas) {
		c.Max.Y -= h.draw(c)
		c.Max.Y -= drawLegend(c, entries) + vg.Points(4)
		half := (c.Max.X - c.Min.X) / 2
		for i, p := range []*plot.Plot{ppl, loss} {
			pc := c
			pc.Min.X = c.Min.X + half*vg.Length(i) + vg.Points(6)
			pc.Max.X = pc.Min.X + half - vg.Points(16)
			pc.Min.Y += vg.Points(4)
			name := "perplexity"
			if i == 1 {
				name = "loss"
			}
			if p.Y.Scale == (plot.LogScale{}) {
				name += " (log scale)"
			}
			pc.Min.X += drawYLabel(pc, name)
			p.Draw(pc)
		}
	})
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// curvePanel builds one panel of curves; logOK allows a log axis where the finite
// values span more than a decade (and are all positive).
func curvePanel(title string, curves []curve, logOK bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Title.Padding = vg.Points(4)
	p.X.Label.Text = "epoch"
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.X.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	lo, hi := math.Inf(1), math.Inf(-1)
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, cv := range curves {
		for i, y := range cv.ys {
			xlo, xhi = math.Min(xlo, cv.xs[i]), math.Max(xhi, cv.xs[i])
			if cv.ok[i] && finite(y) {
				lo, hi = math.Min(lo, y), math.Max(hi, y)
			}
		}
	}
	switch {
	case math.IsInf(lo, 1): // nothing finite: an empty axis for the marks
		lo, hi = 0, 1
	case lo == hi:
		lo, hi = lo-0.5*math.Max(math.Abs(lo), 1), hi+0.5*math.Max(math.Abs(hi), 1)
	}
	if xlo == xhi {
		xlo, xhi = xlo-1, xhi+1
	}
	if len(curves) > 0 && curves[0].dots { // room for the first and last dots
		pad := (xhi - xlo) * 0.02
		xlo, xhi = xlo-pad, xhi+pad
	}
	if logOK && lo > 0 && hi/lo > 10 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = lo/1.15, hi*1.15
	} else {
		pad := (hi - lo) * 0.06
		p.Y.Min, p.Y.Max = lo-pad, hi+pad
		if lo >= 0 && p.Y.Min < 0 {
			p.Y.Min = 0
		}
		p.Y.Tick.Marker = siTicks{}
	}
	p.X.Min, p.X.Max = xlo, xhi
	p.X.Tick.Marker = integerTicks{}
	grid := plotter.NewGrid()
	grid.Vertical, grid.Horizontal = gridStyle, gridStyle
	p.Add(grid, &lines{curves: curves})
	return p
}

// lines draws curves, broken where a value is not finite, which gets a mark at
// the top of the panel instead.
type lines struct{ curves []curve }

// Plot implements plot.Plotter.
func (l *lines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, cv := range l.curves {
		var seg []vg.Point
		flush := func() {
			if len(seg) > 1 {
				c.StrokeLines(cv.style, c.ClipLinesXY(seg)...)
			}
			seg = seg[:0]
		}
		for i, y := range cv.ys {
			x := trX(cv.xs[i])
			switch {
			case !cv.ok[i]:
				continue
			case !finite(y):
				flush()
				c.DrawGlyphNoClip(badMark, vg.Point{X: x, Y: c.Max.Y - badMark.Radius})
				continue
			}
			pt := vg.Point{X: x, Y: trY(y)}
			seg = append(seg, pt)
			if cv.dots {
				c.DrawGlyph(draw.GlyphStyle{Color: cv.style.Color, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}, pt)
			}
		}
		flush()
	}
}

// integerTicks is gonum/plot's default ticks without the fractional ones: epochs
// are whole.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
		if t.Value == math.Trunc(t.Value) {
			out = append(out, t)
		}
	}
	if labelled(out) == 0 { // a range of an epoch or two: label each whole epoch
		out = out[:0]
		for v := math.Ceil(min); v <= max; v++ {
			out = append(out, plot.Tick{Value: v, Label: fmt.Sprint(v)})
		}
	}
	return out
}
