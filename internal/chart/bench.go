package chart

import (
	"cmp"
	"fmt"
	"image/color"
	"maps"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gogru/gogru/internal/benchfile"
)

// BenchOptions chooses what the benchmark chart shows.
type BenchOptions struct {
	// Baseline is the series every bar's ratio is taken against, named as the
	// legend names it ("gogru CPU FP32", "cuDNN TF32"; case does not matter), or
	// "peer": the peer at the bar's own device and precision (gogru ÷ PyTorch on the
	// CPU, gogru ÷ cuDNN at matched precision on the GPU). Empty: gogru on the CPU
	// when the rows have it, else the first series.
	Baseline string
	// Variant keeps one cell, reset-after or reset-before, or "all" for both (each
	// label then names its cell). Empty: reset-after when the rows have it (the cell
	// PyTorch and cuDNN run), else the one cell present.
	Variant string
	// Ops are the panels, in order. Empty: forward and train, or every op present
	// when the rows have neither.
	Ops []string
	// Title replaces the default title; Notes are added under the default notes
	// (where the figures come from, for example).
	Title string
	Notes []string
}

// barSeries is one bar colour: a backend at a precision (and kernel, cell or
// machine where the rows need them told apart).
type barSeries struct {
	label     string
	peer      bool
	device    string
	precision string
	color     color.Color
	rank      [5]int // sort order: gogru before peers, CPU before GPU, FP32 before TF32 before BF16
}

// precisionLabel is the precision as the legend writes it.
func precisionLabel(p string) string {
	switch p {
	case "float32", "":
		return "FP32"
	case "float64":
		return "FP64"
	}
	return strings.ToUpper(p)
}

func deviceLabel(d string) string {
	switch d {
	case "cpu":
		return "CPU"
	case "sim":
		return "simulated GPU"
	}
	return "GPU"
}

// baseLabel is a row's series without cell or machine: "gogru CPU FP32",
// "gogru GPU TF32 persistent", "PyTorch CPU FP32", "cuDNN BF16".
func baseLabel(r benchfile.Row) string {
	var who string
	switch {
	case r.Peer && r.Device == "cpu":
		who = "PyTorch CPU"
	case r.Peer:
		who = "cuDNN"
	default:
		who = "gogru " + deviceLabel(r.Device)
	}
	s := who + " " + precisionLabel(r.Precision)
	if r.Kernel != "" && r.Kernel != "gemm" {
		s += " " + r.Kernel
	}
	return s
}

func rankOf(r benchfile.Row) [5]int {
	peer := 0
	if r.Peer {
		peer = 1
	}
	dev := map[string]int{"cpu": 0, "sim": 1}[r.Device]
	if r.Device != "cpu" && r.Device != "sim" {
		dev = 2
	}
	prec := map[string]int{"float64": 0, "float32": 1, "tf32": 2, "bf16": 3}[r.Precision]
	kernel := 0
	if r.Kernel != "" && r.Kernel != "gemm" {
		kernel = 1
	}
	cell := 0
	if r.Variant == "reset-after" {
		cell = 1
	}
	return [5]int{peer, dev, prec, kernel, cell}
}

