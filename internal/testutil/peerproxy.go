package testutil

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// PeerNet is a set of TCP proxies, one in front of each etcd member's plain
// (http) peer listener, that a test controls: it can delay every peer
// connection and cut members off from each other. Pure Go, on 127.0.0.1.
//
// A member's traffic reaches the others through their proxies once its
// advertised peer URL is the proxy's (see ProxyURL; `MemberUpdate` after the
// cluster formed). etcd's peer requests name their sender in the
// X-Server-From header, so a proxy knows who opened each connection: a
// member is isolated by dropping what the proxy in front of it receives and
// what the others' proxies receive from it.
type PeerNet struct {
	mu       sync.Mutex
	delay    time.Duration
	isolated map[string]bool // member IDs (hex, as X-Server-From)
	proxies  []*PeerProxy
}

// PeerProxy forwards one listener to one member's peer port.
type PeerProxy struct {
	net    *PeerNet
	ln     net.Listener
	target string
	// MemberID is the member behind the proxy, hex as X-Server-From names
	// it; set it once the ID is known so Isolate cuts inbound traffic.
	mu       sync.Mutex
	memberID string
	conns    map[*proxyConn]struct{}
	closed   bool
	wg       sync.WaitGroup
}

type proxyConn struct {
	from       string // X-Server-From of the first request; may be empty
	client     net.Conn
	upstream   net.Conn
	mu         sync.Mutex
	discarding bool
}

// NewPeerNet returns an empty PeerNet; its proxies are closed by t.Cleanup.
func NewPeerNet(t testing.TB) *PeerNet {
	n := &PeerNet{isolated: map[string]bool{}}
	t.Cleanup(n.Close)
	return n
}

// Proxy starts a proxy on a free 127.0.0.1 port that forwards to target
// (host:port).
func (n *PeerNet) Proxy(t testing.TB, target string) *PeerProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("peer proxy: %v", err)
	}
	p := &PeerProxy{net: n, ln: ln, target: target, conns: map[*proxyConn]struct{}{}}
	n.mu.Lock()
	n.proxies = append(n.proxies, p)
	n.mu.Unlock()
	p.wg.Add(1)
	go p.serve()
	return p
}

// URL is the proxy's peer URL (http://127.0.0.1:PORT).
func (p *PeerProxy) URL() string { return "http://" + p.ln.Addr().String() }

// SetMemberID names the member behind the proxy (hex).
func (p *PeerProxy) SetMemberID(id string) {
	p.mu.Lock()
	p.memberID = id
	p.mu.Unlock()
}

// SetDelay delays every chunk forwarded, both ways, on every proxy; 0 ends it.
func (n *PeerNet) SetDelay(d time.Duration) {
	n.mu.Lock()
	n.delay = d
	n.mu.Unlock()
}

// Isolate cuts the member (hex ID) off from the others: from now on what it
// sends and what is sent to it through the proxies is dropped silently (the
// connections stay open, as in a partition), new connections included.
func (n *PeerNet) Isolate(id string) {
	n.mu.Lock()
	n.isolated[id] = true
	proxies := append([]*PeerProxy(nil), n.proxies...)
	n.mu.Unlock()
	for _, p := range proxies {
		p.refresh()
	}
}

// Heal ends every isolation; connections that dropped data are closed, so
// the members dial again.
func (n *PeerNet) Heal() {
	n.mu.Lock()
	n.isolated = map[string]bool{}
	proxies := append([]*PeerProxy(nil), n.proxies...)
	n.mu.Unlock()
	for _, p := range proxies {
		p.mu.Lock()
		for c := range p.conns {
			c.mu.Lock()
			if c.discarding {
				c.client.Close()
				if c.upstream != nil {
					c.upstream.Close()
				}
			}
			c.mu.Unlock()
		}
		p.mu.Unlock()
	}
}

// Close stops every proxy and its connections.
func (n *PeerNet) Close() {
	n.mu.Lock()
	proxies := n.proxies
	n.proxies = nil
	n.mu.Unlock()
	for _, p := range proxies {
		p.close()
	}
}

func (n *PeerNet) state() (time.Duration, map[string]bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.delay, n.isolated
}

// cut reports whether traffic of a connection from `from` into the member
// `to` is to be dropped.
func (n *PeerNet) cut(from, to string) bool {
	_, iso := n.state()
	return (from != "" && iso[from]) || (to != "" && iso[to])
}

func (p *PeerProxy) refresh() {
	p.mu.Lock()
	to := p.memberID
	for c := range p.conns {
		if p.net.cut(c.from, to) {
			c.mu.Lock()
			c.discarding = true
			c.mu.Unlock()
		}
	}
	p.mu.Unlock()
}

func (p *PeerProxy) close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.client.Close()
		if c.upstream != nil {
			c.upstream.Close()
		}
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

func (p *PeerProxy) serve() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		c := &proxyConn{client: conn}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			conn.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.handle(c)
	}
}

// sender reads the first request's head (up to 8 KiB, 2 s) and returns it
// with its X-Server-From.
func sender(conn net.Conn) ([]byte, string) {
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	defer conn.SetReadDeadline(time.Time{})
	var head []byte
	buf := make([]byte, 4096)
	for len(head) < 8192 && !bytes.Contains(head, []byte("\r\n\r\n")) {
		n, err := conn.Read(buf)
		head = append(head, buf[:n]...)
		if err != nil {
			break
		}
	}
	if req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head))); err == nil {
		return head, strings.ToLower(req.Header.Get("X-Server-From"))
	}
	return head, ""
}

func (p *PeerProxy) handle(c *proxyConn) {
	defer p.wg.Done()
	defer func() {
		c.client.Close()
		if c.upstream != nil {
			c.upstream.Close()
		}
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	head, from := sender(c.client)
	p.mu.Lock()
	c.from = from
	to := p.memberID
	p.mu.Unlock()
	if p.net.cut(from, to) {
		// Partitioned from the start: swallow everything until healed.
		c.mu.Lock()
		c.discarding = true
		c.mu.Unlock()
		_, _ = io.Copy(io.Discard, c.client)
		return
	}
	up, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		return
	}
	c.mu.Lock()
	c.upstream = up
	closing := c.discarding
	c.mu.Unlock()
	if closing {
		return
	}
	if _, err := up.Write(head); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { p.pipe(c, up, c.client); done <- struct{}{} }()
	go func() { p.pipe(c, c.client, up); done <- struct{}{} }()
	<-done
	c.client.Close()
	up.Close()
	<-done
}

// pipe copies src to dst, delayed and dropped as the net says.
func (p *PeerProxy) pipe(c *proxyConn, dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			delay, _ := p.net.state()
			if delay > 0 {
				time.Sleep(delay)
			}
			c.mu.Lock()
			drop := c.discarding
			c.mu.Unlock()
			if !drop {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}
