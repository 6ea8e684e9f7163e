// Package chart draws gogru's two pictures as PNG: the benchmark chart (tokens/s
// grouped by shape, one bar per backend and precision, the ratio to a baseline
// over each bar) and the training curves (perplexity against epoch as D2L draws
// it, the loss on a panel of its own, validation beside training).
//
// Both are built from gonum/plot panels placed on one canvas under a header
// (title, notes) and a legend strip shared by the panels, so that no legend
// covers data.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// dpi is the resolution of every PNG: 96 dots per inch, so a 10-inch-wide chart
// is 960 pixels wide.
const dpi = 96

// textStyle is the plain sans-serif text of size pt points in colour c.
func textStyle(pt float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(plot.DefaultFont, vg.Points(pt)),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// entry is one item of a legend strip: a swatch drawn by draw inside its box, then the label.
type entry struct {
	label string
	draw  func(c draw.Canvas, box vg.Rectangle)
}

// barSwatch fills the swatch box with colour c.
func barSwatch(c color.Color) func(draw.Canvas, vg.Rectangle) {
	return func(dc draw.Canvas, box vg.Rectangle) { dc.FillPolygon(c, rectPoints(box)) }
}

// lineSwatch draws a short line of style ls across the swatch box.
func lineSwatch(ls draw.LineStyle) func(draw.Canvas, vg.Rectangle) {
	return func(dc draw.Canvas, box vg.Rectangle) {
		y := (box.Min.Y + box.Max.Y) / 2
		dc.StrokeLine2(ls, box.Min.X, y, box.Max.X, y)
	}
}

// glyphSwatch draws glyph g in the middle of the swatch box.
func glyphSwatch(g draw.GlyphStyle) func(draw.Canvas, vg.Rectangle) {
	return func(dc draw.Canvas, box vg.Rectangle) {
		dc.DrawGlyphNoClip(g, vg.Point{X: (box.Min.X + box.Max.X) / 2, Y: (box.Min.Y + box.Max.Y) / 2})
	}
}

func rectPoints(r vg.Rectangle) []vg.Point {
	return []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
}

// legendStyle is the legend's text.
var legendStyle = textStyle(9.5, color.Black)

const (
	swatchW   = 16 // points
	swatchGap = 5  // between a swatch and its label
	entryGap  = 16 // between one entry's label and the next swatch
	rowH      = 14 // one line of the legend
)

// legendRows splits entries into lines no wider than width, in order.
func legendRows(entries []entry, width vg.Length) [][]entry {
	var rows [][]entry
	var line []entry
	var used vg.Length
	for _, e := range entries {
		w := vg.Points(swatchW+swatchGap) + legendStyle.Width(e.label)
		if len(line) > 0 && used+vg.Points(entryGap)+w > width {
			rows = append(rows, line)
			line, used = nil, 0
		}
		if len(line) > 0 {
			used += vg.Points(entryGap)
		}
		line = append(line, e)
		used += w
	}
	if len(line) > 0 {
		rows = append(rows, line)
	}
	return rows
}

// drawLegend draws the entries as centred lines from the top of c down and returns
// the height used.
func drawLegend(c draw.Canvas, entries []entry) vg.Length {
	rows := legendRows(entries, c.Max.X-c.Min.X)
	y := c.Max.Y
	for _, line := range rows {
		var w vg.Length
		for i, e := range line {
			if i > 0 {
				w += vg.Points(entryGap)
			}
			w += vg.Points(swatchW+swatchGap) + legendStyle.Width(e.label)
		}
		x := (c.Min.X + c.Max.X - w) / 2
		y -= vg.Points(rowH)
		for _, e := range line {
			box := vg.Rectangle{Min: vg.Point{X: x, Y: y + vg.Points(2)}, Max: vg.Point{X: x + vg.Points(swatchW), Y: y + vg.Points(10)}}
			e.draw(c, box)
			x += vg.Points(swatchW + swatchGap)
			c.FillText(legendStyle, vg.Point{X: x, Y: y + vg.Points(2)}, e.label)
			x += legendStyle.Width(e.label) + vg.Points(entryGap)
		}
	}
	return vg.Points(rowH) * vg.Length(len(rows))
}

// header is the text above the legend: a title and smaller note lines.
type header struct {
	title string
	notes []string
}

var (
	titleStyle = textStyle(13, color.Black)
	noteStyle  = textStyle(9, color.Gray{Y: 0x40})
)

// height is what draw uses.
func (h header) height() vg.Length {
	y := vg.Points(8)
	if h.title != "" {
		y += titleStyle.Rectangle(h.title).Size().Y + vg.Points(2)
	}
	for _, n := range h.notes {
		y += noteStyle.Rectangle(n).Size().Y
	}
	return y
}

// draw draws the header centred at the top of c and returns the height used.
// A note wider than c is cut with an ellipsis rather than drawn past the edge.
func (h header) draw(c draw.Canvas) vg.Length {
	y := c.Max.Y - vg.Points(4)
	width := c.Max.X - c.Min.X - vg.Points(12)
	line := func(sty text.Style, s string) {
		s = fit(sty, s, width)
		y -= sty.Rectangle(s).Size().Y
		c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X - sty.Width(s)) / 2, Y: y}, s)
	}
	if h.title != "" {
		line(titleStyle, h.title)
		y -= vg.Points(2)
	}
	for _, n := range h.notes {
		line(noteStyle, n)
	}
	return c.Max.Y - y + vg.Points(4)
}

