// Package e2e runs the real sensu-backend and sensuctl binaries as processes.
package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.RunWithBinaries(m)) }

// run executes a binary and returns its exit code, stdout and stderr.
func run(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = isolatedEnv(t)
	code, err := testutil.ExitCode(cmd.Run())
	if err != nil {
		t.Fatalf("run %s: %v", bin, err)
	}
	return code, stdout.String(), stderr.String()
}

func TestZeroConfigStart(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:2379", "127.0.0.1:2380", "127.0.0.1:8080"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("default port %s is taken on this machine, cannot run the zero-configuration start: %v", addr, err)
		}
		ln.Close()
	}
	bins := testutil.BuildBinaries(t)
	stateDir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(bins.Backend, "start", "--state-dir", stateDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = isolatedEnv(t)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	deadline := time.Now().Add(20 * time.Second)
	for {
		status, body, err := testutil.HTTPGet("http://127.0.0.1:8080/health", nil)
		if err == nil && status == 200 && strings.Contains(string(body), `"healthy": true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not healthy: %d %s %v\n%s", status, body, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, out, errOut := run(t, bins.Sensuctl, "version", "-o", "json")
	if code != 0 || !strings.Contains(out, `"name": "default"`) {
		t.Errorf("sensuctl version: %d %q %q", code, out, errOut)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", waitErr, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30s after SIGTERM")
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "sensu-backend ready: etcd member default") {
		t.Errorf("a default run should print only the ready line, got:\n%s", stderr.String())
	}
}

func TestThreeMemberClusterSurvivesAKilledMember(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	procs := testutil.StartBackendCluster(t, bins, 3, nil)
	ctx := testutil.Ctx(t, 2*time.Minute)

	clients := make([]*clientv3.Client, 3)
	for i, p := range procs {
		clients[i] = p.Client(t)
	}
	if _, err := clients[0].Put(ctx, "/e2e/written-through-1", "v1"); err != nil {
		t.Fatal(err)
	}
	for i, cli := range clients {
		resp, err := cli.Get(ctx, "/e2e/written-through-1")
		if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v1" {
			t.Errorf("read through backend-%d: %v %v", i+1, resp, err)
		}
	}
	members, err := clients[1].MemberList(ctx)
	if err != nil || len(members.Members) != 3 {
		t.Fatalf("member list: %v %v", members, err)
	}

	procs[2].Signal(syscall.SIGKILL)
	if code, err := procs[2].Wait(10 * time.Second); err != nil || code != 128+int(syscall.SIGKILL) {
		t.Fatalf("kill backend-3: %d %v", code, err)
	}
	for _, p := range procs[:2] {
		if err := p.WaitHealthy(20 * time.Second); err != nil {
			t.Errorf("after killing backend-3: %v", err)
		}
	}
	if _, err := clients[1].Put(ctx, "/e2e/written-while-3-down", "v2"); err != nil {
		t.Fatalf("write with one member down: %v", err)
	}

	procs[2].Restart()
	if err := procs[2].WaitHealthy(60 * time.Second); err != nil {
		t.Fatalf("restart on its state dir: %v", err)
	}
	// A serializable read answers from backend-3's own copy: it has caught up.
	var got string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := clients[2].Get(ctx, "/e2e/written-while-3-down", clientv3.WithSerializable())
		if err == nil && len(resp.Kvs) == 1 {
			got = string(resp.Kvs[0].Value)
			break
		}
	}
	if got != "v2" {
		t.Errorf("backend-3 did not catch up after rejoining: %q", got)
	}
	members, err = clients[2].MemberList(ctx)
	if err != nil || len(members.Members) != 3 {
		t.Errorf("member list after rejoin: %v %v", members, err)
	}
}

func TestTLSCluster(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	ca := testutil.NewCA(t, "sensu")
	procs := testutil.StartBackendCluster(t, bins, 3, func(i int) *testutil.BackendTLS {
		return &testutil.BackendTLS{CA: ca, Cert: ca.Issue(t, fmt.Sprintf("backend-%d", i+1))}
	})
	ctx := testutil.Ctx(t, time.Minute)
	for i, p := range procs {
		if !strings.HasPrefix(p.ClientURL, "https://") || !strings.HasPrefix(p.PeerURL, "https://") {
			t.Fatalf("backend-%d is not using TLS: %s %s", i+1, p.ClientURL, p.PeerURL)
		}
	}
	if _, err := procs[0].Client(t).Put(ctx, "/e2e/tls", "ok"); err != nil {
		t.Fatalf("write over TLS: %v", err)
	}
	resp, err := procs[2].Client(t).Get(ctx, "/e2e/tls")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("read over TLS through backend-3: %v %v", resp, err)
	}

	good := ca.Issue(t, "operator")
	other := testutil.NewCA(t, "other")
	stranger := other.Issue(t, "stranger")
	cases := []struct {
		name string
		tls  transport.TLSInfo
		want string
	}{
		{"client trusts the wrong CA", transport.TLSInfo{CertFile: good.CertFile, KeyFile: good.KeyFile, TrustedCAFile: other.CertFile}, "certificate signed by unknown authority"},
		{"client cert from the wrong CA", transport.TLSInfo{CertFile: stranger.CertFile, KeyFile: stranger.KeyFile, TrustedCAFile: ca.CertFile}, "certificate"},
		{"no client cert", transport.TLSInfo{TrustedCAFile: ca.CertFile}, "certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cli := testutil.NewClient(t, []string{procs[0].ClientURL}, &tc.tls)
			short, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			if _, err := cli.Get(short, "/e2e/tls"); err == nil {
				t.Fatal("the backend served the client")
			}
			// The etcd client retries until its deadline; a bare handshake shows why.
			if err := tlsExchange(procs[0].ClientURL, tc.tls); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("TLS handshake error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if err := tlsExchange(procs[0].ClientURL, transport.TLSInfo{CertFile: good.CertFile, KeyFile: good.KeyFile, TrustedCAFile: ca.CertFile}); err != nil {
		t.Errorf("handshake with a good certificate: %v", err)
	}
}

func TestBadInputFailsWithOneLine(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yml")
	os.WriteFile(badYAML, []byte("etcd-name: a\netcd-heartbeat-intervall: 100\n"), 0o600)
	aFile := filepath.Join(dir, "a-file")
	os.WriteFile(aFile, nil, 0o600)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldURL := "http://" + held.Addr().String()

	cases := []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{"unknown YAML key", []string{"--config-file", badYAML}, 2,
			[]string{"bad.yml:2", `unknown setting "etcd-heartbeat-intervall"`, `did you mean "etcd-heartbeat-interval"`}},
		{"malformed URL", []string{"--etcd-listen-client-urls", "127.0.0.1:2379"}, 2,
			[]string{"etcd-listen-client-urls", "missing the scheme"}},
		{"name missing from initial cluster", []string{"--etcd-name", "b3", "--etcd-initial-cluster", "b1=http://127.0.0.1:2380"}, 2,
			[]string{`has no member named "b3"`}},
		{"unwritable state dir", []string{"--state-dir", filepath.Join(aFile, "state")}, 1,
			[]string{"state-dir", "not a directory"}},
		{"port in use", []string{"--etcd-listen-client-urls", heldURL, "--etcd-advertise-client-urls", heldURL}, 1,
			[]string{"address already in use", "etcd-listen-client-urls", held.Addr().String()}},
		{"unknown flag", []string{"--etcd-nme", "x"}, 2, []string{"unknown flag: --etcd-nme"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testutil.NewBackendConfig(t, testutil.BackendConfig{Name: "bad"})
			args := append(cfg.StartArgs(), tc.args...)
			// The later flag wins, so tc.args override the harness defaults.
			start := time.Now()
			code, _, stderr := run(t, bins.Backend, args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\n%s", code, tc.code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			errLine := lines[0]
			if tc.name == "unknown flag" && len(lines) == 2 && strings.HasPrefix(lines[1], "Run 'sensu-backend --help'") {
				lines = lines[:1]
			}
			if len(lines) != 1 || !strings.HasPrefix(errLine, "sensu-backend: ") {
				t.Errorf("want one error line, got:\n%s", stderr)
			}
			for _, w := range tc.wants {
				if !strings.Contains(errLine, w) {
					t.Errorf("%q does not contain %q", errLine, w)
				}
			}
			if strings.Contains(stderr, "panic") || time.Since(start) > 15*time.Second {
				t.Errorf("slow or panicking failure (%s):\n%s", time.Since(start), stderr)
			}
			// Nothing left running: the ports of this config are free again.
			for _, port := range []int{cfg.ClientPort, cfg.PeerPort, cfg.APIPort} {
				ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
				if err != nil {
					t.Errorf("port %d still in use after the failed start: %v", port, err)
					continue
				}
				ln.Close()
			}
		})
	}
}

func TestInitOnceAndConcurrently(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	t.Run("twice", func(t *testing.T) {
		p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "init-1"})
		if err := p.WaitHealthy(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		code, out, stderr := run(t, bins.Backend, "init", "--etcd-client-urls", p.ClientURL)
		if code != 0 || !strings.Contains(out, "initialized: cluster ID ") {
			t.Fatalf("first init: %d %q %q", code, out, stderr)
		}
		code, _, stderr = run(t, bins.Backend, "init", "--etcd-client-urls", p.ClientURL)
		if code != 3 || !strings.Contains(stderr, "already initialized") {
			t.Errorf("second init: %d %q", code, stderr)
		}
		code, _, stderr = run(t, bins.Backend, "init", "--etcd-client-urls", p.ClientURL, "--ignore-already-initialized")
		if code != 0 {
			t.Errorf("--ignore-already-initialized: %d %q", code, stderr)
		}
	})
	t.Run("at once", func(t *testing.T) {
		p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "init-2"})
		if err := p.WaitHealthy(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		const n = 4
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, _ = run(t, bins.Backend, "init", "--etcd-client-urls", p.ClientURL)
			}()
		}
		wg.Wait()
		zeros := 0
		for _, c := range codes {
			switch c {
			case 0:
				zeros++
			case 3:
			default:
				t.Errorf("unexpected exit code %d", c)
			}
		}
		if zeros != 1 {
			t.Errorf("exit codes %v: want exactly one 0 and the rest 3", codes)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		port := testutil.FreePorts(t, 1)[0]
		code, _, stderr := run(t, bins.Backend, "init", "--etcd-client-urls", fmt.Sprintf("http://127.0.0.1:%d", port), "--timeout", "2s")
		if code != 1 || !strings.Contains(stderr, fmt.Sprintf("127.0.0.1:%d", port)) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("init against nothing: %d %q", code, stderr)
		}
	})
}

func TestRemovedMemberExitsCleanlyAndRefusesRestart(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	procs := testutil.StartBackendCluster(t, bins, 3, nil)
	ctx := testutil.Ctx(t, 2*time.Minute)
	cli := procs[0].Client(t)

	members, err := cli.MemberList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var id uint64
	for _, m := range members.Members {
		if m.Name == "backend-3" {
			id = m.ID
		}
	}
	// etcd refuses membership changes for ~5 s after start-up ("unhealthy cluster").
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		_, err = cli.MemberRemove(ctx, id)
		if err == nil || !errors.Is(err, rpctypes.ErrUnhealthy) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("remove backend-3: %v", err)
	}

	code, err := procs[2].Wait(30 * time.Second)
	if err != nil {
		t.Fatalf("removed backend kept running: %v", err)
	}
	logs := procs[2].Logs()
	if code != 4 {
		t.Errorf("exit code %d, want 4\n%s", code, logs)
	}
	if strings.Contains(logs, "panic") || strings.Contains(logs, "goroutine ") {
		t.Errorf("removed backend panicked:\n%s", logs)
	}
	last := lastLine(logs)
	for _, w := range []string{"removed from the cluster", "member-add"} {
		if !strings.Contains(last, w) {
			t.Errorf("last line %q does not contain %q", last, w)
		}
	}

	procs[2].Restart()
	code, err = procs[2].Wait(30 * time.Second)
	if err != nil || code != 4 {
		t.Fatalf("restart on the removed state dir: code %d, %v\n%s", code, err, procs[2].Logs())
	}
	if last := lastLine(procs[2].Logs()); !strings.Contains(last, "cannot rejoin") || !strings.Contains(last, procs[2].Config.StateDir) {
		t.Errorf("restart message %q should explain how to rejoin", last)
	}
	for _, p := range procs[:2] {
		if err := p.WaitHealthy(20 * time.Second); err != nil {
			t.Errorf("remaining member: %v", err)
		}
	}
}

func TestSensuctlVersion(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "versioned"})
	if err := p.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	var report struct {
		Client struct {
			Version     string `json:"version"`
			EtcdVersion string `json:"etcd_version"`
		} `json:"client"`
		Backends []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"backends"`
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		code, out, _ := run(t, bins.Sensuctl, "version", "-o", "json", "--endpoints", p.ClientURL)
		if code == 0 && json.Unmarshal([]byte(out), &report) == nil && len(report.Backends) == 1 {
			break
		}
	}
	if report.Client.Version == "" || report.Client.EtcdVersion != "3.7.3" || len(report.Backends) != 1 ||
		report.Backends[0].Name != "versioned" || report.Backends[0].Version == "" {
		t.Errorf("sensuctl version -o json: %+v", report)
	}
	code, out, _ := run(t, bins.Sensuctl, "version", "--endpoints", p.ClientURL)
	if code != 0 || !strings.HasPrefix(out, "sensuctl version ") || !strings.Contains(out, "versioned") {
		t.Errorf("sensuctl version table:\n%s", out)
	}
	code, out, stderr := run(t, bins.Sensuctl, "version", "--endpoints", "http://127.0.0.1:1", "--dial-timeout", "1s", "--command-timeout", "1s")
	if code != 0 || !strings.HasPrefix(out, "sensuctl version ") || strings.Count(out, "\n") != 2 ||
		!strings.Contains(stderr, "http://127.0.0.1:1") {
		t.Errorf("unreachable: %d %q %q", code, out, stderr)
	}
	code, out, _ = run(t, bins.Backend, "version")
	if code != 0 || !strings.HasPrefix(out, "sensu-backend version ") {
		t.Errorf("sensu-backend version: %d %q", code, out)
	}
}

// isolatedEnv points sensu-backend at an empty config file, so that the
// machine's /etc/sensu/backend.yml never changes a test.
func isolatedEnv(t *testing.T) []string {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "empty.yml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return append(testutil.CleanEnv(), "SENSU_BACKEND_CONFIG_FILE="+empty, "XDG_CONFIG_HOME="+t.TempDir())
}

// tlsExchange completes a TLS handshake with the endpoint and one HTTP/2
// preface write and read, so that a server's rejection of the client
// certificate (sent after the handshake in TLS 1.3) surfaces as an error.
func tlsExchange(endpoint string, info transport.TLSInfo) error {
	cfg, err := info.ClientConfig()
	if err != nil {
		return err
	}
	cfg.NextProtos = []string{"h2"}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", strings.TrimPrefix(endpoint, "https://"), cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := conn.Write([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")); err != nil {
		return err
	}
	_, err = conn.Read(make([]byte, 1))
	return err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
