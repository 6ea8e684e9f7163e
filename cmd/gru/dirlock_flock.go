//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"errors"
	"syscall"
)

// noFollow makes opening the lock file refuse a symbolic link.
const noFollow = syscall.O_NOFOLLOW

// flockExclusive takes an exclusive, non-blocking flock on fd. busy is true when
// another process holds it. The kernel drops the lock when the process ends, so a
// killed run leaves no stale lock behind.
func flockExclusive(fd uintptr) (busy bool, err error) {
	err = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}
