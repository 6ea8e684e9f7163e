// Package tensorfile reads and writes the safetensors files that gogru's checkpoints
// and PyTorch weights are stored in, for packages gru/checkpoint and gru/interop:
// named float32 or float64 tensors beside string metadata. Values are float64 on
// the host whatever the file stores.
package tensorfile

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/nlpodyssey/safetensors"

	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/backendkit"
	"github.com/gogru/gogru/internal/atomicfile"
	"github.com/gogru/gogru/internal/regularfile"
	"github.com/gogru/gogru/internal/sysmem"
)

// Tensor is a host tensor on its way to a safetensors file.
type Tensor struct {
	Shape []int
	Data  []float64
	DType gru.DType // the element type stored in the file
}

// DigestKey is the metadata key under which Write stores the file's checksum: the
// hex SHA-256 of every tensor (name, dtype, shape and bytes) and every other
// metadata entry, in name order (see digest). Parse verifies it when present.
const DigestKey = "gogru.sha256"

// Write writes tensors and metadata to path atomically (see atomicfile), with the
// checksum under DigestKey added to the metadata (replacing any DigestKey in meta,
// such as one read from another file).
func Write(path string, tensors map[string]Tensor, meta map[string]string) error {
	views := make(map[string]safetensors.TensorView, len(tensors))
	for name, t := range tensors {
		if gru.Len(t.Shape) != len(t.Data) {
			return fmt.Errorf("gru: tensor %s: shape %v holds %d values, have %d", name, t.Shape, gru.Len(t.Shape), len(t.Data))
		}
		shape := make([]uint64, len(t.Shape))
		for i, d := range t.Shape {
			shape[i] = uint64(d)
		}
		var buf []byte
		dt := safetensors.F64
		if t.DType == gru.Float32 {
			dt = safetensors.F32
			buf = make([]byte, 4*len(t.Data))
			for i, v := range t.Data {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(float32(v)))
			}
		} else {
			buf = make([]byte, 8*len(t.Data))
			for i, v := range t.Data {
				binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
			}
		}
		v, err := safetensors.NewTensorView(dt, shape, buf)
		if err != nil {
			return fmt.Errorf("gru: tensor %s: %w", name, err)
		}
		views[name] = v
	}
	all := make(map[string]string, len(meta)+1)
	for k, v := range meta {
		all[k] = v
	}
	all[DigestKey] = digest(views, meta)
	return atomicfile.Write(path, func(w io.Writer) error {
		return safetensors.SerializeToWriter(views, all, w)
	})
}

