package testutil

import "syscall"

// childAttr makes a server a test starts die with the test binary: a test
// that panics runs no cleanup, and its backends and redis-servers would
// otherwise outlive it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
