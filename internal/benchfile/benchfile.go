// Package benchfile is the JSON that `gru bench --json` and the peer scripts
// (scripts/peer_torch.py) write: a list of measured rows, one per backend,
// precision, shape, cell and operation. Files from different runs and machines
// are merged by concatenating their rows, which is how a CPU run and a GPU run
// made elsewhere end up in one chart.
//
// A file is either a JSON array of rows or a JSON object whose values are such
// arrays (the bundle `make gpu-check` writes, keyed "gogru-tf32", "torch-tf32", …).
// Rows written before the machine, device, precision and peer fields existed are
// read too: those fields are then inferred from the backend's name.
package benchfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/gogru/gogru/internal/regularfile"
)

// Row is one measured (backend, precision, shape, cell, op).
type Row struct {
	// Machine is the processor that ran the row: the CPU's model and core count, or the GPU's name.
	Machine string `json:"machine,omitempty"`
	// Backend is the backend's own description (gogru's Backend.Name, or the peer's library and version).
	Backend string `json:"backend"`
	// Device is where the GRU ran: cpu, cuda, or sim (gogru's CUDA simulator).
	Device string `json:"device,omitempty"`
	// Precision is the arithmetic: float32 (strict FP32), tf32, bf16 or float64.
	Precision string `json:"precision,omitempty"`
	// Peer marks a row measured by another library (PyTorch on the CPU, cuDNN), not by gogru.
	Peer bool `json:"peer,omitempty"`
	// Kernel is the GPU's recurrent kernel (gemm, persistent); empty on the CPU.
	Kernel string `json:"kernel,omitempty"`
	// Shape is "B=../T=../D=../H=..", the same as the four numbers below.
	Shape string `json:"shape"`
	B     int    `json:"B"` // batch
	T     int    `json:"T"` // time steps
	D     int    `json:"D"` // input width
	H     int    `json:"H"` // hidden width
	// Variant is the cell: reset-before (D2L's) or reset-after (cuDNN's and PyTorch's).
	Variant string `json:"variant"`
	// Op is forward, train (forward, backward through time, SGD), or either with
	// "-graph" when the step was recorded once as a CUDA graph and replayed.
	Op         string  `json:"op"`
	MsPerStep  float64 `json:"ms_per_step"` // the median run
	MinMs      float64 `json:"min_ms,omitempty"`
	MaxMs      float64 `json:"max_ms,omitempty"`
	TokensPerS float64 `json:"tokens_per_s"` // B·T over the median time
	GFlops     float64 `json:"gflop_per_s,omitempty"`
	Speedup    float64 `json:"speedup_vs_cpu,omitempty"` // a GPU row's speed over the CPU's in the same run
	// Source says where a row comes from when no tool wrote it, for example a table
	// of BENCHMARKS.md converted by hand.
	Source string `json:"source,omitempty"`
}

// ShortShape is the shape as a chart labels it: 32×35×28×256 (B×T×D×H).
func (r Row) ShortShape() string { return fmt.Sprintf("%d×%d×%d×%d", r.B, r.T, r.D, r.H) }

// Write writes rows as an indented JSON array, the form `gru bench --json` prints.
func Write(w io.Writer, rows []Row) error {
	if rows == nil {
		rows = []Row{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// maxFileBytes bounds a read of one benchmark file: thousands of times any run's rows.
const maxFileBytes = 64 << 20

// ReadFiles reads every file and returns their rows in order, the merge of the
// runs. Only regular files up to 64 MiB are read; a FIFO or device is refused.
func ReadFiles(paths ...string) ([]Row, error) {
	var all []Row
	for _, p := range paths {
		b, err := regularfile.ReadAll(p, maxFileBytes)
		if err != nil {
			return nil, err
		}
		rows, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, rows...)
	}
	return all, nil
}

// Parse reads one file's content: an array of rows, or an object of arrays of rows
// (taken in key order). Missing machine, device, precision and peer fields are
// inferred, tokens/s is computed from the time when absent, and a row without a
// shape, an op or a positive, finite speed is an error naming it.
func Parse(b []byte) ([]Row, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, nil
	}
	var rows []Row
	if b[0] == '{' {
		var groups map[string][]Row
		if err := json.Unmarshal(b, &groups); err != nil {
			return nil, fmt.Errorf("not a bench file (an array of rows, or an object of such arrays): %w", err)
		}
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			rows = append(rows, groups[k]...)
		}
	} else if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("not a bench file (an array of rows, or an object of such arrays): %w", err)
	}
	for i := range rows {
		if err := rows[i].normalise(); err != nil {
			return nil, fmt.Errorf("row %d (%s %s %s): %w", i+1, rows[i].Backend, rows[i].Shape, rows[i].Op, err)
		}
	}
	return rows, nil
}

