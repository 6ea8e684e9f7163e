//go:build cuda

package driver

/*
#cgo LDFLAGS: -lcuda
#cgo linux CFLAGS: -I/usr/local/cuda/include
#cgo linux LDFLAGS: -L/usr/local/cuda/lib64
#include <stdint.h>
#include <cuda.h>

// Stream capture and graph launches, which gorgonia.org/cu does not wrap. The
// stream and the graphs cross as uintptr_t, as the cuBLAS handle does in cublas.go.
// Relaxed mode: the calls of a capture come from whichever OS thread the calling
// goroutine is locked to for the call, and relaxed mode is the one that does not
// tie a capture to a thread or forbid unrelated calls elsewhere in the process.
// Our own guard (device.RecordGuard) refuses the calls a step may not contain before they
// reach the driver.
static CUresult gogru_begin_capture(uintptr_t s) {
	return cuStreamBeginCapture((CUstream)s, CU_STREAM_CAPTURE_MODE_RELAXED);
}
static CUresult gogru_end_capture(uintptr_t s, uintptr_t* g) { return cuStreamEndCapture((CUstream)s, (CUgraph*)g); }
static CUresult gogru_graph_instantiate(uintptr_t* exec, uintptr_t g) {
	return cuGraphInstantiateWithFlags((CUgraphExec*)exec, (CUgraph)g, 0);
}
static CUresult gogru_graph_launch(uintptr_t exec, uintptr_t s) { return cuGraphLaunch((CUgraphExec)exec, (CUstream)s); }
static CUresult gogru_graph_exec_destroy(uintptr_t exec) { return cuGraphExecDestroy((CUgraphExec)exec); }
static CUresult gogru_graph_destroy(uintptr_t g) { return cuGraphDestroy((CUgraph)g); }
static const char* gogru_error_name(CUresult r) {
	const char* s = 0;
	return cuGetErrorName(r, &s) == CUDA_SUCCESS ? s : 0;
}
*/
import "C"

import (
	"errors"

	"github.com/gogru/gogru/cuda/internal/device"
	"gorgonia.org/cu"
)

// recordSupport is what the real device keeps for recording: the guard of the
// calls a capture refuses, and the workspace cuBLAS captures its GEMMs with.
type recordSupport struct {
	device.RecordGuard
	blasWork cu.DevicePtr
}

// cuCheck turns a driver status into nil or an *Error naming call and the status.
func cuCheck(call string, r C.CUresult) error {
	if r == C.CUDA_SUCCESS {
		return nil
	}
	e := &device.Error{Call: call, Status: int(r)}
	if name := C.gogru_error_name(r); name != nil {
		e.Detail = C.GoString(name)
	}
	return e
}

// BeginRecord starts capturing the stream's work into a CUDA graph.
func (d *Device) BeginRecord() error {
	if err := d.Start("cuStreamBeginCapture"); err != nil {
		return err
	}
	err := d.Do(func() error {
		return cuCheck("cuStreamBeginCapture", C.gogru_begin_capture(C.uintptr_t(d.StreamHandle())))
	})
	if err != nil {
		d.Abandon()
	}
	return err
}

// EndRecord ends the capture and instantiates the graph; the graph itself is
// destroyed at once, since its executable form does not need it. A call the guard
// refused during the capture makes it fail, naming that call.
func (d *Device) EndRecord() (device.Recorded, error) {
	var g, exec C.uintptr_t
	err := d.Do(func() error {
		return cuCheck("cuStreamEndCapture", C.gogru_end_capture(C.uintptr_t(d.StreamHandle()), &g))
	})
	if refused := d.Finish("cuStreamEndCapture"); refused != nil {
		err = refused // it names the call that spoiled the capture; the driver's error cannot
	}
	if err == nil {
		err = d.Do(func() error { return cuCheck("cuGraphInstantiateWithFlags", C.gogru_graph_instantiate(&exec, g)) })
	}
	if g != 0 {
		err = errors.Join(err, d.Do(func() error { return cuCheck("cuGraphDestroy", C.gogru_graph_destroy(g)) }))
	}
	if err != nil {
		if exec != 0 {
			d.Do(func() error { return cuCheck("cuGraphExecDestroy", C.gogru_graph_exec_destroy(exec)) })
		}
		return nil, err
	}
	return &recording{d: d, exec: exec}, nil
}

// recording is an instantiated CUDA graph (a CUgraphExec).
type recording struct {
	d    *Device
	exec C.uintptr_t
}

// launch queues the graph on the device's stream: one driver call for the step.
func (g *recording) Launch() error {
	if err := g.d.Refuse(device.CallGraphLaunch, device.WhatGraphLaunch); err != nil {
		return err
	}
	return g.d.Do(func() error {
		return cuCheck("cuGraphLaunch", C.gogru_graph_launch(g.exec, C.uintptr_t(g.d.StreamHandle())))
	})
}

// destroy releases the executable graph. Calling it twice is safe.
func (g *recording) Destroy() error {
	if g.exec == 0 {
		return nil
	}
	exec := g.exec
	g.exec = 0
	return g.d.Do(func() error { return cuCheck("cuGraphExecDestroy", C.gogru_graph_exec_destroy(exec)) })
}

// blasWorkspaceBytes is the workspace cuBLAS is given on a device of compute
// capability major: the sizes cuBLAS's documentation of cublasSetWorkspace
// recommends, 32 MiB on Hopper (9.x) and later, 4 MiB before.
func blasWorkspaceBytes(major int) int {
	if major >= 9 {
		return 32 << 20
	}
	return 4 << 20
}

// setBlasWorkspace allocates stream 0's cuBLAS workspace and gives it to its
// handle. It runs inside Open's Do.
func (d *Device) setBlasWorkspace(dev cu.Device) error {
	var err error
	d.blasWork, err = giveBlasWorkspace(dev, d.blas, "cuBLAS workspace")
	return err
}

// giveBlasWorkspace allocates a cuBLAS workspace, outside the allocation tracker
// (it belongs to the device, as the handle does, and close frees it), and gives it
// to h, so that a GEMM inside a stream capture allocates nothing. It returns the
// workspace, for the caller to free, even when giving it failed; what names it in
// an *AllocError. The caller holds the context.
func giveBlasWorkspace(dev cu.Device, h *cublasHandle, what string) (cu.DevicePtr, error) {
	major, err := dev.Attribute(cu.ComputeCapabilityMajor)
	if err != nil {
		return 0, driverError("cuDeviceGetAttribute", err)
	}
	n := blasWorkspaceBytes(major)
	p, err := cu.MemAlloc(int64(n))
	if err != nil {
		return 0, &device.AllocError{What: what, Bytes: n, Err: driverError("cuMemAlloc", err)}
	}
	return p, h.setWorkspace(uintptr(p), n)
}
