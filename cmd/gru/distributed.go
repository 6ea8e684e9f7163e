package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gogru/gogru/corpus"
	"github.com/gogru/gogru/cuda"
	"github.com/gogru/gogru/distributed"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/lm"
)

// job is gru train's place in a data-parallel job: one rank of an MPI world that
// mpirun or srun --mpi=pmix started. Each rank trains the same model on its rows
// of every global batch, and the gradients are averaged over the ranks every step
// (lm.GradReducer), so every rank holds the same parameters. Rank 0 alone logs,
// samples, plots and writes checkpoints. A nil *job is a process training alone;
// every method works on it.
type job struct {
	comm  *distributed.Comm
	flags [][2]string // every flag's name and value, compared across ranks at start
	close func() error
}

// allReduceEnv names the environment variable that chooses how gradients travel:
// "nccl" or "host" (staged through host memory), instead of NCCL where every rank
// has it. Either is used even by a job of one rank, which is how a GPU host checks
// a one-rank NCCL communicator or host staging beside NCCL.
const allReduceEnv = "GOGRU_ALLREDUCE"

// errQuiet is what every rank returns for an error that every rank found alike and
// rank 0 has printed: the process exits 1 without printing it again.
var errQuiet = errors.New("reported by rank 0")

// collectiveError is an error that every rank finds alike, at the same point: the
// ranks end together and rank 0 alone reports it.
type collectiveError struct{ err error }

func (e collectiveError) Error() string { return e.err.Error() }
func (e collectiveError) Unwrap() error { return e.err }

// alike marks err as found by every rank at the same point (the averaged loss, say,
// is the same on every rank), so that rank 0 alone reports it; alone, err is
// returned as it is.
func (j *job) alike(err error) error {
	if j == nil || err == nil {
		return err
	}
	return collectiveError{err}
}

// startJob joins the MPI job that launched this process, if a launcher did
// (distributed.Launched); without one it returns nil, and MPI is never loaded.
func startJob(fs *flag.FlagSet) (*job, error) {
	if !distributed.Launched(os.LookupEnv) {
		return nil, nil
	}
	c, err := distributed.Init()
	if err != nil {
		return nil, fmt.Errorf("started by an MPI launcher (%d ranks), but %w", distributed.WorldSizeHint(os.LookupEnv), err)
	}
	j := &job{comm: c}
	fs.VisitAll(func(f *flag.Flag) { j.flags = append(j.flags, [2]string{f.Name, f.Value.String()}) })
	return j, nil
}

// size is the number of ranks: 1 for a process alone.
func (j *job) size() int {
	if j == nil {
		return 1
	}
	return j.comm.Size()
}

// rank is this process's rank: 0 for a process alone.
func (j *job) rank() int {
	if j == nil {
		return 0
	}
	return j.comm.Rank()
}

// leader reports whether this process logs, samples, plots and checkpoints: rank 0.
func (j *job) leader() bool { return j.rank() == 0 }

// out is w on rank 0 and io.Discard on the others, which print only their errors.
func (j *job) out(w io.Writer) io.Writer {
	if j.leader() {
		return w
	}
	return io.Discard
}

// checkBatch refuses a global --batch that does not split evenly over the ranks.
func (j *job) checkBatch(batch int) error {
	if n := j.size(); batch%n != 0 {
		lo := batch / n * n
		hint := fmt.Sprintf("%d", lo+n)
		if lo > 0 {
			hint = fmt.Sprintf("%d or %d", lo, lo+n)
		}
		return collectiveError{usagef("--batch %d is the global batch and must split evenly over the %d ranks; use a multiple of %d (%s)", batch, n, n, hint)}
	}
	return nil
}

// rows returns this rank's rows of a global batch: the rank-th of size equal
// blocks of sequences, the same rows every batch, so that in sequential
// partitioning each rank carries the state of its own rows.
func (j *job) rows(b corpus.Batch) (corpus.Batch, error) {
	if j.size() == 1 {
		return b, nil
	}
	per := b.B / j.size()
	return b.Rows(j.rank()*per, (j.rank()+1)*per)
}

// gpu is the GPU of the host this rank opens: its local rank, modulo the GPUs
// there; 0 in a job of one rank, on the CPU or the simulator.
func (j *job) gpu(device string) int {
	if j.size() == 1 || device == "cpu" || device == "sim" {
		return 0
	}
	if gpus, err := cuda.Devices(); err == nil && len(gpus) > 0 {
		return j.comm.LocalRank() % len(gpus)
	}
	return 0
}

