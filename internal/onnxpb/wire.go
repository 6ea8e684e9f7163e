// Package onnxpb encodes the handful of ONNX protobuf messages (onnx.proto, IR
// version 8) that gogru's ONNX export writes: ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto and ValueInfoProto with its tensor types. It is a
// writer only, over protobuf's wire format, so gogru needs neither protoc nor a
// protobuf runtime for it. Field numbers are those of onnx/onnx.proto.
package onnxpb

import (
	"encoding/binary"
	"math"
)

// Protobuf wire types.
const (
	wireVarint = 0
	wireI32    = 5
	wireBytes  = 2
)

// buf accumulates one message's encoded fields.
type buf []byte

func (b *buf) tag(field, wire int) { *b = binary.AppendUvarint(*b, uint64(field)<<3|uint64(wire)) }

// varint writes an integer field (int64, int32 and enums encode alike; negative
// values take ten bytes, as protobuf's two's complement requires).
func (b *buf) varint(field int, v int64) {
	b.tag(field, wireVarint)
	*b = binary.AppendUvarint(*b, uint64(v))
}

// bytes writes a length-delimited field: a string, bytes or an embedded message.
func (b *buf) bytes(field int, v []byte) {
	b.tag(field, wireBytes)
	*b = binary.AppendUvarint(*b, uint64(len(v)))
	*b = append(*b, v...)
}

func (b *buf) str(field int, s string) {
	if s != "" {
		b.bytes(field, []byte(s))
	}
}

func (b *buf) float(field int, v float32) {
	b.tag(field, wireI32)
	*b = binary.LittleEndian.AppendUint32(*b, math.Float32bits(v))
}

// packedInts writes a packed repeated int64 field.
func (b *buf) packedInts(field int, vs []int64) {
	if len(vs) == 0 {
		return
	}
	var p []byte
	for _, v := range vs {
		p = binary.AppendUvarint(p, uint64(v))
	}
	b.bytes(field, p)
}

// packedFloats writes a packed repeated float field.
func (b *buf) packedFloats(field int, vs []float32) {
	if len(vs) == 0 {
		return
	}
	p := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
	}
	b.bytes(field, p)
}
