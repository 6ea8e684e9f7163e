package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru/checkpoint"
)

// tiny are flags that make a training run on the CPU take a fraction of a second.
var tiny = []string{"--data", "builtin", "--max-tokens", "300", "--hidden", "16", "--batch", "4", "--steps", "8", "--sample-every", "0", "--progress", "log", "--epochs", "1"}

// --dtype tf32 and bf16 change only the GPU's GEMMs: --device auto without a GPU
// falls back to float32 on the CPU and says so; the checkpoint records the dtype,
// and a resume under another is refused; the simulator runs them and its rows say
// so. (--device cpu refuses them outright: TestBadInput. Training on the simulator,
// a second a step, is make gpu-check's dry run.)
func TestTensorCoreDTypes(t *testing.T) {
	for _, c := range []struct{ dtype, label string }{{"tf32", "TF32 GEMMs"}, {"bf16", "BF16 GEMMs"}} {
		t.Run(c.dtype, func(t *testing.T) {
			dir := t.TempDir()
			out, errOut, code := gruRun(t, append([]string{"train", "--device", "auto", "--dtype", c.dtype, "--checkpoint", dir}, tiny...)...)
			for _, want := range []string{"device: GPU not used", "device: --dtype " + c.dtype + " falls back to float32 on the CPU", "device: cpu/float32"} {
				if code != 0 || !strings.Contains(out, want) {
					t.Errorf("train --device auto: code %d, output lacks %q:\n%s\n%s", code, want, out, errOut)
				}
			}
			ck, err := checkpoint.Load(filepath.Join(dir, "checkpoint.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			var saved trainOptions
			if err := json.Unmarshal([]byte(ck.Meta["options"]), &saved); err != nil || saved.DType != c.dtype {
				t.Errorf("checkpoint records dtype %q (%v), want %q", saved.DType, err, c.dtype)
			}
			_, errOut, code = gruRun(t, append([]string{"train", "--device", "auto", "--dtype", "float32", "--checkpoint", dir, "--resume"}, append(tiny, "--epochs", "2")...)...)
			if want := "the run used --dtype " + c.dtype; code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("resume under float32: code %d, stderr lacks %q:\n%s", code, want, errOut)
			}

			out, errOut, code = gruRun(t, "bench", "--device", "sim", "--dtype", c.dtype, "--shapes", "2x3x4x5", "--runs", "1", "--warmup", "0", "--json", "--graphs=false")
			var rows []benchRow
			if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 4 {
				t.Fatalf("bench: code %d, %v, %d rows\n%s\n%s", code, err, len(rows), out, errOut)
			}
			for _, r := range rows {
				if !strings.Contains(r.Backend, c.label) {
					t.Errorf("bench row on %q: want %s", r.Backend, c.label)
				}
			}
		})
	}
}
