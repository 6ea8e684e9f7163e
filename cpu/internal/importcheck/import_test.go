package importcheck

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gogru/gogru/cpu"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// A process that imports cpu, started with OPENBLAS_CORETYPE unset, still has it
// unset, maps no OpenBLAS library, and runs gonum's kernels until it asks for
// another. The check runs in a child so that no other test has asked yet.
func TestImportChangesNothing(t *testing.T) {
	if os.Getenv("GOGRU_IMPORTCHECK_CHILD") == "1" {
		childChecks(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestImportChangesNothing$", "-test.v")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") && !strings.HasPrefix(kv, "OPENBLAS_NUM_THREADS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GOGRU_IMPORTCHECK_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestImportChangesNothing") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func childChecks(t *testing.T) {
	for _, v := range []string{"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS"} {
		if val, ok := os.LookupEnv(v); ok {
			t.Errorf("%s=%q after importing cpu", v, val)
		}
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Logf("cannot read /proc/self/maps (%v): not checking the loaded libraries", err)
	} else if strings.Contains(string(maps), "libopenblas") && !linkedOpenBLAS {
		t.Error("importing cpu loaded OpenBLAS")
	}
	if impl, ok := blas64.Implementation().(gonum.Implementation); !ok {
		t.Errorf("blas64 is %T after importing cpu, not gonum's", impl)
	}
	if impl, ok := blas32.Implementation().(gonum.Implementation); !ok {
		t.Errorf("blas32 is %T after importing cpu, not gonum's", impl)
	}
	if cpu.BLAS() != "gonum (pure Go)" || !strings.Contains(cpu.BLASReason(), "default") {
		t.Errorf("cpu.BLAS() = %q, cpu.BLASReason() = %q", cpu.BLAS(), cpu.BLASReason())
	}
	// A backend is made and closed on the default without anything being asked for.
	be := cpu.New64()
	if err := be.Close(); err != nil {
		t.Error(err)
	}
}
