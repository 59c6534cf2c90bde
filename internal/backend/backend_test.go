package backend

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/access"
	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

// testConfig is a single member on free ports in a temp state dir.
func testConfig(t testing.TB) Config {
	t.Helper()
	p := testutil.FreePorts(t, 3)
	cfg := DefaultConfig()
	cfg.StateDir = filepath.Join(t.TempDir(), "state")
	cfg.APIListenAddress = fmt.Sprintf("127.0.0.1:%d", p[2])
	client, peer := fmt.Sprintf("http://127.0.0.1:%d", p[0]), fmt.Sprintf("http://127.0.0.1:%d", p[1])
	cfg.Etcd.Name = "unit"
	cfg.Etcd.ListenClientURLs, cfg.Etcd.AdvertiseClientURLs = []string{client}, []string{client}
	cfg.Etcd.ListenPeerURLs, cfg.Etcd.InitialAdvertisePeerURLs = []string{peer}, []string{peer}
	cfg.Etcd.UnsafeNoFsync = true
	cfg.ReadyTimeout = 20 * time.Second
	return cfg
}

// startBackend starts a backend logging to logs (nil: discarded); the
// test's cleanup stops it, if the test has not (Stop is idempotent).
func startBackend(t testing.TB, cfg Config, logs io.Writer) *Backend {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	lg, err := NewLogger(cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(cfg, lg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(testutil.Ctx(t, 30*time.Second)); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return b
}

func TestSingleMemberStartsAndServesHealth(t *testing.T) {
	cfg := testConfig(t)
	var logs bytes.Buffer
	b := startBackend(t, cfg, &logs)

	h := b.Health(context.Background())
	if !h.Healthy || h.Leader != h.Member.ID || h.Member.Name != "unit" || len(h.Errors) != 0 {
		t.Errorf("health = %+v", h)
	}
	status, body, err := testutil.HTTPGet("http://"+b.APIAddr()+"/health", nil)
	if err != nil || status != 200 || !strings.Contains(string(body), `"healthy": true`) {
		t.Errorf("GET /health = %d %s %v", status, body, err)
	}
	status, body, err = testutil.HTTPGet("http://"+b.APIAddr()+"/version", nil)
	if err != nil || status != 200 || !strings.Contains(string(body), `"server": "3.7.3"`) {
		t.Errorf("GET /version = %d %s %v", status, body, err)
	}
	status, body, err = testutil.HTTPGet("http://"+b.APIAddr()+"/metrics", nil)
	if err != nil || status != 200 || !strings.Contains(string(body), "etcd_server_has_leader 1") ||
		!strings.Contains(string(body), "sensu_backend_build_info{") {
		t.Errorf("GET /metrics = %d, %v; etcd or build metrics missing", status, err)
	}

	fi, err := os.Stat(cfg.EtcdDir())
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("etcd dir mode: %v %v", fi.Mode(), err)
	}
	for _, sub := range []string{"data", "wal"} {
		if _, err := os.Stat(filepath.Join(cfg.EtcdDir(), sub)); err != nil {
			t.Errorf("%s: %v", sub, err)
		}
	}

	// The backend registers itself for sensuctl.
	ctx := testutil.Ctx(t, 10*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := b.Client().Get(ctx, keyspace.BackendKey(b.MemberID()))
		if err == nil && len(resp.Kvs) == 1 && resp.Kvs[0].Lease != 0 &&
			strings.Contains(string(resp.Kvs[0].Value), `"name":"unit"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no registration: %v %v", resp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Quiet by default: etcd's start-up chatter stays out of the log.
	if strings.Contains(logs.String(), "single port") || strings.Contains(logs.String(), "INFO") {
		t.Errorf("default log level let noise through:\n%s", logs.String())
	}
}

func TestStopIsIdempotentAndRemovesRegistration(t *testing.T) {
	cfg := testConfig(t)
	b := startBackend(t, cfg, nil)
	cli := testutil.NewClient(t, cfg.Etcd.AdvertiseClientURLs, nil)
	ctx := testutil.Ctx(t, 10*time.Second)
	if err := b.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Stop(ctx); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if _, err := cli.Get(testutil.Ctx(t, time.Second), "x"); err == nil {
		t.Error("etcd still answers after Stop")
	}
	// Restart on the same state dir: the registration was revoked, the data kept.
	b2 := startBackend(t, cfg, nil)
	if b2.MemberID() != b.MemberID() {
		t.Errorf("member ID changed across restart: %x → %x", b.MemberID(), b2.MemberID())
	}
}

func TestStartFailsClearly(t *testing.T) {
	for _, tc := range []struct {
		setting string
		addr    func(Config) string
	}{
		{"etcd-listen-client-urls", func(c Config) string { return strings.TrimPrefix(c.Etcd.ListenClientURLs[0], "http://") }},
		{"etcd-listen-peer-urls", func(c Config) string { return strings.TrimPrefix(c.Etcd.ListenPeerURLs[0], "http://") }},
		{"api-listen-address", func(c Config) string { return c.APIListenAddress }},
	} {
		t.Run(tc.setting+" in use", func(t *testing.T) {
			cfg := testConfig(t)
			ln, err := net.Listen("tcp", tc.addr(cfg))
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			wantErr(t, startErr(t, cfg), "address already in use", tc.setting, ln.Addr().String())
		})
	}
	t.Run("state dir under a file", func(t *testing.T) {
		cfg := testConfig(t)
		file := filepath.Join(t.TempDir(), "file")
		os.WriteFile(file, nil, 0o600)
		cfg.StateDir = filepath.Join(file, "state")
		wantErr(t, startErr(t, cfg), "state-dir", "not a directory", file)
	})
	t.Run("removed marker refuses restart", func(t *testing.T) {
		cfg := testConfig(t)
		os.MkdirAll(cfg.StateDir, 0o700)
		os.WriteFile(filepath.Join(cfg.StateDir, removedMarker), []byte("member 1 (unit) was removed\n"), 0o600)
		err := startErr(t, cfg)
		if !errors.Is(err, ErrRemovedFromCluster) {
			t.Fatalf("want ErrRemovedFromCluster, got %v", err)
		}
		wantErr(t, err, "member-add", "existing", cfg.StateDir)
	})
	t.Run("new cluster without quorum times out with a reason", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.ReadyTimeout = 1500 * time.Millisecond
		other := testutil.FreePorts(t, 1)[0]
		cfg.Etcd.InitialCluster = fmt.Sprintf("unit=%s,absent=http://127.0.0.1:%d", cfg.Etcd.InitialAdvertisePeerURLs[0], other)
		err := startErr(t, cfg)
		if !errors.Is(err, ErrNotReady) {
			t.Fatalf("want ErrNotReady, got %v", err)
		}
		wantErr(t, err, "etcd-ready-timeout")
	})
}

func startErr(t *testing.T, cfg Config) error {
	t.Helper()
	b, err := New(cfg, nil)
	if err != nil {
		return err
	}
	err = b.Start(testutil.Ctx(t, 30*time.Second))
	if err == nil {
		b.Stop(context.Background())
		t.Fatal("start succeeded")
	}
	// Nothing may be left listening.
	for _, u := range append(cfg.Etcd.ListenClientURLs, cfg.Etcd.ListenPeerURLs...) {
		addr := strings.TrimPrefix(u, "http://")
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			// The test itself may hold the port; only complain when it is free now.
			if ln, lerr := net.Listen("tcp", addr); lerr == nil {
				ln.Close()
				t.Errorf("%s still accepts connections after a failed start", addr)
			}
		}
	}
	return err
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q", parts)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// BenchmarkStartToReady measures an empty single member from New to ready
// (the goal is under 2 s).
func BenchmarkStartToReady(b *testing.B) {
	for b.Loop() {
		cfg := testConfig(b)
		be, err := New(cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := be.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		be.Stop(context.Background())
		b.StartTimer()
	}
}

func TestClusterIDMismatchIsNamed(t *testing.T) {
	// A runs alone; B believes it forms a new two-member cluster with A under
	// another token, so A's cluster ID differs from the one B computes.
	a := testConfig(t)
	a.Etcd.Name = "a"
	a.Etcd.InitialClusterToken = "token-a"
	startBackend(t, a, nil)

	b := testConfig(t)
	b.Etcd.Name = "b"
	b.Etcd.InitialClusterToken = "token-b"
	b.Etcd.InitialCluster = "a=" + a.Etcd.InitialAdvertisePeerURLs[0] + ",b=" + b.Etcd.InitialAdvertisePeerURLs[0]
	b.ReadyTimeout = 4 * time.Second
	err := startErr(t, b)
	if !errors.Is(err, ErrNotReady) {
		t.Fatalf("want ErrNotReady, got %v", err)
	}
	wantErr(t, err, "cluster ID mismatch", "etcd-initial-cluster-token")
	t.Logf("operator sees: %v", err)
}

func TestAPIServesTLS(t *testing.T) {
	ca := testutil.NewCA(t, "api")
	pair := ca.Issue(t, "api")
	cfg := testConfig(t)
	cfg.APICertFile, cfg.APIKeyFile = pair.CertFile, pair.KeyFile
	b := startBackend(t, cfg, nil)
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(ca.CertFile)
	pool.AppendCertsFromPEM(pem)
	status, body, err := testutil.HTTPGet("https://"+b.APIAddr()+"/health", &tls.Config{RootCAs: pool})
	if err != nil || status != 200 {
		t.Fatalf("GET https /health: %d %s %v", status, body, err)
	}
	// Plain HTTP on the TLS listener gets Go's 400, never the health body.
	if status, body, _ := testutil.HTTPGet("http://"+b.APIAddr()+"/health", nil); status == 200 {
		t.Errorf("plain HTTP served health on a TLS listener: %s", body)
	}
}

func TestJSONLogs(t *testing.T) {
	cfg := DefaultConfig()
	cfg.LogFormat = "json"
	cfg.LogLevel = "info"
	var buf bytes.Buffer
	lg, err := NewLogger(cfg, &buf)
	if err != nil {
		t.Fatal(err)
	}
	lg.Info("hello", zap.String("k", "v"))
	lg.Debug("hidden")
	var entry map[string]any
	if err := json.Unmarshal(buf.Bytes(), &entry); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if entry["msg"] != "hello" || entry["k"] != "v" || entry["level"] != "info" {
		t.Errorf("entry = %v", entry)
	}
}

// TestRegistrationWithEtcdAuth: once etcd authentication is on, a backend
// without credentials logs one warning naming the settings and publishes no
// record; with etcd-client-username/-password it publishes its record again,
// and revokes it when it stops.
func TestRegistrationWithEtcdAuth(t *testing.T) {
	cfg := testConfig(t)
	run := func(cfg Config, logs io.Writer) *Backend {
		t.Helper()
		return startBackend(t, cfg, logs)
	}
	stop := func(b *Backend) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Stop(ctx); err != nil {
			t.Fatalf("stop: %v", err)
		}
	}

	var logs bytes.Buffer
	b := run(cfg, &logs)
	if err := access.Enable(testutil.Ctx(t, 10*time.Second), b.Client(), access.Setup{RootPassword: "root-pw", ViewerPassword: "viewer-pw"}); err != nil {
		t.Fatal(err)
	}
	id := b.MemberID()
	stop(b)

	var root *clientv3.Client
	registered := func() bool {
		t.Helper()
		resp, err := root.Get(testutil.Ctx(t, 5*time.Second), keyspace.BackendKey(id))
		if err != nil {
			t.Fatalf("read the registration as root: %v", err)
		}
		return len(resp.Kvs) == 1
	}

	// Without credentials: one warning, no record.
	var noCreds syncBuffer
	b = run(cfg, &noCreds)
	root, err := clientv3.New(clientv3.Config{Endpoints: cfg.Etcd.AdvertiseClientURLs, Username: "root", Password: "root-pw", DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	// The record of the first run outlives it: its client, without
	// credentials, could no longer revoke it. Drop it instead of waiting
	// for its lease to expire.
	if _, err := root.Delete(testutil.Ctx(t, 5*time.Second), keyspace.BackendKey(id)); err != nil {
		t.Fatal(err)
	}
	const warning = "etcd authentication is on and this backend's registration is off, so 'sensuctl version' does not list it: set etcd-client-username and etcd-client-password (SENSU_BACKEND_ETCD_CLIENT_USERNAME and SENSU_BACKEND_ETCD_CLIENT_PASSWORD, or backend.yml)"
	warnedOnce(t, &noCreds, warning, 2*time.Second) // a retry would warn again by then
	if registered() {
		t.Error("a record was published without credentials")
	}
	stop(b)

	// A wrong password: one warning naming the user, no record.
	cfg.Etcd.ClientUsername, cfg.Etcd.ClientPassword = "root", "wrong"
	var wrong syncBuffer
	b = run(cfg, &wrong)
	const wrongWarning = `etcd authentication failed for user "root": wrong user name or password; this backend's registration is off`
	warnedOnce(t, &wrong, wrongWarning, 0)
	if registered() {
		t.Error("a record was published with a wrong password")
	}
	stop(b)

	// With credentials: the record is back, and goes when the backend stops.
	cfg.Etcd.ClientUsername, cfg.Etcd.ClientPassword = "root", "root-pw"
	var withCreds syncBuffer
	b = run(cfg, &withCreds)
	ok := false
	for deadline := time.Now().Add(10 * time.Second); !ok && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ok = registered()
	}
	if !ok {
		t.Errorf("no record with credentials; log:\n%s", withCreds.String())
	}
	if strings.Contains(withCreds.String(), "registration is off") {
		t.Errorf("warning with credentials:\n%s", withCreds.String())
	}
	stop(b)
}

// syncBuffer is a log buffer safe to read while the backend writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// warnedOnce waits up to 10 s for warning in log, waits settle more, and
// checks that the registration warning was logged exactly once.
func warnedOnce(t *testing.T, log *syncBuffer, warning string, settle time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), warning) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(settle)
	if n := strings.Count(log.String(), "registration is off"); n != 1 || !strings.Contains(log.String(), warning) {
		t.Errorf("want the warning once, got %d in:\n%s", n, log.String())
	}
}
