package chart

import (
	"cmp"
	"image"
	"image/color"
	"maps"
	"slices"
)

// inks are the colours the charts draw with, which the palette keeps however
// few pixels have them (a single non-finite mark is only a few dozen).
func inks() []color.Color {
	out := []color.Color{color.White, color.Black, noteStyle.Color, gridStyle.Color, ratioStyle.Color,
		trainLine.Color, validLine.Color, badMark.Color}
	return append(append(out, oursPalette...), peerPalette...)
}

// paletted is img in at most 256 colours: the inks, then the most frequent
// others, each remaining pixel taken to its nearest (the rare ones are the edges
// of antialiased text and lines, between colours the palette has). A chart is
// flat colours, so this takes its PNG to about a third without a visible change.
func paletted(img image.Image) *image.Paletted {
	b := img.Bounds()
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[rgbaAt(img, x, y)]++
		}
	}
	colours := slices.SortedFunc(maps.Keys(count), func(a, b color.RGBA) int {
		return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(pack(a), pack(b)))
	})
	var pal color.Palette
	index := make(map[color.RGBA]uint8, len(count))
	add := func(c color.RGBA) {
		if _, ok := index[c]; !ok && len(pal) < 256 {
			index[c] = uint8(len(pal))
			pal = append(pal, c)
		}
	}
	for _, c := range inks() {
		add(color.RGBAModel.Convert(c).(color.RGBA))
	}
	for _, c := range colours {
		add(c)
	}
	out := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := rgbaAt(img, x, y)
			i, ok := index[c]
			if !ok {
				i = uint8(pal.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

func rgbaAt(img image.Image, x, y int) color.RGBA {
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

func pack(c color.RGBA) uint32 {
	return uint32(c.R)<<24 | uint32(c.G)<<16 | uint32(c.B)<<8 | uint32(c.A)
}
