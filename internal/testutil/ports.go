// Package testutil starts real components for tests: embedded etcd members,
// sensu-backend processes built from this tree, and TLS material. Everything
// listens on 127.0.0.1 with free ports and is stopped by t.Cleanup.
package testutil

import (
	"net"
	"testing"
)

// FreePorts returns n distinct ports that were free a moment ago on
// 127.0.0.1. etcd must know its URLs before it listens, so a port cannot be
// left to the kernel; the window between closing and reuse is small.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("reserve a port: %v", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
