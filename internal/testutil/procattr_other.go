//go:build !linux

package testutil

import "syscall"

// childAttr: elsewhere only the tests' cleanup stops the servers.
func childAttr() *syscall.SysProcAttr { return nil }