// Palettes: gogru's series in blues and greens, the peers' in warm colours, so that
// "ours against theirs" reads at a glance (Okabe–Ito and Tol's colour-blind-safe sets).
var (
	oursPalette = []color.Color{rgb(0x00, 0x72, 0xb2), rgb(0x00, 0x9e, 0x73), rgb(0x56, 0xb4, 0xe9), rgb(0x33, 0x22, 0x88), rgb(0x44, 0xaa, 0x99), rgb(0x11, 0x77, 0x33), rgb(0x88, 0xcc, 0xee)}
	peerPalette = []color.Color{rgb(0xe6, 0x9f, 0x00), rgb(0xd5, 0x5e, 0x00), rgb(0xcc, 0x79, 0xa7), rgb(0x88, 0x22, 0x55), rgb(0xdd, 0xcc, 0x77)}
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// opTitle is a panel's title.
func opTitle(op string) string {
	base, graph := strings.CutSuffix(op, "-graph")
	t := map[string]string{"forward": "forward pass", "train": "training step (forward, backward through time, SGD)"}[base]
	if t == "" {
		t = base
	}
	if graph {
		t += ", recorded as a CUDA graph and replayed"
	}
	return t
}

// shapeKey groups rows by shape.
type shapeKey struct{ B, T, D, H int }

// benchData is the chart's content after filtering and grouping.
type benchData struct {
	series   []barSeries
	shapes   []shapeKey
	ops      []string
	value    map[[3]int]float64 // [series, shape, op] → median tokens/s
	baseline string
	cell     string
	machines []string
}

func prepareBench(rows []benchfile.Row, o BenchOptions) (*benchData, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("chart: no benchmark rows")
	}
	// The cell.
	cells := map[string]bool{}
	for _, r := range rows {
		cells[r.Variant] = true
	}
	cell := o.Variant
	switch {
	case cell == "" && cells["reset-after"]:
		cell = "reset-after"
	case cell == "" && len(cells) == 1:
		for c := range cells {
			cell = c
		}
	case cell == "":
		cell = "all"
	}
	if cell != "all" && !cells[cell] {
		return nil, fmt.Errorf("chart: no rows of the cell %q (the rows have %s)", cell, strings.Join(slices.Sorted(maps.Keys(cells)), ", "))
	}
	var kept []benchfile.Row
	for _, r := range rows {
		if cell == "all" || r.Variant == cell {
			kept = append(kept, r)
		}
	}
	// The panels.
	present := map[string]bool{}
	for _, r := range kept {
		present[r.Op] = true
	}
	ops := o.Ops
	if len(ops) == 0 {
		for _, op := range []string{"forward", "train"} {
			if present[op] {
				ops = append(ops, op)
			}
		}
		if len(ops) == 0 {
			ops = slices.Sorted(maps.Keys(present))
		}
	}
	for _, op := range ops {
		if !present[op] {
			return nil, fmt.Errorf("chart: no rows of the op %q (the rows have %s)", op, strings.Join(slices.Sorted(maps.Keys(present)), ", "))
		}
	}
	// The series: a label per row; the machine joins it where one label ran on several.
	machinesOf := map[string]map[string]bool{}
	for _, r := range kept {
		l := baseLabel(r)
		if machinesOf[l] == nil {
			machinesOf[l] = map[string]bool{}
		}
		machinesOf[l][r.Machine] = true
	}
	label := func(r benchfile.Row) string {
		l := baseLabel(r)
		if cell == "all" {
			l += " " + r.Variant
		}
		if len(machinesOf[baseLabel(r)]) > 1 && r.Machine != "" {
			l += " (" + r.Machine + ")"
		}
		return l
	}
	d := &benchData{ops: ops, cell: cell, value: map[[3]int]float64{}}
	index := map[string]int{}
	machineSeen := map[string]bool{}
	for _, r := range kept {
		if _, ok := index[label(r)]; !ok {
			index[label(r)] = len(d.series)
			d.series = append(d.series, barSeries{label: label(r), peer: r.Peer, device: r.Device, precision: r.Precision, rank: rankOf(r)})
		}
		if m := describeMachine(r); m != "" && !machineSeen[m] {
			machineSeen[m] = true
			d.machines = append(d.machines, m)
		}
	}
	slices.SortStableFunc(d.series, func(a, b barSeries) int { return slices.Compare(a.rank[:], b.rank[:]) })
	nOurs, nPeer := 0, 0
	for i := range d.series {
		s := &d.series[i]
		index[s.label] = i
		if s.peer {
			s.color = peerPalette[nPeer%len(peerPalette)]
			nPeer++
		} else {
			s.color = oursPalette[nOurs%len(oursPalette)]
			nOurs++
		}
	}
	// The groups: shapes from small to large hidden width, then input, batch, steps.
	shapeIndex := map[shapeKey]int{}
	for _, r := range kept {
		k := shapeKey{r.B, r.T, r.D, r.H}
		if _, ok := shapeIndex[k]; !ok {
			shapeIndex[k] = 0
			d.shapes = append(d.shapes, k)
		}
	}
	slices.SortFunc(d.shapes, func(a, b shapeKey) int {
		return cmp.Or(cmp.Compare(a.H, b.H), cmp.Compare(a.D, b.D), cmp.Compare(a.B, b.B), cmp.Compare(a.T, b.T))
	})
	for i, k := range d.shapes {
		shapeIndex[k] = i
	}
	// The values: the median where several runs measured the same bar.
	opIndex := map[string]int{}
	for i, op := range ops {
		opIndex[op] = i
	}
	samples := map[[3]int][]float64{}
	for _, r := range kept {
		oi, ok := opIndex[r.Op]
		if !ok {
			continue
		}
		k := [3]int{index[label(r)], shapeIndex[shapeKey{r.B, r.T, r.D, r.H}], oi}
		samples[k] = append(samples[k], r.TokensPerS)
	}
	for k, v := range samples {
		d.value[k] = median(v)
	}
	// The baseline.
	switch b := strings.TrimSpace(o.Baseline); {
	case strings.EqualFold(b, "peer"):
		d.baseline = "peer"
	case b != "":
		for _, s := range d.series {
			if strings.EqualFold(s.label, b) {
				d.baseline = s.label
			}
		}
		if d.baseline == "" {
			names := make([]string, len(d.series))
			for i, s := range d.series {
				names[i] = fmt.Sprintf("%q", s.label)
			}
			return nil, fmt.Errorf("chart: no series %q to take ratios against; the series are %s, or \"peer\"", b, strings.Join(names, ", "))
		}
	default:
		d.baseline = d.series[0].label
		for _, s := range d.series {
			if !s.peer && s.device == "cpu" {
				d.baseline = s.label
				break
			}
		}
	}
	return d, nil
}

