//go:build cgo

package sim

import (
	"slices"

	"github.com/gogru/gogru/cuda/internal/device"
)

// recorder is the simulator's side of a capture: the guard of the calls it
// refuses, and the calls it records instead of running.
type recorder struct {
	device.RecordGuard
	pending []func() error
}

// recording is the simulator's graph: the calls recorded during a capture, each with
// its arguments copied, run again in order by launch.
type recording struct {
	d     *Device
	calls []func() error
}

// BeginRecord starts recording calls instead of running them.
func (d *Device) BeginRecord() error {
	if err := d.Start("cuStreamBeginCapture"); err != nil {
		return err
	}
	d.pending = nil
	return nil
}

// EndRecord returns the calls recorded since BeginRecord, or the *Error of the
// first call the capture refused.
func (d *Device) EndRecord() (device.Recorded, error) {
	calls := d.pending
	d.pending = nil
	if err := d.Finish("cuStreamEndCapture"); err != nil {
		return nil, err
	}
	return &recording{d: d, calls: calls}, nil
}

// record appends call to the capture in progress.
func (d *Device) record(call func() error) error {
	d.pending = append(d.pending, call)
	return nil
}

// recordLaunch records a launch with a copy of its argument slots, after the
// checks cuLaunchKernel makes when it is captured: a known kernel, one argument
// per parameter.
func (d *Device) recordLaunch(k device.Kernel, lg device.LaunchGeom, args []uint64) error {
	if err := device.LaunchError(k, len(args)); err != nil {
		return err
	}
	args = slices.Clone(args)
	return d.record(func() error { return d.Launch(k, lg, args) })
}

// launch runs the recorded calls in order and stops at the first error.
func (g *recording) Launch() error {
	if err := g.d.Refuse(device.CallGraphLaunch, device.WhatGraphLaunch); err != nil {
		return err
	}
	for _, call := range g.calls {
		if err := call(); err != nil {
			return err
		}
	}
	return nil
}

// destroy drops the recorded calls.
func (g *recording) Destroy() error {
	g.calls = nil
	return nil
}
