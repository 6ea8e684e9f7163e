// Package distributed runs one training job across processes and machines with
// MPI, the transport that mpirun and Slurm (srun --mpi=pmix) launch and that
// Horovod coordinates with. It is a thin layer of our own over Open MPI's C API,
// loaded at run time: a binary built anywhere runs as a single process where MPI
// is not installed, and joins an MPI job where a launcher started it.
//
// Launched reports, from the launcher's environment variables alone (read through
// the lookup the command passes, os.LookupEnv), whether the process is one rank of
// a job; Init then loads libmpi.so.40 (Open MPI 3 to 5; Debian's openmpi-bin and
// libopenmpi-dev), initialises MPI and returns the world communicator. Its
// collectives (AllReduceSum, Broadcast, AllGather) block until every rank has made
// the same call, so every rank must make the same calls in the same order.
//
// Errors come back as Go errors (MPI_ERRORS_RETURN): a caller that fails on one
// rank calls Abort, which ends every rank of the job, so that no rank waits in a
// collective for a partner that is gone. A rank that dies is noticed by the
// launcher, which ends the others (mpirun does so at once; under Slurm use
// srun --kill-on-bad-exit=1).
package distributed
