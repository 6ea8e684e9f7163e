package tensorfile

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

// Tensors written in float32 and float64 read back with their shapes and values
// (float32 rounded once), the metadata is kept, and the checksum is verified.
func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	third := 1.0 / 3
	in := map[string]Tensor{
		"w":    {Shape: []int{2, 3}, Data: []float64{1, -2, third, 4, 5e-8, math.Pi}},
		"b32":  {Shape: []int{3}, Data: []float64{third, -0.5, 7}, DType: gru.Float32},
		"zero": {Shape: []int{0, 4}, Data: []float64{}},
	}
	if err := Write(path, in, map[string]string{"epoch": "3", DigestKey: "stale"}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Verified || f.Meta["epoch"] != "3" || f.Meta[DigestKey] == "stale" || f.Len() != 3 {
		t.Errorf("Verified %v, meta %v, %d tensors", f.Verified, f.Meta, f.Len())
	}
	for name, want := range in {
		got, err := f.Tensor(name, want.Shape)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, v := range want.Data {
			if want.DType == gru.Float32 {
				v = float64(float32(v))
			}
			if got[i] != v {
				t.Errorf("%s[%d] = %v, want %v", name, i, got[i], v)
			}
		}
	}
}

// Every way a file can disagree with what is asked gives an error naming the file:
// a flipped byte (checksum), a missing tensor, a shape that differs (a
// *gru.ShapeError), bytes that are not safetensors; a file without a checksum
// still loads, unverified.
func TestReadRefusesWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	if err := Write(path, map[string]Tensor{"w": {Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}}}, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), b...)
	flipped[len(flipped)-1] ^= 1
	if _, err := Parse("flipped", flipped); err == nil || !strings.Contains(err.Error(), "flipped: checksum mismatch") {
		t.Errorf("a flipped byte: %v", err)
	}
	for _, junk := range [][]byte{nil, []byte("not a file"), b[:len(b)/2]} {
		if _, err := Parse("junk", junk); err == nil || !strings.Contains(err.Error(), "junk") {
			t.Errorf("%d junk bytes: %v", len(junk), err)
		}
	}
	f, err := Parse("ok", b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Tensor("v", []int{2, 2}); err == nil || !strings.Contains(err.Error(), "ok: tensor v: missing") {
		t.Errorf("a missing tensor: %v", err)
	}
	var se *gru.ShapeError
	if err := f.CheckTensor("w", []int{4}); !errors.As(err, &se) || !strings.Contains(se.Arg, "ok: tensor w") {
		t.Errorf("a shape that differs: %v", err)
	}
	old, err := WithoutChecksum(b)
	if err != nil {
		t.Fatal(err)
	}
	f, err = Parse("old", old)
	if err != nil || f.Verified {
		t.Fatalf("a file without a checksum: %v, Verified %v", err, f != nil && f.Verified)
	}
	if got, err := f.Tensor("w", []int{2, 2}); err != nil || got[3] != 4 {
		t.Errorf("a file without a checksum reads %v, %v", got, err)
	}
	if err := Write(filepath.Join(dir, "bad"), map[string]Tensor{"w": {Shape: []int{3}, Data: []float64{1}}}, nil); err == nil {
		t.Error("Write accepted 1 value for shape [3]")
	}
}
