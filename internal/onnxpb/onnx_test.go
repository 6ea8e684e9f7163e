package onnxpb

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// Hand-encoded messages, byte by byte from protobuf's wire format.
func TestMessagesEncodeAsProtobuf(t *testing.T) {
	for _, c := range []struct {
		name string
		got  []byte
		want []byte
	}{
		{"Attr axis=-1", (&Attr{Name: "axis", Type: AttrInt, I: -1}).marshal(), append(append(
			[]byte{0x0a, 4, 'a', 'x', 'i', 's', 0x18}, // name (1, bytes), i (3, varint)
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), // -1 as ten bytes
			0xa0, 0x01, 2)}, // type (20, varint) = INT
		{"Attr perm", func() []byte { a := Ints("perm", 0, 2, 1, 3); return a.marshal() }(), []byte{
			0x0a, 4, 'p', 'e', 'r', 'm', 0x42, 4, 0, 2, 1, 3, 0xa0, 0x01, 7}}, // ints (8, packed), type INTS
		{"Tensor", func() []byte { x := Int64Tensor("c", []int64{1}, []int64{300}); return x.marshal() }(), []byte{
			0x0a, 1, 1, // dims (1, packed) [1]
			0x10, 7, // data_type (2) INT64
			0x42, 1, 'c', // name (8)
			0x4a, 8, 0x2c, 0x01, 0, 0, 0, 0, 0, 0}}, // raw_data (9): 300 = 0x12c little-endian
		{"ValueInfo", (&ValueInfo{Name: "x", ElemType: Float, Dims: []Dim{{Param: "T"}, {Value: 3}}}).marshal(), []byte{
			0x0a, 1, 'x', // name
			0x12, 15, // type: TypeProto
			0x0a, 13, // tensor_type
			0x08, 1, // elem_type FLOAT
			0x12, 9, // shape
			0x0a, 3, 0x12, 1, 'T', // dim {dim_param "T"}
			0x0a, 2, 0x08, 3}}, // dim {dim_value 3}
		{"Node with an omitted input", (&Node{Name: "n", OpType: "GRU", Inputs: []string{"x", ""}, Outputs: []string{"y"}}).marshal(), []byte{
			0x0a, 1, 'x', 0x0a, 0, 0x12, 1, 'y', 0x1a, 1, 'n', 0x22, 3, 'G', 'R', 'U'}},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s:\n got % x\nwant % x", c.name, c.got, c.want)
		}
	}
}

// TestModelIsWellFormed walks a whole model's wire format: every field's tag and
// length must fit, and the top-level fields must be ModelProto's.
func TestModelIsWellFormed(t *testing.T) {
	m := Model{IRVersion: 8, Opset: 14, ProducerName: "p", Metadata: [][2]string{{"k", "v"}},
		Graph: Graph{Name: "g", Nodes: []Node{{OpType: "Add", Inputs: []string{"a", "b"}, Outputs: []string{"c"}}},
			Initializers: []Tensor{FloatTensor("b", []int64{2}, []float32{1, 2})},
			Inputs:       []ValueInfo{{Name: "a", ElemType: Float, Dims: []Dim{{Value: 2}}}},
			Outputs:      []ValueInfo{{Name: "c", ElemType: Float, Dims: []Dim{{Value: 2}}}}}}
	b := m.Marshal()
	fields := map[uint64]int{}
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			t.Fatal("bad tag")
		}
		b = b[n:]
		switch tag & 7 {
		case wireVarint:
			_, n = binary.Uvarint(b)
		case wireBytes:
			l, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < l {
				t.Fatalf("field %d: length %d overruns", tag>>3, l)
			}
			n = k + int(l)
		default:
			t.Fatalf("field %d: wire type %d", tag>>3, tag&7)
		}
		b = b[n:]
		fields[tag>>3]++
	}
	for f, want := range map[uint64]int{1: 1, 2: 1, 7: 1, 8: 1, 14: 1} {
		if fields[f] != want {
			t.Errorf("ModelProto field %d appears %d times, want %d", f, fields[f], want)
		}
	}
}
