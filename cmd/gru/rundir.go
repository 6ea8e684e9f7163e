package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gogru/gogru/internal/atomicfile"
)

// lockName is the file in a checkpoint directory that a live run holds a flock on.
// It stays after the run (removing it would race with a run starting) and holds
// the last run's process id, for the message a second run gets.
const lockName = ".lock"

// runDir is train's checkpoint directory, held from the start of a run to its end.
type runDir struct {
	path     string
	lock     *os.File // nil where the system has no flock
	holdsRun bool     // the directory held a checkpoint when the run started
	replace  bool     // --overwrite: moveAside moves that run aside
}

// openRunDir prepares --checkpoint DIR before any work: it creates DIR, proves it
// writable, takes the lock that refuses a second live run, checks that the files
// train will write there can be replaced (no symbolic links), and refuses a
// directory that holds a run unless --resume (continue it) or --overwrite (move it
// aside, see moveAside) says what to do with it.
func openRunDir(o *trainOptions, stderr io.Writer) (*runDir, error) {
	dir := o.Checkpoint
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("--checkpoint %s: not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--checkpoint %s: cannot create the directory: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".gru-write-probe*")
	if err == nil {
		probe.Close()
		err = os.Remove(probe.Name())
	}
	if err != nil {
		return nil, fmt.Errorf("--checkpoint %s: the directory is not writable, so no checkpoint could be saved: %w", dir, err)
	}
	d := &runDir{path: dir, replace: o.Overwrite}
	if err := d.takeLock(stderr); err != nil {
		return nil, err
	}
	fail := func(err error) (*runDir, error) { d.Close(); return nil, err }
	for _, p := range []string{checkpointPath(dir), plotPath(o), keepBestPath(o)} {
		if p == "" {
			continue
		}
		if err := atomicfile.CheckDestination(p); err != nil {
			return fail(err)
		}
	}
	_, err = os.Lstat(checkpointPath(dir))
	d.holdsRun = err == nil
	switch {
	case d.holdsRun && !o.Resume && !o.Overwrite:
		return fail(fmt.Errorf("--checkpoint %s holds a run (%s): add --resume to continue it, --overwrite to move it aside and start afresh, or choose another directory",
			dir, filepath.Base(checkpointPath(dir))))
	case !d.holdsRun && o.Resume:
		return fail(fmt.Errorf("--resume: %s holds no checkpoint (%s) to resume from", dir, filepath.Base(checkpointPath(dir))))
	}
	return d, nil
}

// takeLock takes an exclusive flock on DIR/.lock, refusing the run when another
// process holds it. A file system without flock costs the check, with a warning.
func (d *runDir) takeLock(stderr io.Writer) error {
	path := filepath.Join(d.path, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|noFollow, 0o644)
	if err != nil {
		return fmt.Errorf("--checkpoint %s: cannot open the lock file %s: %w", d.path, path, err)
	}
	busy, err := flockExclusive(f.Fd())
	switch {
	case busy:
		b, _ := io.ReadAll(io.LimitReader(f, 32))
		f.Close()
		who := "another process"
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			who = fmt.Sprintf("process %d", pid)
		}
		return fmt.Errorf("--checkpoint %s is in use: %s is training into it (it holds %s); wait for it to end or choose another directory", d.path, who, path)
	case err != nil:
		f.Close()
		fmt.Fprintf(stderr, "gru train: warning: cannot lock %s (%v): a second run into %s would not be refused\n", path, err, d.path)
		return nil
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	d.lock = f
	return nil
}

// moveAside moves everything in the directory but the lock into a new sibling
// directory DIR.old-<UTC time> and returns its path, so that a run started with
// --overwrite replaces nothing. It does nothing (and returns "") without
// --overwrite or when the directory held no run.
func (d *runDir) moveAside() (string, error) {
	if !d.holdsRun || !d.replace {
		return "", nil
	}
	abs, err := filepath.Abs(d.path)
	if err != nil {
		return "", err
	}
	base := abs + ".old-" + time.Now().UTC().Format("20060102T150405Z")
	aside := base
	for i := 2; ; i++ {
		err = os.Mkdir(aside, 0o755)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
		aside = fmt.Sprintf("%s-%d", base, i)
	}
	if err != nil {
		return "", fmt.Errorf("--overwrite: cannot make a directory to move the previous run into: %w", err)
	}
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.Name() == lockName {
			continue
		}
		if err := os.Rename(filepath.Join(d.path, e.Name()), filepath.Join(aside, e.Name())); err != nil {
			return "", fmt.Errorf("--overwrite: moving the previous run into %s: %w (what was moved is there, the rest is in %s)", aside, err, d.path)
		}
	}
	d.holdsRun = false
	return aside, nil
}

// Close releases the lock.
func (d *runDir) Close() {
	if d.lock != nil {
		d.lock.Close()
		d.lock = nil
	}
}