// normalise fills what older rows lack and checks what a chart needs.
func (r *Row) normalise() error {
	if r.B == 0 && r.T == 0 && r.D == 0 && r.H == 0 {
		if _, err := fmt.Sscanf(r.Shape, "B=%d/T=%d/D=%d/H=%d", &r.B, &r.T, &r.D, &r.H); err != nil {
			return fmt.Errorf("no B, T, D, H and shape %q is not B=../T=../D=../H=..", r.Shape)
		}
	}
	if r.B < 1 || r.T < 1 || r.D < 1 || r.H < 1 {
		return fmt.Errorf("shape %d×%d×%d×%d is not positive", r.B, r.T, r.D, r.H)
	}
	if r.Shape == "" {
		r.Shape = fmt.Sprintf("B=%d/T=%d/D=%d/H=%d", r.B, r.T, r.D, r.H)
	}
	if r.Op == "" {
		return fmt.Errorf("no op")
	}
	if r.TokensPerS == 0 && r.MsPerStep > 0 {
		r.TokensPerS = float64(r.B*r.T) / (r.MsPerStep / 1e3)
	}
	if !(r.TokensPerS > 0) || math.IsInf(r.TokensPerS, 0) {
		return fmt.Errorf("tokens/s %v is not a positive finite number", r.TokensPerS)
	}
	if !r.Peer && strings.HasPrefix(r.Backend, "torch") {
		r.Peer = true
	}
	if r.Device == "" {
		r.Device = inferDevice(r.Backend)
	}
	if r.Precision == "" {
		r.Precision = inferPrecision(r.Backend)
	}
	if r.Machine == "" && r.Device != "cpu" {
		r.Machine = GPUName(r.Backend)
	}
	return nil
}

// inferDevice reads the device from a backend name: gogru's "cpu/…", "cuda/… (simulated GPU…)"
// and "cuda/…", the peer's "torch VERSION cpu …" and "torch VERSION cuda …".
func inferDevice(backend string) string {
	switch f := strings.Fields(backend); {
	case strings.HasPrefix(backend, "cpu/"):
		return "cpu"
	case strings.HasPrefix(backend, "cuda/") && strings.Contains(backend, "simulated"):
		return "sim"
	case strings.HasPrefix(backend, "cuda/"):
		return "cuda"
	case len(f) >= 3 && f[0] == "torch":
		return f[2]
	}
	return "cpu"
}

// inferPrecision reads the arithmetic from a backend name: TF32 or BF16 where it
// says so, float64 where the dtype is, else float32.
func inferPrecision(backend string) string {
	switch b := strings.ToLower(backend); {
	case strings.Contains(b, "tf32"):
		return "tf32"
	case strings.Contains(b, "bf16"):
		return "bf16"
	case strings.Contains(b, "float64"):
		return "float64"
	}
	return "float32"
}

// GPUName is the card named inside a backend's description: "NVIDIA H200" from
// "cuda/float32 (GPU 0: NVIDIA H200, TF32 GEMMs)" or from the peer's
// "torch 2.11.0 cuda tf32 (NVIDIA H200, cuDNN 91900)"; the simulator's own name
// for gogru's simulator; empty when the description names none.
func GPUName(backend string) string {
	open := strings.IndexByte(backend, '(')
	if strings.HasPrefix(backend, "torch") { // the device is the last bracket: "torch … bf16 autocast (GRU ran in float16) (NVIDIA H200, cuDNN 91900)"
		open = strings.LastIndexByte(backend, '(')
	}
	if open < 0 {
		return ""
	}
	depth, end := 0, len(backend)
	for i := open; i < len(backend); i++ {
		if backend[i] == '(' {
			depth++
		} else if backend[i] == ')' {
			if depth--; depth == 0 {
				end = i
				break
			}
		}
	}
	inner := backend[open+1 : end]
	if strings.HasPrefix(inner, "simulated GPU") {
		return "simulated GPU"
	}
	name, _, _ := strings.Cut(inner, ", ")
	if strings.HasPrefix(name, "GPU ") {
		if _, after, ok := strings.Cut(name, ": "); ok {
			name = after
		}
	}
	if strings.HasSuffix(name, " threads") {
		return ""
	}
	return name
}
