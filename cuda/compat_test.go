package cuda

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// compatCalls are the five driver calls whose signatures CUDA 13.0 changed and that
// compat/cuda.h maps back for gorgonia.org/cu.
var compatCalls = []string{"cuCtxCreate", "cuMemAdvise", "cuMemPrefetchAsync", "cuGraphAddDependencies", "cuGraphGetEdges"}

// compileOldStyleCalls compiles testdata/compat_calls.c with gcc -Wall -Werror, the
// include path being includeDirs then the mock CUDA 13.0 header, and returns the
// object file or the compiler's output.
func compileOldStyleCalls(t *testing.T, gcc string, includeDirs ...string) (string, string, error) {
	t.Helper()
	obj := filepath.Join(t.TempDir(), "calls.o")
	args := []string{"-Wall", "-Werror", "-c"}
	for _, d := range includeDirs {
		args = append(args, "-I", d)
	}
	args = append(args, "-I", filepath.Join("testdata", "cuda13"), filepath.Join("testdata", "compat_calls.c"), "-o", obj)
	out, err := exec.Command(gcc, args...).CombinedOutput()
	return obj, string(out), err
}

// The compat header lets the pre-13 calls compile against CUDA 13.0's prototypes,
// and they reach the 13.0 entry points with the arguments they meant.
func TestCompatHeaderMapsCUDA13Calls(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed, so the compat header cannot be compiled here; install gcc (bash .ci/install) to run it")
	}
	obj, out, err := compileOldStyleCalls(t, gcc, "compat")
	if err != nil {
		t.Fatalf("old-style calls through compat/cuda.h did not compile against the CUDA 13.0 mock:\n%s", out)
	}
	bin := filepath.Join(t.TempDir(), "compat_driver")
	cmd := exec.Command(gcc, "-Wall", "-Werror", "-I", filepath.Join("testdata", "cuda13"),
		filepath.Join("testdata", "compat_driver.c"), obj, "-o", bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mock driver did not build:\n%s", out)
	}
	if out, err := exec.Command(bin).CombinedOutput(); err != nil {
		t.Fatalf("the mapped calls passed the wrong arguments:\n%s", out)
	}
}

// Without the compat header, or with any one of its five mappings missing, the same
// calls must fail to compile: the mock really has 13.0's prototypes, and each mapping
// carries weight.
func TestCompatHeaderBrokenMappingFails(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed, so the compat header cannot be compiled here; install gcc (bash .ci/install) to run it")
	}
	if _, _, err := compileOldStyleCalls(t, gcc); err == nil {
		t.Fatal("old-style calls compiled against the CUDA 13.0 mock without the compat header: the mock is not 13.0's")
	}
	header, err := os.ReadFile(filepath.Join("compat", "cuda.h"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range compatCalls {
		t.Run(name, func(t *testing.T) {
			mapping := "#define " + name + " gogru_compat_" + name + "\n"
			if !strings.Contains(string(header), mapping) {
				t.Fatalf("compat/cuda.h has no line %q", strings.TrimSpace(mapping))
			}
			dir := t.TempDir()
			broken := strings.Replace(string(header), mapping, "", 1)
			if err := os.WriteFile(filepath.Join(dir, "cuda.h"), []byte(broken), 0o644); err != nil {
				t.Fatal(err)
			}
			_, out, err := compileOldStyleCalls(t, gcc, dir)
			if err == nil {
				t.Fatalf("compiled with the %s mapping removed", name)
			}
			if !strings.Contains(out, name) {
				t.Errorf("the compiler's complaint does not name %s:\n%s", name, out)
			}
		})
	}
}

// On headers older than 13.0 the compat header adds nothing: the toolkit's own
// declarations stand.
func TestCompatHeaderIsInertBeforeCUDA13(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed, so the compat header cannot be compiled here; install gcc (bash .ci/install) to run it")
	}
	dir := t.TempDir()
	old := "#define CUDA_VERSION 12080\n#define cuCtxCreate cuCtxCreate_v2\n"
	if err := os.WriteFile(filepath.Join(dir, "cuda.h"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "probe.c")
	probe := "#include <cuda.h>\n#define STR2(x) #x\n#define STR(x) STR2(x)\nconst char *probe = STR(cuCtxCreate);\n"
	if err := os.WriteFile(src, []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(gcc, "-E", "-I", "compat", "-I", dir, src).CombinedOutput()
	if err != nil {
		t.Fatalf("preprocessing failed:\n%s", out)
	}
	if !strings.Contains(string(out), `"cuCtxCreate_v2"`) {
		t.Fatalf("with CUDA 12.8 headers cuCtxCreate should stay cuCtxCreate_v2; preprocessor gave:\n%s", out)
	}
}
