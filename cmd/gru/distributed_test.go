package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/checkpoint"
	"github.com/gogru/gogru/gru/grutest"
	"github.com/gogru/gogru/gru/lm"
)

// mpiTestsEnv, set to 1, runs the tests that start mpirun (make test-mpi does).
const mpiTestsEnv = "GOGRU_MPI_TESTS"

// needMPI skips a test unless make test-mpi asked for the MPI tests and mpirun is
// on PATH.
func needMPI(t *testing.T) string {
	t.Helper()
	if os.Getenv(mpiTestsEnv) != "1" {
		t.Skipf("starts mpirun: run make test-mpi (or set %s=1) on a machine with Open MPI (openmpi-bin)", mpiTestsEnv)
	}
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Fatalf("%s=1 but mpirun is not on PATH: install openmpi-bin (.ci/install does)", mpiTestsEnv)
	}
	return mpirun
}

// mpiEnv is what mpirun needs on one machine, also as root (a container, CI).
var mpiEnv = []string{"OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_btl=self,vader"}

// mpiResult is what one mpirun gave.
type mpiResult struct {
	out  string // stdout and stderr together
	code int
	took time.Duration
}

// gruMPI runs the built binary under mpirun -np n, through the shell line wrap
// when it is not empty: it runs with the binary in $0 and the arguments in "$@",
// and must exec them, so that a rank can be given its own arguments, directory
// or binary. The run is killed after limit.
func gruMPI(t *testing.T, n int, wrap string, limit time.Duration, args ...string) mpiResult {
	t.Helper()
	mpirun := needMPI(t)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	line := []string{"--oversubscribe", "-np", fmt.Sprint(n)}
	if wrap != "" {
		line = append(line, "sh", "-c", wrap)
	}
	line = append(append(line, binary), args...)
	cmd := exec.CommandContext(ctx, mpirun, line...)
	cmd.Env = append(os.Environ(), mpiEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r := mpiResult{out: out.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("mpirun -np %d %v: still running after %v (a rank hangs)\n%s", n, args, limit, r.out)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkpointParams reads a checkpoint's parameters, flattened, and its history.
func checkpointParams(t *testing.T, dir string) ([]float64, []epochRecord) {
	t.Helper()
	ck, err := checkpoint.Load(checkpointPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	be := cpu.New64()
	defer be.Close()
	m, err := lm.New(be, ck.Model, gru.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := ck.Restore(m, nil); err != nil {
		t.Fatal(err)
	}
	var flat []float64
	for _, p := range m.Params() {
		v := make([]float64, gru.Len(p.Shape()))
		if err := be.Read(v, p); err != nil {
			t.Fatal(err)
		}
		flat = append(flat, v...)
	}
	var history []epochRecord
	if err := json.Unmarshal([]byte(ck.Meta["history"]), &history); err != nil {
		t.Fatal(err)
	}
	return flat, history
}

// relDiff is the largest difference between a and b relative to a's largest value.
func relDiff(a, b []float64) float64 {
	scale, worst := 0.0, 0.0
	for i := range a {
		scale = max(scale, math.Abs(a[i]))
		worst = max(worst, math.Abs(a[i]-b[i]))
	}
	return worst / scale
}

// mpiSmall is a small run for the MPI tests: the built-in text, a global batch of 6.
var mpiSmall = []string{"--data", "builtin", "--max-tokens", "2000", "--hidden", "12", "--batch", "6", "--steps", "8",
	"--sample-every", "0", "--progress", "log", "--checkpoint-every", "1"}

// TestMPIEquivalence checks that N ranks end where one process ends at the same
// global batch: parameters and every epoch's loss, to grutest.DataParallelTol64 in
// float64 with SGD and Adam, on the CPU and on the simulator (host staging), to
// DataParallelTol32 in float32, with 2 ranks and with 3 where the batch divides;
// and one rank made to stage its gradients through the host (GOGRU_ALLREDUCE=host)
// ends bit for bit where one process ends.
func TestMPIEquivalence(t *testing.T) {
	needMPI(t)
	for _, c := range []struct {
		ranks                      int
		device, dtype, opt, epochs string
		tol                        float64
		random                     bool // --sampling random: fresh state and shuffled rows every batch
	}{
		{1, "cpu", "float32", "adam", "2", 0, false},
		{2, "cpu", "float64", "sgd", "2", grutest.DataParallelTol64, true},
		{2, "cpu", "float64", "sgd", "3", grutest.DataParallelTol64, false},
		{2, "cpu", "float64", "adam", "3", grutest.DataParallelTol64, false},
		{3, "cpu", "float64", "adam", "3", grutest.DataParallelTol64, false},
		{2, "cpu", "float32", "adam", "3", grutest.DataParallelTol32, false},
		{2, "sim", "float64", "sgd", "1", grutest.DataParallelTol64, false},
		{2, "sim", "float64", "adam", "1", grutest.DataParallelTol64, false},
		{3, "sim", "float32", "adam", "1", grutest.DataParallelTol32, false},
	} {
		t.Run(fmt.Sprintf("np=%d/%s/%s/%s/random=%v", c.ranks, c.device, c.dtype, c.opt, c.random), func(t *testing.T) {
			one, many := t.TempDir(), t.TempDir()
			lr := "1"
			if c.opt == "adam" {
				lr = "0.01"
			}
			args := append([]string{"train", "--device", c.device, "--dtype", c.dtype, "--optimizer", c.opt, "--lr", lr,
				"--epochs", c.epochs}, mpiSmall...)
			if c.random {
				args = append(args, "--sampling", "random")
			}
			if out, errOut, code := gruRun(t, append(args, "--checkpoint", one)...); code != 0 {
				t.Fatalf("one process: code %d\n%s%s", code, out, errOut)
			}
			wrap := ""
			if c.ranks == 1 {
				wrap = allReduceEnv + `=host exec "$0" "$@"`
			}
			r := gruMPI(t, c.ranks, wrap, 5*time.Minute, append(args, "--checkpoint", many)...)
			if r.code != 0 {
				t.Fatalf("mpirun -np %d: code %d\n%s", c.ranks, r.code, r.out)
			}
			if want := "distributed: gradients staged through host memory"; !strings.Contains(r.out, want) {
				t.Errorf("the output does not say %q:\n%s", want, r.out)
			}
			if want := fmt.Sprintf("distributed: %d ranks", c.ranks); c.ranks > 1 && strings.Count(r.out, want) != 1 {
				t.Errorf("the output does not say %q once:\n%s", want, r.out)
			}
			pa, ha := checkpointParams(t, one)
			pb, hb := checkpointParams(t, many)
			if d := relDiff(pa, pb); d > c.tol {
				t.Errorf("parameters: relative difference %.3g exceeds %g", d, c.tol)
			} else {
				t.Logf("parameters: relative difference %.3g", d)
			}
			if len(ha) != len(hb) {
				t.Fatalf("histories of %d and %d epochs", len(ha), len(hb))
			}
			for i := range ha {
				if d := math.Abs(ha[i].Loss-hb[i].Loss) / ha[i].Loss; d > c.tol {
					t.Errorf("epoch %d: loss %v alone, %v on %d ranks", i+1, ha[i].Loss, hb[i].Loss, c.ranks)
				}
			}
		})
	}
}

// TestMPIResumeReshards checks that a checkpoint written by 2 ranks resumes on 3
// ranks and on one process, ending where one process training straight through
// ends: the checkpoint holds the global run (parameters, optimiser, batching RNG;
// the carried state restarts each epoch), so the number of ranks may change.
func TestMPIResumeReshards(t *testing.T) {
	needMPI(t)
	args := append([]string{"train", "--device", "cpu", "--dtype", "float64", "--optimizer", "adam", "--lr", "0.01"}, mpiSmall...)
	straight := t.TempDir()
	if out, errOut, code := gruRun(t, append(args, "--epochs", "4", "--checkpoint", straight)...); code != 0 {
		t.Fatalf("straight: code %d\n%s%s", code, out, errOut)
	}
	want, _ := checkpointParams(t, straight)
	for _, then := range []int{1, 3} {
		dir := t.TempDir()
		if r := gruMPI(t, 2, "", 2*time.Minute, append(args, "--epochs", "2", "--checkpoint", dir)...); r.code != 0 {
			t.Fatalf("2 ranks: code %d\n%s", r.code, r.out)
		}
		resume := append(args, "--epochs", "4", "--checkpoint", dir, "--resume")
		if then == 1 {
			if out, errOut, code := gruRun(t, resume...); code != 0 {
				t.Fatalf("resume alone: code %d\n%s%s", code, out, errOut)
			}
		} else if r := gruMPI(t, then, "", 2*time.Minute, resume...); r.code != 0 {
			t.Fatalf("resume on %d ranks: code %d\n%s", then, r.code, r.out)
		}
		got, history := checkpointParams(t, dir)
		if len(history) != 4 {
			t.Errorf("resumed on %d: %d epochs of history", then, len(history))
		}
		if d := relDiff(want, got); d > grutest.DataParallelTol64 {
			t.Errorf("2 ranks, resumed on %d: relative difference %.3g from one process straight through", then, d)
		}
	}
}

// TestMPIRefusesDifferingRanks checks that ranks which would not train one model
// are refused at start, naming the difference; that a global batch which does not
// split evenly is refused; and that these errors, which every rank finds alike, and
// a run that diverges (the averaged loss is the same on every rank) are printed
// once, by rank 0.
func TestMPIRefusesDifferingRanks(t *testing.T) {
	needMPI(t)
	dir := t.TempDir()
	for i, text := range []string{corpusText(1), corpusText(2)} {
		if err := os.MkdirAll(filepath.Join(dir, fmt.Sprint(i)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i), "text.txt"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "gru-other")
	b, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, append(b, 0), 0o755); err != nil { // the same program, another file
		t.Fatal(err)
	}
	base := []string{"train", "--device", "cpu", "--epochs", "1", "--hidden", "8", "--batch", "4", "--steps", "5", "--sample-every", "0", "--progress", "log"}
	rank1 := `if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then `
	for _, c := range []struct {
		name, wrap string
		ranks      int
		args       []string
		want       string
	}{
		{"flag", rank1 + `exec "$0" "$@" --lr 0.5; fi; exec "$0" "$@"`, 2, []string{"--data", "builtin"}, `rank 1 has --lr "0.5", rank 0 "1"`},
		{"corpus", `cd ` + dir + `/$OMPI_COMM_WORLD_RANK && exec "$0" "$@"`, 2, []string{"--data", "text.txt"}, "rank 1 has another corpus"},
		{"binary", rank1 + `exec ` + other + ` "$@"; fi; exec "$0" "$@"`, 2, []string{"--data", "builtin"}, "rank 1 has another binary"},
		{"batch", "", 3, []string{"--data", "builtin"}, "--batch 4 is the global batch and must split evenly over the 3 ranks"},
		{"diverged", "", 2, []string{"--data", "builtin", "--lr", "1e30", "--clip", "0"}, "the run diverged"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := gruMPI(t, c.ranks, c.wrap, 2*time.Minute, append(base, c.args...)...)
			if r.code == 0 || !strings.Contains(r.out, c.want) {
				t.Fatalf("code %d, want an error with %q:\n%s", r.code, c.want, r.out)
			}
			if n := strings.Count(r.out, c.want); n != 1 {
				t.Errorf("the error is printed %d times, want once (by rank 0):\n%s", n, r.out)
			}
		})
	}
}

// corpusText is a short text that differs with seed.
func corpusText(seed int) string {
	rng := gru.NewRand(uint64(seed))
	var sb strings.Builder
	for range 3000 {
		sb.WriteByte("abcdefgh "[rng.IntN(9)])
	}
	return sb.String()
}

// TestMPIRankFailure checks that a rank that dies (killed) or fails (an error on
// that rank alone) ends the whole job within seconds, with a message naming it,
// instead of leaving the other ranks waiting in a collective.
func TestMPIRankFailure(t *testing.T) {
	needMPI(t)
	long := []string{"train", "--device", "cpu", "--data", "builtin", "--epochs", "1000000", "--hidden", "16",
		"--batch", "4", "--steps", "5", "--sample-every", "0", "--progress", "log"}
	t.Run("killed", func(t *testing.T) {
		// Rank 1 is killed 3 s into training; $$ is the shell that exec turns into gru.
		wrap := `if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then (sleep 3; kill -9 $$) & fi; exec "$0" "$@"`
		r := gruMPI(t, 2, wrap, time.Minute, long...)
		if r.code == 0 || !strings.Contains(r.out, "rank 1") || !strings.Contains(r.out, "signal 9") {
			t.Fatalf("code %d, want the job ended naming rank 1's signal 9:\n%s", r.code, r.out)
		}
		if r.took > 20*time.Second {
			t.Errorf("the job took %v to end after a rank died 3 s in", r.took)
		}
	})
	t.Run("error", func(t *testing.T) {
		// Rank 1 alone cannot read its corpus, so it fails while rank 0 waits for it.
		wrap := `if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then exec "$0" "$@" --data /nonexistent/text.txt; fi; exec "$0" "$@"`
		r := gruMPI(t, 2, wrap, time.Minute, long...)
		if r.code == 0 || !strings.Contains(r.out, "gru train: rank 1 of 2:") || !strings.Contains(r.out, "/nonexistent/text.txt") {
			t.Fatalf("code %d, want rank 1's error and the job ended:\n%s", r.code, r.out)
		}
		if r.took > 20*time.Second {
			t.Errorf("the job took %v to end after a rank failed at start", r.took)
		}
	})
}

// TestInfoSaysDataParallel checks that gru info says whether Open MPI and NCCL
// load here, naming the libraries when they do not; it needs neither.
func TestInfoSaysDataParallel(t *testing.T) {
	out, errOut, code := gruRun(t, "info")
	if code != 0 {
		t.Fatalf("gru info: code %d\n%s", code, errOut)
	}
	line := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "data-parallel (gru train under mpirun or srun): ") {
			line = l
		}
	}
	if !strings.Contains(line, "libmpi.so.40") || !strings.Contains(line, "libnccl.so.2") {
		t.Errorf("gru info's data-parallel line %q does not name libmpi.so.40 and libnccl.so.2:\n%s", line, out)
	}
	if _, err := exec.LookPath("mpirun"); err == nil && !strings.Contains(line, "Open MPI v") {
		t.Errorf("mpirun is installed, but gru info says %q", line)
	}
}
