package testutil

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// BackendTLS turns on etcd client and peer TLS, with client-certificate auth
// on both, for a backend process.
type BackendTLS struct {
	CA   *CA
	Cert CertPair
}

// BackendConfig describes one sensu-backend process. Zero ports are
// allocated; an empty StateDir gets a temp dir.
type BackendConfig struct {
	Name                string
	StateDir            string
	ClientPort          int
	PeerPort            int
	APIPort             int
	InitialCluster      string // empty: this member alone
	InitialClusterState string // empty: new
	TLS                 *BackendTLS
	// ConfigFile is passed as --config-file; empty means an empty file, so the
	// machine's /etc/sensu/backend.yml never leaks into a test.
	ConfigFile string
	Args       []string // extra flags
	Env        []string // extra environment, KEY=VALUE
}

// BackendProcess is a running (or exited) sensu-backend.
type BackendProcess struct {
	t         testing.TB
	bin       string
	Config    BackendConfig
	ClientURL string
	PeerURL   string
	APIURL    string

	logPath string
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	exitErr error
}

// NewBackendConfig fills ports, URLs and the state dir of cfg.
func NewBackendConfig(t testing.TB, cfg BackendConfig) BackendConfig {
	t.Helper()
	ports := FreePorts(t, 3)
	if cfg.ClientPort == 0 {
		cfg.ClientPort = ports[0]
	}
	if cfg.PeerPort == 0 {
		cfg.PeerPort = ports[1]
	}
	if cfg.APIPort == 0 {
		cfg.APIPort = ports[2]
	}
	if cfg.Name == "" {
		cfg.Name = "backend"
	}
	if cfg.StateDir == "" {
		cfg.StateDir = filepath.Join(t.TempDir(), "state")
	}
	if cfg.ConfigFile == "" {
		cfg.ConfigFile = filepath.Join(t.TempDir(), "backend.yml")
		if err := os.WriteFile(cfg.ConfigFile, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

func (c BackendConfig) scheme() string {
	if c.TLS != nil {
		return "https"
	}
	return "http"
}

// PeerURL is the member's peer URL.
func (c BackendConfig) PeerURL() string {
	return fmt.Sprintf("%s://127.0.0.1:%d", c.scheme(), c.PeerPort)
}

// ClientURL is the member's etcd client URL.
func (c BackendConfig) ClientURL() string {
	return fmt.Sprintf("%s://127.0.0.1:%d", c.scheme(), c.ClientPort)
}

// Args is the command line for `sensu-backend start`.
func (c BackendConfig) StartArgs() []string {
	args := []string{"start",
		"--config-file", c.ConfigFile,
		"--state-dir", c.StateDir,
		"--etcd-name", c.Name,
		"--etcd-listen-client-urls", c.ClientURL(),
		"--etcd-advertise-client-urls", c.ClientURL(),
		"--etcd-listen-peer-urls", c.PeerURL(),
		"--etcd-initial-advertise-peer-urls", c.PeerURL(),
		"--api-listen-address", fmt.Sprintf("127.0.0.1:%d", c.APIPort),
		"--etcd-unsafe-no-fsync",
	}
	if c.InitialCluster != "" {
		args = append(args, "--etcd-initial-cluster", c.InitialCluster)
	}
	if c.InitialClusterState != "" {
		args = append(args, "--etcd-initial-cluster-state", c.InitialClusterState)
	}
	if c.TLS != nil {
		args = append(args,
			"--etcd-cert-file", c.TLS.Cert.CertFile, "--etcd-key-file", c.TLS.Cert.KeyFile,
			"--etcd-trusted-ca-file", c.TLS.CA.CertFile, "--etcd-client-cert-auth",
			"--etcd-peer-cert-file", c.TLS.Cert.CertFile, "--etcd-peer-key-file", c.TLS.Cert.KeyFile,
			"--etcd-peer-trusted-ca-file", c.TLS.CA.CertFile, "--etcd-peer-client-cert-auth")
	}
	return append(args, c.Args...)
}

// StartBackend starts a sensu-backend process with cfg (see NewBackendConfig)
// and returns without waiting for it to be ready. The process is killed by
// t.Cleanup if still running; its log is shown when the test failed.
func StartBackend(t testing.TB, bins Binaries, cfg BackendConfig) *BackendProcess {
	t.Helper()
	cfg = NewBackendConfig(t, cfg)
	p := &BackendProcess{
		t: t, bin: bins.Backend, Config: cfg,
		ClientURL: cfg.ClientURL(), PeerURL: cfg.PeerURL(),
		APIURL:  fmt.Sprintf("http://127.0.0.1:%d", cfg.APIPort),
		logPath: filepath.Join(t.TempDir(), cfg.Name+".log"),
	}
	p.start()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("log of backend %s:\n%s", cfg.Name, tail(p.Logs(), 60))
		}
	})
	return p
}