// agree refuses, on every rank alike, a job whose ranks differ in their flags,
// their backend, their corpus, their checkpoint (when resuming) or their binary,
// naming the difference; then rank 0 prints the job's shape, once.
func (j *job) agree(o *trainOptions, be gru.Backend, ids []int32, stdout io.Writer) error {
	if j.size() == 1 {
		return nil
	}
	mine, err := j.describe(o, be, ids)
	if err != nil {
		return err
	}
	enc, _ := json.Marshal(mine)
	all, err := j.comm.AllGather(enc)
	if err != nil {
		return err
	}
	descs := make([][][2]string, len(all))
	for r, b := range all {
		if err := json.Unmarshal(b, &descs[r]); err != nil {
			return collectiveError{fmt.Errorf("rank %d sent an unreadable description of itself: %v", r, err)}
		}
	}
	var diffs []string
	for r := 1; r < len(descs); r++ {
		if d := difference(descs[0], descs[r]); d != "" {
			diffs = append(diffs, fmt.Sprintf("rank %d %s", r, d))
		}
	}
	if len(diffs) > 0 {
		return collectiveError{fmt.Errorf("the ranks differ, so they would not train one model: %s", strings.Join(diffs, "; "))}
	}
	fmt.Fprintf(stdout, "distributed: %d ranks (%s), global batch %d split into %d rows a rank; flags, corpus and binary agree\n",
		j.size(), j.comm.Version(), o.Batch, o.Batch/j.size())
	return nil
}

// describe lists what every rank must share: each flag's value, the backend's
// kind, the corpus, the checkpoint resumed from and the binary, the last three as
// SHA-256 digests.
func (j *job) describe(o *trainOptions, be gru.Backend, ids []int32) ([][2]string, error) {
	d := make([][2]string, 0, len(j.flags)+4)
	for _, f := range j.flags {
		d = append(d, [2]string{"--" + f[0], f[1]})
	}
	kind, _, _ := strings.Cut(be.Name(), " (")
	d = append(d, [2]string{"backend", kind}, [2]string{allReduceEnv, os.Getenv(allReduceEnv)})
	h := sha256.New()
	buf := make([]byte, 0, 4*len(ids))
	for _, id := range ids {
		buf = append(buf, byte(id), byte(id>>8), byte(id>>16), byte(id>>24))
	}
	h.Write(buf)
	d = append(d, [2]string{"corpus", fmt.Sprintf("SHA-256 %s of %d tokens", shortDigest(h.Sum(nil)), len(ids))})
	if o.Resume {
		sum, err := fileDigest(checkpointPath(o.Checkpoint))
		if err != nil {
			return nil, err
		}
		d = append(d, [2]string{"checkpoint", "SHA-256 " + sum})
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this binary to compare it across ranks: %w", err)
	}
	sum, err := fileDigest(exe)
	if err != nil {
		return nil, err
	}
	return append(d, [2]string{"binary", "SHA-256 " + sum}), nil
}

// difference names the first entry in which b differs from a (rank 0's), or "".
func difference(a, b [][2]string) string {
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return fmt.Sprintf("has %s, which rank 0 lacks", b[i][0])
		case i >= len(b):
			return fmt.Sprintf("lacks %s", a[i][0])
		case a[i][0] != b[i][0]:
			return fmt.Sprintf("has %s where rank 0 has %s", b[i][0], a[i][0])
		case a[i][1] != b[i][1]:
			if strings.HasPrefix(a[i][0], "--") {
				return fmt.Sprintf("has %s %q, rank 0 %q", a[i][0], b[i][1], a[i][1])
			}
			return fmt.Sprintf("has another %s: %s, rank 0 %s", a[i][0], b[i][1], a[i][1])
		}
	}
	return ""
}

// fileDigest is the SHA-256 of a file, shortened for messages.
func fileDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return shortDigest(sum[:]) + " (" + path + ")", nil
}

// shortDigest is the first 16 hex digits of a digest: enough to tell files apart.
func shortDigest(sum []byte) string { return hex.EncodeToString(sum)[:16] }

