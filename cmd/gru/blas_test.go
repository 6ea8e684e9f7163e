package main

import (
	"strings"
	"testing"

	"github.com/gogru/gogru/cpu"
)

// The command, not the library, picks the BLAS: OpenBLAS when it loads, gonum
// when GOGRU_BLAS=gonum, when the value is unknown or when no library is found;
// on an AVX-512 CPU it sets OPENBLAS_CORETYPE unless the variable is set.
func TestCommandChoosesBLAS(t *testing.T) {
	info := func(env ...string) string {
		t.Helper()
		out, errOut, code := gruRunEnv(t, append([]string{"OPENBLAS_CORETYPE="}, env...), "info")
		if code != 0 {
			t.Fatalf("info %v: code %d\n%s", env, code, errOut)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "BLAS: ") {
				return l
			}
		}
		t.Fatalf("info %v prints no BLAS line:\n%s", env, out)
		return ""
	}
	if l := info("GOGRU_BLAS=gonum"); !strings.HasPrefix(l, "BLAS: gonum (pure Go)") || !strings.Contains(l, "GOGRU_BLAS=gonum chose it") {
		t.Errorf("GOGRU_BLAS=gonum: %s", l)
	}
	if l := info("GOGRU_BLAS=fast"); !strings.HasPrefix(l, "BLAS: gonum") || !strings.Contains(l, `"fast" is not auto, openblas or gonum`) {
		t.Errorf("GOGRU_BLAS=fast: %s", l)
	}
	l := info("GOGRU_BLAS=auto")
	if !strings.Contains(l, "OpenBLAS") {
		if !strings.Contains(l, "no OpenBLAS shared library") && !strings.Contains(l, "without cgo") {
			t.Errorf("OpenBLAS was not used, and the line does not say why: %s", l)
		}
		t.Skipf("OpenBLAS is not installed (%s); install Debian's libopenblas0 to check the rest", l)
	}
	if skx, want := strings.Contains(l, "SkylakeX kernels"), cpu.OpenBLASCoreType() == "SkylakeX"; skx != want && !hasTag("openblas") {
		t.Errorf("recommended core type %q, but SkylakeX kernels chosen %v: %s", cpu.OpenBLASCoreType(), skx, l)
	}
	if l := info("GOGRU_BLAS=auto", "OPENBLAS_CORETYPE=Haswell"); !strings.Contains(l, "OPENBLAS_CORETYPE=Haswell chose its kernels") ||
		(!hasTag("openblas") && !strings.Contains(l, "Haswell kernels")) {
		t.Errorf("OPENBLAS_CORETYPE=Haswell was not respected: %s", l)
	}
}
