package onnxpb

import (
	"encoding/binary"
	"math"
)

// DataType is TensorProto.DataType.
type DataType int32

// The element types gogru writes.
const (
	Float DataType = 1
	Int64 DataType = 7
)

// AttrType is AttributeProto.AttributeType.
type AttrType int32

// The attribute types gogru writes.
const (
	AttrFloat  AttrType = 1
	AttrInt    AttrType = 2
	AttrString AttrType = 3
	AttrTensor AttrType = 4
	AttrInts   AttrType = 7
)

// Model is ModelProto: a graph, the operator set it uses and string metadata.
type Model struct {
	IRVersion       int64 // ModelProto.ir_version
	Opset           int64 // the version of the default ("ai.onnx") operator set
	ProducerName    string
	ProducerVersion string
	DocString       string
	Graph           Graph
	Metadata        [][2]string // metadata_props, key and value
}

// Graph is GraphProto.
type Graph struct {
	Name         string
	DocString    string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// Node is NodeProto in the default domain. An empty input name is an omitted
// optional input.
type Node struct {
	Name, OpType    string
	Inputs, Outputs []string
	Attrs           []Attr
}

// Attr is AttributeProto; Type says which value field is set.
type Attr struct {
	Name string
	Type AttrType
	F    float32
	I    int64
	S    string
	T    *Tensor
	Ints []int64
}

// Tensor is TensorProto with its values in raw_data (little-endian).
type Tensor struct {
	Name     string
	Dims     []int64
	DataType DataType
	Raw      []byte
}

// ValueInfo is ValueInfoProto for a tensor: its name, element type and shape.
type ValueInfo struct {
	Name     string
	ElemType DataType
	Dims     []Dim
}

// Dim is one dimension of a shape: a fixed Value, or a symbolic Param when Param
// is not empty.
type Dim struct {
	Value int64
	Param string
}

// FloatTensor makes a float tensor of the given shape.
func FloatTensor(name string, dims []int64, v []float32) Tensor {
	raw := make([]byte, 0, 4*len(v))
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(x))
	}
	return Tensor{Name: name, Dims: dims, DataType: Float, Raw: raw}
}

// Int64Tensor makes an int64 tensor of the given shape.
func Int64Tensor(name string, dims []int64, v []int64) Tensor {
	raw := make([]byte, 0, 8*len(v))
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(x))
	}
	return Tensor{Name: name, Dims: dims, DataType: Int64, Raw: raw}
}

// Int makes an integer attribute.
func Int(name string, v int64) Attr { return Attr{Name: name, Type: AttrInt, I: v} }

// Ints makes an attribute holding a list of integers.
func Ints(name string, v ...int64) Attr { return Attr{Name: name, Type: AttrInts, Ints: v} }

// String makes a string attribute.
func String(name, v string) Attr { return Attr{Name: name, Type: AttrString, S: v} }

// TensorAttr makes a tensor attribute.
func TensorAttr(name string, t Tensor) Attr { return Attr{Name: name, Type: AttrTensor, T: &t} }

// Marshal encodes the model as ModelProto's wire format, the bytes of a .onnx file.
func (m *Model) Marshal() []byte {
	var b buf
	b.varint(1, m.IRVersion)
	b.str(2, m.ProducerName)
	b.str(3, m.ProducerVersion)
	b.str(6, m.DocString)
	b.bytes(7, m.Graph.marshal())
	var op buf // OperatorSetIdProto: domain 1 (empty: ai.onnx), version 2
	op.varint(2, m.Opset)
	b.bytes(8, op)
	for _, kv := range m.Metadata { // StringStringEntryProto: key 1, value 2
		var e buf
		e.str(1, kv[0])
		e.str(2, kv[1])
		b.bytes(14, e)
	}
	return b
}

func (g *Graph) marshal() []byte {
	var b buf
	for _, n := range g.Nodes {
		b.bytes(1, n.marshal())
	}
	b.str(2, g.Name)
	for _, t := range g.Initializers {
		b.bytes(5, t.marshal())
	}
	b.str(10, g.DocString)
	for _, v := range g.Inputs {
		b.bytes(11, v.marshal())
	}
	for _, v := range g.Outputs {
		b.bytes(12, v.marshal())
	}
	return b
}

func (n *Node) marshal() []byte {
	var b buf
	for _, s := range n.Inputs {
		b.bytes(1, []byte(s)) // kept when empty: an omitted optional input holds its place
	}
	for _, s := range n.Outputs {
		b.bytes(2, []byte(s))
	}
	b.str(3, n.Name)
	b.str(4, n.OpType)
	for _, a := range n.Attrs {
		b.bytes(5, a.marshal())
	}
	return b
}

func (a *Attr) marshal() []byte {
	var b buf
	b.str(1, a.Name)
	switch a.Type {
	case AttrFloat:
		b.float(2, a.F)
	case AttrInt:
		b.varint(3, a.I)
	case AttrString:
		b.bytes(4, []byte(a.S))
	case AttrTensor:
		b.bytes(5, a.T.marshal())
	case AttrInts:
		b.packedInts(8, a.Ints)
	}
	b.varint(20, int64(a.Type))
	return b
}

func (t *Tensor) marshal() []byte {
	var b buf
	b.packedInts(1, t.Dims)
	b.varint(2, int64(t.DataType))
	b.str(8, t.Name)
	b.bytes(9, t.Raw)
	return b
}

func (v *ValueInfo) marshal() []byte {
	var shape buf // TensorShapeProto: dim 1, each Dimension: dim_value 1 or dim_param 2
	for _, d := range v.Dims {
		var e buf
		if d.Param != "" {
			e.str(2, d.Param)
		} else {
			e.varint(1, d.Value)
		}
		shape.bytes(1, e)
	}
	var tensor buf // TypeProto.Tensor: elem_type 1, shape 2
	tensor.varint(1, int64(v.ElemType))
	tensor.bytes(2, shape)
	var typ buf // TypeProto: tensor_type 1
	typ.bytes(1, tensor)
	var b buf
	b.str(1, v.Name)
	b.bytes(2, typ)
	return b
}