// reducer returns what averages the gradients over the ranks, and says which on
// rank 0: nil alone; NCCL on GPUs where every rank loads libnccl.so.2; else host
// staging, with MPI summing one flat buffer.
func (j *job) reducer(be gru.Backend, device string, stdout io.Writer) (lm.GradReducer, error) {
	force := os.Getenv(allReduceEnv)
	if force != "" && force != "nccl" && force != "host" {
		return nil, collectiveError{fmt.Errorf("%s=%q: want nccl, host or nothing (NCCL where every rank has it)", allReduceEnv, force)}
	}
	if j == nil || (j.size() == 1 && force == "") {
		return nil, nil
	}
	cb, gpu := be.(*cuda.Backend)
	why := "the CPU backend"
	switch {
	case gpu && device == "sim":
		gpu, why = false, "the simulator has no NCCL"
	case gpu && force == "host":
		gpu, why = false, allReduceEnv+"=host"
	}
	if force == "nccl" && !gpu {
		return nil, collectiveError{fmt.Errorf("%s=nccl: NCCL needs GPUs, and this job runs on %s", allReduceEnv, be.Name())}
	}
	if gpu {
		err := cuda.NCCLAvailable()
		mark := []byte{1}
		if err != nil {
			mark[0], why = 0, err.Error()
		}
		marks, gerr := j.comm.AllGather(mark)
		if gerr != nil {
			return nil, gerr
		}
		for r, m := range marks {
			if len(m) != 1 || m[0] != 1 {
				gpu = false
				if err == nil {
					why = fmt.Sprintf("rank %d has no usable NCCL", r)
				}
			}
		}
	}
	if force == "nccl" && !gpu {
		return nil, collectiveError{fmt.Errorf("%s=nccl, but NCCL cannot be used: %s", allReduceEnv, why)}
	}
	if gpu {
		n, err := cuda.NewNCCL(cb, j.rank(), j.size(), func(id []byte) error { return j.comm.Broadcast(id, 0) })
		if err != nil {
			return nil, err
		}
		j.close = n.Close
		fmt.Fprintf(stdout, "distributed: gradients averaged on the GPUs by NCCL (%s), inside the recorded step\n", cuda.NCCLLibrary)
		return n, nil
	}
	fmt.Fprintf(stdout, "distributed: gradients staged through host memory and summed by MPI (%s)\n", why)
	return &lm.HostReducer{Sum: j.comm.AllReduceSum, Processes: j.size()}, nil
}

// closeReducer releases the NCCL communicator, if there is one.
func (j *job) closeReducer() error {
	if j == nil || j.close == nil {
		return nil
	}
	err := j.close()
	j.close = nil
	return err
}

// finish ends this rank's part of the job (nil: returns err). After success it
// calls MPI_Finalize. After an error every rank found alike, rank 0 prints it, every
// rank waits until it has (mpirun ends the whole job as soon as one rank exits with
// an error), and all return errQuiet. After any other error it prints the error with
// the rank and ends the whole job (MPI_Abort), so that no rank waits for this one in
// a collective.
func (j *job) finish(err error, stderr io.Writer) error {
	if j == nil {
		return err
	}
	if err == nil {
		return j.comm.Finalize()
	}
	var ce collectiveError
	if errors.As(err, &ce) {
		if j.leader() {
			fmt.Fprintf(stderr, "gru train: %v\n", err)
			if errors.As(err, new(usageError)) {
				fmt.Fprintln(stderr, "Run 'gru train -h' for usage.")
			}
		}
		if _, gerr := j.comm.AllGather(nil); gerr != nil { // rank 0 has printed
			return gerr
		}
		j.comm.Finalize()
		return errQuiet
	}
	fmt.Fprintf(stderr, "gru train: rank %d of %d: %v\ngru train: ending every rank of the job\n", j.rank(), j.size(), err)
	j.comm.Abort(1)
	return err
}

// distributedStatus says what data-parallel training would use on this machine:
// Open MPI's version or why it does not load, and whether NCCL loads.
func distributedStatus() string {
	mpi, err := distributed.Available()
	if err != nil {
		mpi = err.Error()
	} else {
		mpi += " (" + distributed.Library + ")"
	}
	nccl := "NCCL (" + cuda.NCCLLibrary + ") loads"
	if err := cuda.NCCLAvailable(); err != nil {
		nccl = err.Error() + ", so GPUs stage gradients through host memory"
	}
	return mpi + "; " + nccl
}
