package testutil

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// EtcdMember is one embedded etcd member started by StartEtcd.
type EtcdMember struct {
	Name      string
	ClientURL string
	PeerURL   string
	Dir       string
	Etcd      *embed.Etcd
	stopOnce  sync.Once
}

// Stop closes the member; safe to call more than once (t.Cleanup calls it too).
func (m *EtcdMember) Stop() {
	m.stopOnce.Do(func() {
		if m.Etcd != nil {
			m.Etcd.Close()
		}
	})
}

// EtcdCluster is a set of plain embedded etcd members (no sensu-backend).
type EtcdCluster struct {
	Members []*EtcdMember
	TLS     *EtcdTLS
}

// EtcdTLS enables client TLS with client-certificate auth on the members.
type EtcdTLS struct {
	CA     *CA
	Server CertPair
	Client CertPair
}

// EtcdOptions tune StartEtcd.
type EtcdOptions struct {
	// TLS, when set, serves clients over https and requires client certs.
	TLS *EtcdTLS
}

// StartEtcd starts an n-member etcd cluster on 127.0.0.1 and waits until every
// member is ready. The members are closed by t.Cleanup.
func StartEtcd(t testing.TB, n int, opts ...EtcdOptions) *EtcdCluster {
	t.Helper()
	var opt EtcdOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	ports := FreePorts(t, 2*n)
	c := &EtcdCluster{TLS: opt.TLS}
	scheme := "http"
	if opt.TLS != nil {
		scheme = "https"
	}
	var initial []string
	for i := range n {
		m := &EtcdMember{
			Name:      fmt.Sprintf("m%d", i+1),
			ClientURL: fmt.Sprintf("%s://127.0.0.1:%d", scheme, ports[2*i]),
			PeerURL:   fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]),
			Dir:       filepath.Join(t.TempDir(), "etcd"),
		}
		c.Members = append(c.Members, m)
		initial = append(initial, m.Name+"="+m.PeerURL)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	// A new cluster's members must start together: each waits for a quorum.
	for i, m := range c.Members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.Etcd, errs[i] = startMember(m, strings.Join(initial, ","), opt)
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, m := range c.Members {
			m.Stop()
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("start etcd member %s: %v", c.Members[i].Name, err)
		}
	}
	return c
}

func startMember(m *EtcdMember, initialCluster string, opt EtcdOptions) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = m.Name
	cfg.Dir = m.Dir
	cfg.Logger = "zap"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.UnsafeNoFsync = true
	cu, _ := url.Parse(m.ClientURL)
	pu, _ := url.Parse(m.PeerURL)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = initialCluster
	cfg.InitialClusterToken = "testutil"
	if opt.TLS != nil {
		cfg.ClientTLSInfo = transport.TLSInfo{
			CertFile: opt.TLS.Server.CertFile, KeyFile: opt.TLS.Server.KeyFile,
			TrustedCAFile: opt.TLS.CA.CertFile, ClientCertAuth: true,
		}
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(30 * time.Second):
		e.Close()
		return nil, fmt.Errorf("not ready after 30s")
	}
}

// Endpoints are the members' client URLs.
func (c *EtcdCluster) Endpoints() []string {
	eps := make([]string, len(c.Members))
	for i, m := range c.Members {
		eps[i] = m.ClientURL
	}
	return eps
}

// Client returns a client for all members, closed by t.Cleanup.
func (c *EtcdCluster) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	return NewClient(t, c.Endpoints(), c.clientTLS())
}

func (c *EtcdCluster) clientTLS() *transport.TLSInfo {
	if c.TLS == nil {
		return nil
	}
	return &transport.TLSInfo{CertFile: c.TLS.Client.CertFile, KeyFile: c.TLS.Client.KeyFile, TrustedCAFile: c.TLS.CA.CertFile}
}

// NewClient returns an etcd client for endpoints, closed by t.Cleanup.
func NewClient(t testing.TB, endpoints []string, tlsInfo *transport.TLSInfo) *clientv3.Client {
	t.Helper()
	cfg := clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()}
	if tlsInfo != nil {
		tc, err := tlsInfo.ClientConfig()
		if err != nil {
			t.Fatalf("client TLS: %v", err)
		}
		cfg.TLS = tc
	}
	cli, err := clientv3.New(cfg)
	if err != nil {
		t.Fatalf("etcd client for %v: %v", endpoints, err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Ctx returns a context that ends with the test or after d.
func Ctx(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
