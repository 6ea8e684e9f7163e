package distributed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestLaunched checks the detection of a launcher from its environment variables.
func TestLaunched(t *testing.T) {
	env := map[string]string{"PATH": "/usr/bin", "OMPI_MCA_btl": "self", "PMI_SIZE": "x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if Launched(lookup) || WorldSizeHint(lookup) != 0 || Launched(nil) || WorldSizeHint(nil) != 0 {
		t.Fatalf("no launcher variables: Launched %v, WorldSizeHint %d", Launched(lookup), WorldSizeHint(lookup))
	}
	for _, v := range launcherVars {
		env[v] = ""
		if !Launched(lookup) {
			t.Errorf("%s set: not Launched", v)
		}
		delete(env, v)
	}
	env["SLURM_NTASKS"] = "4"
	if n := WorldSizeHint(lookup); n != 4 {
		t.Errorf("SLURM_NTASKS=4: hint %d", n)
	}
	env["OMPI_COMM_WORLD_SIZE"] = "3"
	if n := WorldSizeHint(lookup); n != 3 {
		t.Errorf("OMPI_COMM_WORLD_SIZE=3 beside SLURM_NTASKS=4: hint %d", n)
	}
}

// TestCommUnderMPI runs TestCommRank on 3 ranks under mpirun.
func TestCommUnderMPI(t *testing.T) {
	if os.Getenv("GOGRU_MPI_TESTS") != "1" {
		t.Skip("starts mpirun: run make test-mpi (or set GOGRU_MPI_TESTS=1) on a machine with Open MPI (openmpi-bin)")
	}
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Fatal("GOGRU_MPI_TESTS=1 but mpirun is not on PATH: install openmpi-bin (.ci/install does)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, mpirun, "--oversubscribe", "-np", "3", os.Args[0], "-test.run", "^TestCommRank$", "-test.v")
	cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_btl=self,vader")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out.String())
	}
	if n := strings.Count(out.String(), "--- PASS: TestCommRank"); n != 3 {
		t.Fatalf("%d ranks passed, want 3:\n%s", n, out.String())
	}
}

// TestCommRank is one rank of TestCommUnderMPI; alone, it skips.
func TestCommRank(t *testing.T) {
	if !Launched(os.LookupEnv) {
		t.Skip("one rank of TestCommUnderMPI, which starts it under mpirun")
	}
	c, err := Init()
	if err != nil {
		t.Fatal(err)
	}
	r, n := c.Rank(), c.Size()
	if n != 3 || r < 0 || r >= n || c.LocalRank() != r {
		t.Fatalf("rank %d of %d, local rank %d", r, n, c.LocalRank())
	}
	if !strings.HasPrefix(c.Version(), "Open MPI") {
		t.Errorf("version %q", c.Version())
	}
	buf := []float64{float64(r), 1, 0.5 * float64(r*r)}
	if err := c.AllReduceSum(buf); err != nil {
		t.Fatal(err)
	}
	if buf[0] != 3 || buf[1] != 3 || buf[2] != 2.5 {
		t.Errorf("sum %v, want [3 3 2.5]", buf)
	}
	parts, err := c.AllGather([]byte(strings.Repeat("x", r))) // lengths 0, 1 and 2
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		if string(p) != strings.Repeat("x", i) {
			t.Errorf("AllGather: rank %d's part %q", i, p)
		}
	}
	id := []byte(fmt.Sprint(r))
	if err := c.Broadcast(id, 0); err != nil || string(id) != "0" {
		t.Errorf("Broadcast from 0: %q, %v", id, err)
	}
	if err := c.Broadcast(id, 3); err == nil {
		t.Error("Broadcast from rank 3 of 3: no error")
	}
	if err := c.Finalize(); err != nil {
		t.Fatal(err)
	}
	if err := c.AllReduceSum(buf); err == nil {
		t.Error("AllReduceSum after Finalize: no error")
	}
}
