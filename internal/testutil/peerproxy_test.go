package testutil

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

// dialAs opens a connection through the proxy whose first request names
// from as its sender, and reads the echoed head.
func dialAs(t *testing.T, p *PeerProxy, from string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(p.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	head := "GET /raft/stream/msgappv2/1 HTTP/1.1\r\nHost: x\r\nX-Server-From: " + from + "\r\n\r\n"
	if _, err := c.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	got := make([]byte, len(head))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(r, got); err != nil || string(got) != head {
		t.Fatalf("head through the proxy: %q %v", got, err)
	}
	return c, r
}

func roundTrip(c net.Conn, r *bufio.Reader, line string, wait time.Duration) (string, error) {
	c.SetDeadline(time.Now().Add(wait))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		return "", err
	}
	s, err := r.ReadString('\n')
	return strings.TrimSuffix(s, "\n"), err
}

func TestPeerNet(t *testing.T) {
	n := NewPeerNet(t)
	p := n.Proxy(t, echoServer(t))
	p.SetMemberID("b")
	fromA, ra := dialAs(t, p, "a")
	fromC, rc := dialAs(t, p, "c")

	if got, err := roundTrip(fromA, ra, "one", 2*time.Second); err != nil || got != "one" {
		t.Fatalf("forwarding: %q %v", got, err)
	}

	// Isolating a drops what a sends, silently; c still gets through.
	n.Isolate("a")
	if got, err := roundTrip(fromA, ra, "two", 300*time.Millisecond); err == nil {
		t.Fatalf("isolated sender got %q through", got)
	}
	if got, err := roundTrip(fromC, rc, "three", 2*time.Second); err != nil || got != "three" {
		t.Fatalf("other sender: %q %v", got, err)
	}
	// Healing closes the connection that lost data; a new one works.
	n.Heal()
	if _, err := roundTrip(fromA, ra, "four", 2*time.Second); err == nil {
		t.Fatal("connection that dropped data still open after Heal")
	}
	fromA, ra = dialAs(t, p, "a")
	if got, err := roundTrip(fromA, ra, "five", 2*time.Second); err != nil || got != "five" {
		t.Fatalf("after heal: %q %v", got, err)
	}

	// Isolating the member behind the proxy cuts every sender, new
	// connections included.
	n.Isolate("b")
	if got, err := roundTrip(fromC, rc, "six", 300*time.Millisecond); err == nil {
		t.Fatalf("isolated member received %q", got)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(p.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nX-Server-From: c\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if k, err := c.Read(make([]byte, 10)); err == nil {
		t.Fatalf("new connection to an isolated member answered %d bytes", k)
	}
	n.Heal()

	// Delay: each chunk each way waits.
	n.SetDelay(100 * time.Millisecond)
	fromC, rc = dialAs(t, p, "c")
	start := time.Now()
	if got, err := roundTrip(fromC, rc, "seven", 3*time.Second); err != nil || got != "seven" {
		t.Fatalf("delayed: %q %v", got, err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("round trip took %s with 100ms each way", d)
	}
	n.SetDelay(0)
}
