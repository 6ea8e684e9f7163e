package distributed

import "strconv"

// launcherVars are the environment variables a launcher sets in each rank: Open
// MPI's mpirun (OMPI_COMM_WORLD_SIZE), PMIx launchers such as Slurm's
// srun --mpi=pmix (PMIX_RANK), and PMI-1/2 launchers (PMI_RANK).
var launcherVars = []string{"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}

// Launched reports whether an MPI launcher started this process, from the
// environment variables that lookup reads (a command passes os.LookupEnv; nil
// reads none): nothing is loaded and MPI is not initialised. A process started
// without a launcher runs alone and never needs MPI.
func Launched(lookup func(string) (string, bool)) bool {
	if lookup == nil {
		return false
	}
	for _, v := range launcherVars {
		if _, ok := lookup(v); ok {
			return true
		}
	}
	return false
}

// WorldSizeHint is the job's size as the launcher's environment states it
// (OMPI_COMM_WORLD_SIZE, PMI_SIZE or SLURM_NTASKS), read through lookup as in
// Launched, or 0 when it states none. Init asks MPI itself; the hint serves
// messages written before MPI is up.
func WorldSizeHint(lookup func(string) (string, bool)) int {
	if lookup == nil {
		return 0
	}
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"} {
		s, _ := lookup(v)
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 0
}