// fit shortens s with an ellipsis until it is at most width wide in sty.
func fit(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && sty.Width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// yLabelStyle is an axis label drawn by drawYLabel.
var yLabelStyle = textStyle(10, color.Black)

// drawYLabel writes an upright axis label at the left of c, centred in height,
// and returns the width it takes. gonum/plot centres its own Y label at the
// arithmetic middle of the range, which on a log axis sits near the top and
// pushes the data area down; this one stays in the middle.
func drawYLabel(c draw.Canvas, label string) vg.Length {
	sty := yLabelStyle
	sty.Rotation = math.Pi / 2
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	c.FillText(sty, vg.Point{X: c.Min.X, Y: (c.Min.Y + c.Max.Y) / 2}, label)
	return yLabelStyle.Rectangle(label).Size().Y + vg.Points(4)
}

// render draws a figure of w×h inches with paint and encodes it as PNG.
func render(w, h vg.Length, paint func(c draw.Canvas)) ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	paint(draw.New(img))
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression} // the charts get committed and shared: keep them small
	if err := enc.Encode(&buf, paletted(img.Image())); err != nil {
		return nil, fmt.Errorf("chart: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// si writes v with k, M or G: 950, 12k, 1.5M.
func si(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return trimZero(v/1e9) + "G"
	case a >= 1e6:
		return trimZero(v/1e6) + "M"
	case a >= 1e3:
		return trimZero(v/1e3) + "k"
	}
	return trimZero(v)
}

func trimZero(v float64) string {
	if a := math.Abs(v); a != 0 && a < 1e-3 {
		return fmt.Sprintf("%.2g", v)
	}
	s := fmt.Sprintf("%.3g", v)
	if strings.ContainsAny(s, "e") {
		return fmt.Sprintf("%.0f", v)
	}
	return s
}

// logTicks marks each power of ten with a label (10k, 100k, 1M) and 2…9 times it
// without one, from min to max.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	// Over many decades, label every second or third and leave out the 2…9s.
	step := math.Max(1, math.Ceil((hi-lo)/7))
	var ticks []plot.Tick
	for e := lo; e <= hi; e++ {
		p := math.Pow(10, e)
		for i := 1; i < 10; i++ {
			v := p * float64(i)
			if v < min*(1-1e-9) || v > max*(1+1e-9) || (i > 1 && step > 1) {
				continue
			}
			t := plot.Tick{Value: v}
			if i == 1 && math.Mod(e, step) == 0 {
				t.Label = si(v)
			}
			ticks = append(ticks, t)
		}
	}
	if max/min < 100 { // under two decades: label 2 and 5 too
		for i := range ticks {
			if m := ticks[i].Value / math.Pow(10, math.Floor(math.Log10(ticks[i].Value)+1e-9)); math.Abs(m-2) < 1e-6 || math.Abs(m-5) < 1e-6 {
				ticks[i].Label = si(ticks[i].Value)
			}
		}
	}
	return ticks
}

func labelled(ticks []plot.Tick) int {
	n := 0
	for _, t := range ticks {
		if t.Label != "" {
			n++
		}
	}
	return n
}

// siTicks is gonum/plot's default linear ticks, labelled with si.
type siTicks struct{}

func (siTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = si(ticks[i].Value)
		}
	}
	return ticks
}

// gridStyle is the light horizontal grid behind the data.
var gridStyle = draw.LineStyle{Color: color.Gray{Y: 0xdd}, Width: vg.Points(0.5)}
