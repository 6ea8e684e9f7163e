package distributed

import (
	"fmt"
	"os"
	"sync"
)

// Comm is the world communicator of an MPI job: every rank of it. Its methods may
// be called from any goroutine, one at a time (they are serialised); each
// collective returns once every rank has made the same call.
type Comm struct {
	mu         sync.Mutex
	rank, size int
	localRank  int    // the rank among those on the same host
	version    string // MPI_Get_library_version's first line
	done       bool   // finalised
}

// Rank is this process's rank, in [0, Size).
func (c *Comm) Rank() int { return c.rank }

// Size is the number of ranks in the job.
func (c *Comm) Size() int { return c.size }

// LocalRank is this process's rank among the ranks on its host, in launch order:
// the GPU a rank takes on a host with one GPU a rank.
func (c *Comm) LocalRank() int { return c.localRank }

// Version describes the MPI library, e.g. "Open MPI v4.1.4".
func (c *Comm) Version() string { return c.version }

// AllReduceSum replaces buf, on every rank, by the element-wise sum of every
// rank's buf (MPI_Allreduce with MPI_SUM, in place). Every rank passes the same
// length.
func (c *Comm) AllReduceSum(buf []float64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	return c.sumF64(buf)
}

// Broadcast copies root's buf into every other rank's buf (MPI_Bcast). Every rank
// passes the same length.
func (c *Comm) Broadcast(buf []byte, root int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if root < 0 || root >= c.size {
		return fmt.Errorf("distributed: Broadcast from rank %d of %d", root, c.size)
	}
	return c.bcast(buf, root)
}

// AllGather returns every rank's b, indexed by rank (MPI_Allgatherv); the lengths
// may differ between ranks.
func (c *Comm) AllGather(b []byte) ([][]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.allGather(b)
}

// Abort ends every rank of the job with code as exit status (MPI_Abort). It is what
// a rank that fails calls, so that the others do not wait for it in a collective;
// it does not return on a working MPI.
func (c *Comm) Abort(code int) {
	c.abort(code)
	os.Exit(code) // MPI_Abort returned: end this rank at least
}

// Finalize shuts MPI down (MPI_Finalize); every rank calls it, once, at the end.
func (c *Comm) Finalize() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	c.done = true
	return c.finalize()
}

func (c *Comm) usable() error {
	if c.done {
		return fmt.Errorf("distributed: the communicator was finalised")
	}
	return nil
}

// findLocalRank counts the lower ranks on this host: the ranks gather their host
// names, as launchers number ranks per host differently.
func (c *Comm) findLocalRank() error {
	host, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("distributed: host name: %w", err)
	}
	names, err := c.allGather([]byte(host))
	if err != nil {
		return err
	}
	for r := range c.rank {
		if string(names[r]) == host {
			c.localRank++
		}
	}
	return nil
}