// digest is the hex SHA-256 of the tensors and the metadata (DigestKey aside), each
// in name order, every field prefixed by its length so that no two contents share
// a byte stream.
func digest(views map[string]safetensors.TensorView, meta map[string]string) string {
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range sortedKeys(views) {
		v := views[name]
		field([]byte(name))
		field([]byte(v.DType().String()))
		shape := make([]byte, 8*len(v.Shape()))
		for i, d := range v.Shape() {
			binary.LittleEndian.PutUint64(shape[8*i:], d)
		}
		field(shape)
		field(v.Data())
	}
	for _, k := range sortedKeys(meta) {
		if k != DigestKey {
			field([]byte(k))
			field([]byte(meta[k]))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// File is a parsed safetensors file.
type File struct {
	Path     string            // the file's name, as errors give it
	Meta     map[string]string // the header's __metadata__
	Verified bool              // the file carried a checksum (DigestKey) and it matched
	st       safetensors.SafeTensors
}

// Read parses path. Every way the bytes can be wrong gives an error that names the
// file. Only a regular file is read (a FIFO or a device is refused at once), no
// further than its size when opened, and not when it is larger than the host's
// available memory.
func Read(path string) (*File, error) {
	limit := int64(math.MaxInt64)
	if avail, err := sysmem.Available(); err == nil {
		limit = avail
	}
	b, err := regularfile.ReadAll(path, limit)
	if err != nil {
		return nil, fmt.Errorf("gru: %w", err)
	}
	return Parse(path, b)
}

// Parse is Read for bytes already in memory; name labels errors. It never panics,
// whatever b holds. A file with a checksum (DigestKey) must match it: a mismatch
// is an error naming the file, and nothing of the file is returned. A file without
// one (written by other tools, or by gogru before checksums) parses with Verified
// false.
func Parse(name string, b []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil { // the parser must never take the process down
			f, err = nil, fmt.Errorf("gru: %s: not a valid safetensors file (%v)", name, r)
		}
	}()
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return nil, fmt.Errorf("gru: %s: not a valid safetensors file: %w", name, err)
	}
	_, md, err := safetensors.ReadMetadata(b)
	if err != nil {
		return nil, fmt.Errorf("gru: %s: not a valid safetensors file: %w", name, err)
	}
	f = &File{Path: name, st: st, Meta: md.Metadata()}
	if want, ok := f.Meta[DigestKey]; ok {
		views := make(map[string]safetensors.TensorView, st.Len())
		for _, t := range st.Tensors() {
			views[t.Name] = t.TensorView
		}
		if got := digest(views, f.Meta); got != want {
			return nil, fmt.Errorf("gru: %s: checksum mismatch: the file is corrupt (SHA-256 of its tensors and metadata is %s…, the file records %.12s…); nothing was loaded", name, got[:12], want)
		}
		f.Verified = true
	}
	return f, nil
}

// CheckTensor checks that the file holds the named tensor in the shape want. The
// error names the file and the tensor; a shape that differs is a *gru.ShapeError.
func (f *File) CheckTensor(name string, want []int) error {
	_, err := f.view(name, want)
	return err
}

func (f *File) view(name string, want []int) (safetensors.TensorView, error) {
	v, ok := f.st.Tensor(name)
	if !ok {
		return v, fmt.Errorf("gru: %s: tensor %s: missing", f.Path, name)
	}
	got := make([]int, len(v.Shape()))
	for i, d := range v.Shape() {
		got[i] = int(d)
	}
	return v, backendkit.CheckShape(fmt.Sprintf("%s: tensor %s", f.Path, name), want, got)
}

// Tensor returns the named tensor as float64 after checking its shape (as
// CheckTensor does) and its dtype (F32 or F64).
func (f *File) Tensor(name string, want []int) ([]float64, error) {
	v, err := f.view(name, want)
	if err != nil {
		return nil, err
	}
	n := gru.Len(want)
	out := make([]float64, n)
	data := v.Data()
	switch v.DType() {
	case safetensors.F32:
		if len(data) != 4*n {
			return nil, fmt.Errorf("gru: %s: tensor %s: %d bytes for %d float32 values", f.Path, name, len(data), n)
		}
		for i := range out {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])))
		}
	case safetensors.F64:
		if len(data) != 8*n {
			return nil, fmt.Errorf("gru: %s: tensor %s: %d bytes for %d float64 values", f.Path, name, len(data), n)
		}
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
	default:
		return nil, fmt.Errorf("gru: %s: tensor %s: dtype %v, want F32 or F64", f.Path, name, v.DType())
	}
	return out, nil
}

// Names lists the file's tensors.
func (f *File) Names() []string { return f.st.Names() }

// Len is the number of tensors in the file.
func (f *File) Len() int { return f.st.Len() }

// WithoutChecksum returns the safetensors file b with its header rewritten without
// DigestKey, as gogru wrote files before it stored checksums: for tests of how
// such files load.
func WithoutChecksum(b []byte) ([]byte, error) {
	if len(b) < 8 || binary.LittleEndian.Uint64(b) > uint64(len(b)-8) {
		return nil, fmt.Errorf("gru: not a safetensors file")
	}
	n := binary.LittleEndian.Uint64(b)
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		return nil, err
	}
	var meta map[string]string
	if err := json.Unmarshal(header["__metadata__"], &meta); err != nil {
		return nil, err
	}
	delete(meta, DigestKey)
	m, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	header["__metadata__"] = m
	h, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	for len(h)%8 != 0 { // the data stays 8-byte aligned
		h = append(h, ' ')
	}
	return append(append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...), b[8+n:]...), nil
}