func (p *BackendProcess) start() {
	p.t.Helper()
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command(p.bin, p.Config.StartArgs()...)
	cmd.SysProcAttr = childAttr()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(CleanEnv(), p.Config.Env...)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		p.t.Fatalf("start sensu-backend: %v", err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.exitErr = cmd, done, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		logFile.Close()
		p.mu.Lock()
		p.exitErr = err
		p.mu.Unlock()
		close(done)
	}()
}

// CleanEnv is the test's environment without SENSU_BACKEND_*, SENSUCTL_* and
// SENSU_* variables, so that the developer's own settings never change a test.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SENSU_") && !strings.HasPrefix(kv, "SENSUCTL_") {
			env = append(env, kv)
		}
	}
	return env
}

// WaitHealthy polls GET /health until it answers 200.
func (p *BackendProcess) WaitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	for time.Now().Before(deadline) {
		if p.Exited() {
			return fmt.Errorf("backend %s exited (%v): %s", p.Config.Name, p.exitErr, tail(p.Logs(), 5))
		}
		resp, err := client.Get(p.APIURL + "/health")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("backend %s not healthy after %s: %s", p.Config.Name, timeout, last)
}

// Exited reports whether the process has ended.
func (p *BackendProcess) Exited() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// Wait waits for the process to exit and returns its exit code.
func (p *BackendProcess) Wait(timeout time.Duration) (int, error) {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	select {
	case <-done:
	case <-time.After(timeout):
		return -1, fmt.Errorf("backend %s still running after %s", p.Config.Name, timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var ee *exec.ExitError
	switch {
	case p.exitErr == nil:
		return 0, nil
	case errors.As(p.exitErr, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	default:
		return -1, p.exitErr
	}
}

// Signal sends sig to the process.
func (p *BackendProcess) Signal(sig os.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

// Stop sends SIGTERM and waits for a graceful exit, returning the exit code.
func (p *BackendProcess) Stop(timeout time.Duration) (int, error) {
	p.Signal(syscall.SIGTERM)
	return p.Wait(timeout)
}

// Kill ends the process with SIGKILL (if it runs) and waits for it.
func (p *BackendProcess) Kill() {
	if p.Exited() {
		return
	}
	p.Signal(syscall.SIGKILL)
	_, _ = p.Wait(10 * time.Second)
}

// Restart starts the process again with the same configuration and state dir.
func (p *BackendProcess) Restart() {
	p.t.Helper()
	p.Kill()
	p.start()
}

// Logs returns everything the process wrote so far.
func (p *BackendProcess) Logs() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// Client returns an etcd client for this member alone.
func (p *BackendProcess) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	return NewClient(t, []string{p.ClientURL}, p.Config.clientTLS())
}

func (c BackendConfig) clientTLS() *transport.TLSInfo {
	if c.TLS == nil {
		return nil
	}
	return &transport.TLSInfo{CertFile: c.TLS.Cert.CertFile, KeyFile: c.TLS.Cert.KeyFile, TrustedCAFile: c.TLS.CA.CertFile}
}

// StartBackendCluster starts n backends forming a new cluster and waits until
// all are healthy. tlsFor, when not nil, gives each member its TLS.
func StartBackendCluster(t testing.TB, bins Binaries, n int, tlsFor func(i int) *BackendTLS) []*BackendProcess {
	t.Helper()
	cfgs := make([]BackendConfig, n)
	var initial []string
	for i := range cfgs {
		cfg := BackendConfig{Name: fmt.Sprintf("backend-%d", i+1)}
		if tlsFor != nil {
			cfg.TLS = tlsFor(i)
		}
		cfgs[i] = NewBackendConfig(t, cfg)
		initial = append(initial, cfgs[i].Name+"="+cfgs[i].PeerURL())
	}
	procs := make([]*BackendProcess, n)
	for i := range cfgs {
		cfgs[i].InitialCluster = strings.Join(initial, ",")
		procs[i] = StartBackend(t, bins, cfgs[i])
	}
	for _, p := range procs {
		if err := p.WaitHealthy(60 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	return procs
}

// HTTPGet fetches url and returns status and body.
func HTTPGet(url string, tlsCfg *tls.Config) (int, []byte, error) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	resp, err := client.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = io.Copy(&buf, resp.Body)
	return resp.StatusCode, buf.Bytes(), err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