// describeMachine is a row's machine as the chart's note names it.
func describeMachine(r benchfile.Row) string {
	if r.Machine == "" {
		return ""
	}
	if r.Device == "cpu" {
		return "CPU: " + r.Machine
	}
	return "GPU: " + r.Machine
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ratio is the bar's speed over its baseline's at the same shape and op; ok is
// false where the baseline did not run there.
func (d *benchData) ratio(series, shape, op int) (float64, bool) {
	v, ok := d.value[[3]int{series, shape, op}]
	if !ok || len(d.series) == 1 { // nothing to compare with
		return 0, false
	}
	for j, s := range d.series {
		match := s.label == d.baseline
		if d.baseline == "peer" {
			me := d.series[series]
			match = s.peer && s.device == me.device && s.precision == me.precision
		}
		if match {
			if b, ok := d.value[[3]int{j, shape, op}]; ok {
				return v / b, true
			}
		}
	}
	return 0, false
}

// anyRatio reports whether any bar has a ratio to write over it.
func (d *benchData) anyRatio() bool {
	for k := range d.value {
		if _, ok := d.ratio(k[0], k[1], k[2]); ok {
			return true
		}
	}
	return false
}

// ratioText writes a ratio the way the tables do, in two or three digits:
// 0.021×, 0.43×, 0.60×, 1.17×, 12×.
func ratioText(r float64) string {
	switch {
	case r >= 9.95:
		return fmt.Sprintf("%.0f×", r)
	case r < 0.0995:
		return fmt.Sprintf("%.2g×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

// Bench draws the benchmark chart of rows (from one or more `gru bench --json`
// files and peers) as PNG: one panel per op, bars grouped by shape, one colour
// per backend and precision, tokens/s on a log axis where the values span more
// than a factor of 20, and each bar's ratio to the baseline written over it.
func Bench(rows []benchfile.Row, o BenchOptions) ([]byte, error) {
	d, err := prepareBench(rows, o)
	if err != nil {
		return nil, err
	}
	width := vg.Inch * 10
	panelH := vg.Inch * 2.9
	title := o.Title
	if title == "" {
		title = "GRU tokens per second, one layer (higher is faster)"
	}
	base := "the same shape's " + d.baseline + " bar"
	if d.baseline == "peer" {
		base = "the peer's bar at the same shape, device and precision (PyTorch on the CPU, cuDNN on the GPU)"
	}
	cell := "cell " + d.cell + " (PyTorch's and cuDNN's)"
	switch d.cell {
	case "reset-before":
		cell = "cell reset-before (D2L's)"
	case "all":
		cell = "both cells"
	}
	h := header{title: title, notes: []string{cell}}
	switch {
	case d.anyRatio():
		h.notes[0] += "; over each bar: its tokens/s ÷ " + base
	case d.baseline == "peer":
		h.notes[0] += "; no peer ran at a bar's device and precision, so no ratios"
	}
	if len(d.machines) > 0 {
		h.notes = append(h.notes, strings.Join(d.machines, " · "))
	}
	h.notes = append(h.notes, o.Notes...)
	entries := make([]entry, len(d.series))
	for i, s := range d.series {
		entries[i] = entry{label: s.label, draw: barSwatch(s.color)}
	}
	legendH := vg.Points(rowH)*vg.Length(len(legendRows(entries, width-vg.Points(24)))) + vg.Points(6)
	height := h.height() + legendH + panelH*vg.Length(len(d.ops))
	plots := make([]*plot.Plot, len(d.ops))
	for i := range d.ops {
		plots[i] = d.panel(i)
	}
	return render(width, height, func(c draw.Canvas) {
		c.Max.Y -= h.draw(c)
		lc := c
		lc.Min.X += vg.Points(12)
		lc.Max.X -= vg.Points(12)
		c.Max.Y -= drawLegend(lc, entries) + vg.Points(6)
		for i, p := range plots {
			pc := c
			pc.Max.Y = c.Max.Y - panelH*vg.Length(i)
			pc.Min.Y = pc.Max.Y - panelH
			pc.Min.X += vg.Points(6)
			pc.Max.X -= vg.Points(12)
			pc.Max.Y -= vg.Points(10) // apart from the panel above's shape names
			yLabel := "tokens/s"
			if plots[i].Y.Scale == (plot.LogScale{}) {
				yLabel += " (log scale)"
			}
			pc.Min.X += drawYLabel(pc, yLabel)
			p.Draw(pc)
		}
	})
}

// panel builds op i's plot.
func (d *benchData) panel(op int) *plot.Plot {
	p := plot.New()
	p.Title.Text = opTitle(d.ops[op])
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Title.Padding = vg.Points(4)
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, v := range d.value {
		if k[2] == op {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	b := &bars{d: d, op: op, log: hi/lo > 20}
	var need vg.Length
	b.upright, need = d.ratioLayout(op)
	headroom := float64(need+vg.Points(6)) / 170
	if b.log {
		bottom := math.Pow(10, math.Floor(math.Log10(lo)))
		if lo/bottom < 1.5 {
			bottom /= 10
		}
		span := math.Log10(hi / bottom)
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = bottom, hi*math.Pow(10, span*headroom/(1-headroom))

	} else {
		p.Y.Tick.Marker = siTicks{}
		p.Y.Min, p.Y.Max = 0, hi/(1-headroom)
	}
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	names := make([]string, len(d.shapes))
	for i, s := range d.shapes {
		names[i] = fmt.Sprintf("%d×%d×%d×%d", s.B, s.T, s.D, s.H)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Font.Size = vg.Points(9.5)
	p.X.Min, p.X.Max, p.X.Padding = -0.5, float64(len(d.shapes))-0.5, 0
	p.Y.Padding = 0
	if op == len(d.ops)-1 {
		p.X.Label.Text = "shape B×T×D×H (batch × time steps × input × hidden)"
		p.X.Label.TextStyle.Font.Size = vg.Points(9.5)
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal = gridStyle
	p.Add(grid, b)
	return p
}

// ratioLayout says whether op's ratios stand upright, which they do where one is
// wider than its bar's slot (estimated from the figure's size: about 640 by 170
// points of data area), and the height they need above the tallest bar.
func (d *benchData) ratioLayout(op int) (upright bool, need vg.Length) {
	slotPts := vg.Points(640 / float64(len(d.shapes)) * d.slot())
	var widest vg.Length
	for k := range d.value {
		if r, ok := d.ratio(k[0], k[1], k[2]); ok && k[2] == op {
			widest = max(widest, ratioStyle.Width(ratioText(r)))
		}
	}
	if widest > slotPts {
		return true, widest
	}
	return false, ratioStyle.Rectangle("0").Size().Y
}

// slot is the width of one bar and its gap, in groups: a group's bars take 84%
// of its width, and no bar gets wider than about 50 points however few there are.
func (d *benchData) slot() float64 {
	return min(0.84/float64(len(d.series)), 50*float64(len(d.shapes))/640)
}

// bars draws one op's bars and their ratios.
type bars struct {
	d       *benchData
	op      int
	log     bool
	upright bool // the ratios stand upright, too wide for their bars lying down
}

var ratioStyle = textStyle(8, color.Gray{Y: 0x20})

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	slot := b.d.slot()
	type label struct {
		x, y vg.Length
		text string
	}
	var labels []label
	for g := range b.d.shapes {
		// The bars a shape has, centred over its name: a series keeps its colour,
		// not its place, where others did not run.
		var present []int
		for s := range b.d.series {
			if _, ok := b.d.value[[3]int{s, g, b.op}]; ok {
				present = append(present, s)
			}
		}
		for j, s := range present {
			ser, v := b.d.series[s], b.d.value[[3]int{s, g, b.op}]
			x0 := float64(g) - float64(len(present))*slot/2 + float64(j)*slot
			left, right := trX(x0+slot*0.06), trX(x0+slot*0.94)
			top := trY(math.Min(v, p.Y.Max))
			c.FillPolygon(ser.color, c.ClipPolygonY(rectPoints(vg.Rectangle{Min: vg.Point{X: left, Y: c.Min.Y}, Max: vg.Point{X: right, Y: top}})))
			if r, ok := b.d.ratio(s, g, b.op); ok {
				labels = append(labels, label{(left + right) / 2, top + vg.Points(2), ratioText(r)})
			}
		}
	}
	sty := ratioStyle
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
	if b.upright {
		sty.Rotation = math.Pi / 2
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	}
	for _, l := range labels {
		c.FillText(sty, vg.Point{X: l.x, Y: l.y}, l.text)
	}
}
