package gru

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/nlpodyssey/safetensors"

	"github.com/gogru/gogru/internal/atomicfile"
)

// hostTensor is a named host tensor on its way to or from a safetensors file.
type hostTensor struct {
	shape []int
	data  []float64
	dtype DType // the element type stored in the file
}

// writeSafetensors writes tensors and metadata to path atomically.
func writeSafetensors(path string, tensors map[string]hostTensor, meta map[string]string) error {
	views := make(map[string]safetensors.TensorView, len(tensors))
	for name, t := range tensors {
		if Len(t.shape) != len(t.data) {
			return fmt.Errorf("gru: tensor %s: shape %v holds %d values, have %d", name, t.shape, Len(t.shape), len(t.data))
		}
		shape := make([]uint64, len(t.shape))
		for i, d := range t.shape {
			shape[i] = uint64(d)
		}
		var buf []byte
		dt := safetensors.F64
		if t.dtype == Float32 {
			dt = safetensors.F32
			buf = make([]byte, 4*len(t.data))
			for i, v := range t.data {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(float32(v)))
			}
		} else {
			buf = make([]byte, 8*len(t.data))
			for i, v := range t.data {
				binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
			}
		}
		v, err := safetensors.NewTensorView(dt, shape, buf)
		if err != nil {
			return fmt.Errorf("gru: tensor %s: %w", name, err)
		}
		views[name] = v
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		return safetensors.SerializeToWriter(views, meta, w)
	})
}

// safetensorsFile is a parsed safetensors file.
type safetensorsFile struct {
	path string
	st   safetensors.SafeTensors
	meta map[string]string
}

// readSafetensors parses path. Every way the bytes can be wrong gives an error that
// names the file.
func readSafetensors(path string) (*safetensorsFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gru: %w", err)
	}
	return parseSafetensors(path, b)
}

func parseSafetensors(path string, b []byte) (f *safetensorsFile, err error) {
	defer func() {
		if r := recover(); r != nil { // the parser must never take the process down
			f, err = nil, fmt.Errorf("gru: %s: not a valid safetensors file (%v)", path, r)
		}
	}()
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return nil, fmt.Errorf("gru: %s: not a valid safetensors file: %w", path, err)
	}
	_, md, err := safetensors.ReadMetadata(b)
	if err != nil {
		return nil, fmt.Errorf("gru: %s: not a valid safetensors file: %w", path, err)
	}
	return &safetensorsFile{path: path, st: st, meta: md.Metadata()}, nil
}

// tensor returns the named tensor as float64 after checking its shape and dtype
// (F32 or F64).
func (f *safetensorsFile) tensor(name string, want []int) ([]float64, error) {
	v, ok := f.st.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("gru: %s: tensor %s: missing", f.path, name)
	}
	got := make([]int, len(v.Shape()))
	for i, d := range v.Shape() {
		got[i] = int(d)
	}
	if err := CheckShape(fmt.Sprintf("%s: tensor %s", f.path, name), want, got); err != nil {
		return nil, err
	}
	n := Len(want)
	out := make([]float64, n)
	data := v.Data()
	switch v.DType() {
	case safetensors.F32:
		if len(data) != 4*n {
			return nil, fmt.Errorf("gru: %s: tensor %s: %d bytes for %d float32 values", f.path, name, len(data), n)
		}
		for i := range out {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])))
		}
	case safetensors.F64:
		if len(data) != 8*n {
			return nil, fmt.Errorf("gru: %s: tensor %s: %d bytes for %d float64 values", f.path, name, len(data), n)
		}
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
	default:
		return nil, fmt.Errorf("gru: %s: tensor %s: dtype %v, want F32 or F64", f.path, name, v.DType())
	}
	return out, nil
}

// names lists the file's tensors.
func (f *safetensorsFile) names() []string { return f.st.Names() }
