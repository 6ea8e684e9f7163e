package checkpoint_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/lm"
	"github.com/gogru/gogru/gru/optim"
	"github.com/gogru/gogru/internal/atomicfile"
	"github.com/gogru/gogru/internal/tensorfile"
)

func newTestModel(t testing.TB, be gru.Backend, hidden int, seed uint64) (*lm.Model, *optim.Adam) {
	mc := lm.Config{Vocab: 7, Embed: 4, GRU: gru.Config{InputSize: 4, HiddenSize: hidden, Layers: 2}}
	m, err := lm.New(be, mc, gru.NewRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewAdam(be, m.Params(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	return m, opt
}

// trainSteps runs n Adam steps on fixed data.
func trainSteps(t testing.TB, m *lm.Model, opt optim.Optimizer, n int) {
	ids := []int32{1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5}
	for range n {
		m.ResetState()
		m.ZeroGrads()
		if _, err := m.Step(ids[:6], ids[1:7], 3, 2); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(m.Backend(), m.Params(), m.Grads()); err != nil {
			t.Fatal(err)
		}
	}
}

func hostParams(t testing.TB, m *lm.Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		v := make([]float64, gru.Len(p.Shape()))
		if err := m.Backend().Read(v, p); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func sameBits(a, b [][]float64) bool {
	for i := range a {
		for j := range a[i] {
			if math.Float64bits(a[i][j]) != math.Float64bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// TestResumeIsExact trains 3+3 steps with a save and restore in between
// and checks the parameters equal those of 6 uninterrupted steps, bit for bit.
func TestResumeIsExact(t *testing.T) {
	be := cpu.New32()
	defer be.Close()
	path := filepath.Join(t.TempDir(), "ck.safetensors")

	a, oa := newTestModel(t, be, 5, 1)
	trainSteps(t, a, oa, 6)

	b, ob := newTestModel(t, be, 5, 1)
	trainSteps(t, b, ob, 3)
	if err := checkpoint.Save(path, b, ob, map[string]string{"epoch": "3"}); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Meta["epoch"] != "3" || ck.OptimizerSteps != 3 || ck.DType != gru.Float32 {
		t.Fatalf("metadata %v, steps %d, dtype %v", ck.Meta, ck.OptimizerSteps, ck.DType)
	}
	c, oc := newTestModel(t, be, 5, 99) // different initial weights, overwritten by Restore
	if err := ck.Restore(c, oc); err != nil {
		t.Fatal(err)
	}
	trainSteps(t, c, oc, 3)
	if !sameBits(hostParams(t, a), hostParams(t, c)) {
		t.Fatal("resumed training differs from uninterrupted training")
	}
}

func TestBadFiles(t *testing.T) {
	be := cpu.New32()
	defer be.Close()
	dir := t.TempDir()
	m, opt := newTestModel(t, be, 5, 1)
	good := filepath.Join(dir, "good.safetensors")
	if err := checkpoint.Save(good, m, opt, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	for _, c := range []struct{ name, path, want string }{
		{"empty", write("empty", nil), "empty"},
		{"junk", write("junk", []byte("\x89PNG\r\n\x1a\n some binary junk \x00\x01")), "junk"},
		{"truncated", write("trunc", b[:len(b)/2]), "trunc"},
		{"missing", filepath.Join(dir, "nope"), "nope"},
	} {
		if _, err := checkpoint.Load(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
	// A PyTorch weights file is safetensors but not a checkpoint.
	if _, err := checkpoint.Load("../interop/testdata/pytorch_gru.safetensors"); err == nil || !strings.Contains(err.Error(), "not a gogru checkpoint") {
		t.Errorf("PyTorch file as checkpoint: %v", err)
	}
	// Another config: the error says what differs, and the model is unchanged.
	ck, err := checkpoint.Load(good)
	if err != nil {
		t.Fatal(err)
	}
	other, oo := newTestModel(t, be, 6, 2)
	before := hostParams(t, other)
	if err := ck.Restore(other, oo); err == nil || !strings.Contains(err.Error(), "hidden=5") {
		t.Errorf("restoring into another config: %v", err)
	}
	if !sameBits(before, hostParams(t, other)) {
		t.Error("a failed Restore changed the model")
	}
}

// TestKilledWriteKeepsPrevious fails a checkpoint write half way and
// checks that the previous file is intact and no temporary file is left.
func TestKilledWriteKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	if err := atomicfile.WriteFile(path, []byte("previous")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("killed")
	err := atomicfile.Write(path, func(w io.Writer) error {
		w.Write([]byte("half of a new checkp"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write error %v", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "previous" {
		t.Errorf("previous checkpoint became %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
}

// headerOnlyCheckpoint is a safetensors file with a gogru checkpoint's metadata for
// the model configuration JSON model and no tensors: a few hundred bytes.
func headerOnlyCheckpoint(model string) []byte {
	header, _ := json.Marshal(map[string]map[string]string{"__metadata__": {
		"gogru.format": "gogru/checkpoint/v1", "gogru.model": model,
		"gogru.dtype": "float32", "gogru.optimizer_steps": "0",
	}})
	return append(binary.LittleEndian.AppendUint64(nil, uint64(len(header))), header...)
}

// TestParseHugeLayerCount checks that a small file whose configuration
// claims a huge number of layers gets an error naming them, without a panic and
// without allocating in proportion to the claim.
func TestParseHugeLayerCount(t *testing.T) {
	for _, layers := range []int{1 << 20, 1 << 40, math.MaxInt / 2} {
		b := headerOnlyCheckpoint(fmt.Sprintf(`{"Vocab":7,"Embed":4,"GRU":{"InputSize":4,"HiddenSize":3,"Layers":%d}}`, layers))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := checkpoint.Parse("huge", b)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "layers") {
			t.Errorf("Layers=%d in %d bytes: %v, want an error naming the layers", layers, len(b), err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("Layers=%d in %d bytes: parsing allocated %d bytes", layers, len(b), n)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the checkpoint loader, which must
// return an error or a checkpoint, never panic; a checkpoint it accepts is restored
// into a model built from its configuration.
//
// The seeds are checkpoints of two one-layer models with hidden size 1 that cover
// the embedding and one-hot inputs and both variants (about 800 bytes each), not
// a model with its optimiser state (5 KB). Go's fuzzer minimises every input that
// finds new coverage, trying O(n²) cuts of its n bytes for up to
// -fuzzminimizetime, and the worker reports no executions meanwhile: on a 5 KB
// input each minimisation ran the whole minute, so a run sat at 0 execs/s between
// short bursts (make fuzz also caps the minimisation; see the Makefile).
func FuzzParse(f *testing.F) {
	be := cpu.New32()
	defer be.Close()
	for i, mc := range []lm.Config{
		{Vocab: 2, Embed: 1, GRU: gru.Config{InputSize: 1, HiddenSize: 1, Layers: 1}},
		{Vocab: 2, GRU: gru.Config{InputSize: 2, HiddenSize: 1, Layers: 1, Variant: gru.ResetAfter}},
	} {
		m, err := lm.New(be, mc, gru.NewRand(1))
		if err != nil {
			f.Fatal(err)
		}
		path := filepath.Join(f.TempDir(), fmt.Sprintf("seed%d.safetensors", i))
		if err := checkpoint.Save(path, m, nil, nil); err != nil {
			f.Fatal(err)
		}
		m.Close()
		seed, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
		f.Add(seed[:40])
		// The same file without a valid checksum key parses unverified, so mutations
		// of it reach the checks beyond the checksum.
		f.Add([]byte(strings.Replace(string(seed), "gogru.sha256", "gogru.sha25X", 1)))
	}
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}        "))
	f.Add(headerOnlyCheckpoint(`{"Vocab":7,"Embed":4,"GRU":{"InputSize":4,"HiddenSize":3,"Layers":1099511627776}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ck, err := checkpoint.Parse("fuzz", b)
		if err != nil {
			return
		}
		if m2, err := lm.New(be, ck.Model, gru.NewRand(1)); err == nil {
			ck.Restore(m2, nil)
			m2.Close()
		}
	})
}

// TestChecksum flips one bit in each part of a checkpoint (the first, a middle and
// the last tensor byte, a metadata value, the stored checksum itself) and checks
// that Load refuses each with an error naming the file, while the intact file
// loads verified and one written before checksums loads unverified.
func TestChecksum(t *testing.T) {
	be := cpu.New32()
	defer be.Close()
	dir := t.TempDir()
	m, opt := newTestModel(t, be, 5, 1)
	trainSteps(t, m, opt, 2)
	good := filepath.Join(dir, "good.safetensors")
	if err := checkpoint.Save(good, m, opt, map[string]string{"epoch": "12"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	data := 8 + int(binary.LittleEndian.Uint64(b)) // the first tensor byte
	at := func(s string) int {
		i := strings.Index(string(b[:data]), s)
		if i < 0 {
			t.Fatalf("%q not in the header", s)
		}
		return i
	}
	for _, c := range []struct {
		name string
		off  int
		bit  byte
	}{
		{"first tensor byte", data, 1},
		{"middle tensor byte", (data + len(b)) / 2, 0x10},
		{"last tensor byte", len(b) - 1, 0x80},
		{"a metadata value", at(`"12"`) + 2, 0x01}, // "12" becomes "13"
		{"the stored checksum", at(`"gogru.sha256":"`) + len(`"gogru.sha256":"`), 0x01},
	} {
		bad := append([]byte(nil), b...)
		bad[c.off] ^= c.bit
		path := filepath.Join(dir, "flipped.safetensors")
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		ck, err := checkpoint.Load(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "checksum") {
			t.Errorf("%s flipped: checkpoint %v, error %v; want a checksum error naming %s", c.name, ck != nil, err, path)
		}
	}
	ck, err := checkpoint.Load(good)
	if err != nil || !ck.Verified || ck.Meta["epoch"] != "12" {
		t.Fatalf("intact file: %v, verified %v", err, ck != nil && ck.Verified)
	}
	old := filepath.Join(dir, "old.safetensors")
	unsummed, err := tensorfile.WithoutChecksum(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, unsummed, 0o644); err != nil {
		t.Fatal(err)
	}
	ck, err = checkpoint.Load(old)
	if err != nil || ck.Verified {
		t.Fatalf("file without a checksum: %v, want it loaded unverified", err)
	}
	m2, opt2 := newTestModel(t, be, 5, 7)
	if err := ck.Restore(m2, opt2); err != nil || !sameBits(hostParams(t, m), hostParams(t, m2)) {
		t.Fatalf("restoring a file without a checksum: %v", err)
	}
}

// TestSaveRefusesNonFinite poisons one parameter with NaN and then +Inf and checks
// Save refuses it, naming the tensor, and leaves the previous checkpoint as it was.
func TestSaveRefusesNonFinite(t *testing.T) {
	be := cpu.New32()
	defer be.Close()
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	m, opt := newTestModel(t, be, 5, 1)
	if err := checkpoint.Save(path, m, opt, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	p := m.Params()[2]
	v := make([]float64, gru.Len(p.Shape()))
	for _, poison := range []float64{math.NaN(), math.Inf(1)} {
		if err := be.Read(v, p); err != nil {
			t.Fatal(err)
		}
		v[len(v)/2] = poison
		if err := be.Write(p, v); err != nil {
			t.Fatal(err)
		}
		err := checkpoint.Save(path, m, opt, nil)
		if err == nil || !strings.Contains(err.Error(), m.ParamNames()[2]) {
			t.Errorf("saving a parameter holding %v: %v, want an error naming %s", poison, err, m.ParamNames()[2])
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("a refused save (%v) changed the previous checkpoint", poison)
		}
	}
}
