package kernels

// Architectures lists the GPU architectures compiled into the embedded fatbin:
// SASS as "sm_XY" and PTX as "compute_XY". It is empty until the kernels are built.
func Architectures() []string { return nil }
