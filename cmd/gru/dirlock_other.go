//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "errors"

// noFollow is 0 where O_NOFOLLOW is not known.
const noFollow = 0

// flockExclusive has no flock on this system: train warns that a second run into
// the same directory is not refused.
func flockExclusive(uintptr) (bool, error) {
	return false, errors.New("no flock on this system")
}
