package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/gogru/gogru/cpu"
)

// blasNote says why the command chose its BLAS; info prints it after cpu.BLASReason.
var blasNote string

// chooseBLAS picks the CPU backend's BLAS for this run, before any backend exists:
// OpenBLAS when it loads (the library's default is gonum's pure-Go kernels), unless
// GOGRU_BLAS=gonum. On an AVX-512 CPU it sets OPENBLAS_CORETYPE to the kernels
// cpu.OpenBLASCoreType recommends, unless the variable is set (a -tags openblas
// build links OpenBLAS, which has read it by then); OPENBLAS_NUM_THREADS,
// when set, replaces the single thread cpu.UseOpenBLAS starts with. A library that
// fails to load leaves gonum in use, and info says why.
func chooseBLAS() {
	switch v := os.Getenv("GOGRU_BLAS"); v {
	case "gonum":
		blasNote = "GOGRU_BLAS=gonum chose it"
		return
	case "", "auto", "openblas":
	default:
		blasNote = fmt.Sprintf("GOGRU_BLAS=%q is not auto, openblas or gonum, so gonum was kept", v)
		return
	}
	if core := os.Getenv("OPENBLAS_CORETYPE"); core != "" {
		// A -tags openblas build's linked library read it as the program started.
		blasNote = "OPENBLAS_CORETYPE=" + core + " chose its kernels"
	} else if hasTag("openblas") {
		// The linked library started with the program; the core type is its own.
	} else if core := cpu.OpenBLASCoreType(); core != "" {
		if err := os.Setenv("OPENBLAS_CORETYPE", core); err == nil {
			blasNote = "its AVX-512 (" + core + ") kernels were chosen for this AVX-512 CPU (OPENBLAS_CORETYPE overrides)"
		}
	}
	if err := cpu.UseOpenBLAS(); err != nil {
		blasNote = ""
		return
	}
	if blasNote != "" {
		blasNote += "; "
	}
	blasNote += "GOGRU_BLAS=gonum keeps the pure-Go kernels"
	if s := os.Getenv("OPENBLAS_NUM_THREADS"); s != "" {
		n, err := strconv.Atoi(s)
		if err == nil {
			err = cpu.SetOpenBLASThreads(n)
		}
		if err != nil {
			blasNote += fmt.Sprintf("; OPENBLAS_NUM_THREADS=%q ignored: %v", s, err)
		}
	}
}

// blasLine is info's description of the BLAS in use and why.
func blasLine() string {
	if blasNote == "" {
		return fmt.Sprintf("BLAS: %s; %s", cpu.BLAS(), cpu.BLASReason())
	}
	return fmt.Sprintf("BLAS: %s; %s; %s", cpu.BLAS(), cpu.BLASReason(), blasNote)
}

// hasTag reports whether the binary was built with the build tag.
func hasTag(tag string) bool {
	for _, b := range buildTags {
		if b == tag {
			return true
		}
	}
	return false
}
