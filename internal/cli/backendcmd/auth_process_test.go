package backendcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.RunWithBinaries(m)) }

// runBinary runs a built command with a clean environment plus env, and an
// empty backend config file and sensuctl config dir.
func runBinary(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	empty := filepath.Join(t.TempDir(), "empty.yml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(append(testutil.CleanEnv(), "SENSU_BACKEND_CONFIG_FILE="+empty, "XDG_CONFIG_HOME="+t.TempDir()), env...)
	code, err := testutil.ExitCode(cmd.Run())
	if err != nil {
		t.Fatalf("run %s: %v", bin, err)
	}
	return code, stdout.String(), stderr.String()
}

// TestSensuctlVersionWithEtcdAuth runs real sensu-backend and sensuctl
// processes: once init --etcd-auth has turned etcd authentication on, a
// backend started without etcd-client-username/-password logs one warning
// naming the settings and is not listed by 'sensuctl version'; started with
// them (as SENSU_BACKEND_* variables) it is listed again.
func TestSensuctlVersionWithEtcdAuth(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "authed"})
	if err := p.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runBinary(t, bins.Backend, []string{"SENSU_BACKEND_ETCD_ROOT_PASSWORD=root-pw", "SENSU_BACKEND_ETCD_VIEWER_PASSWORD=viewer-pw"},
		"init", "--etcd-client-urls", p.ClientURL, "--etcd-auth")
	if code != 0 || !strings.Contains(out, "etcd authentication enabled") {
		t.Fatalf("init --etcd-auth: %d %q %q", code, out, errOut)
	}
	restart := func(env ...string) string {
		t.Helper()
		if code, err := p.Stop(20 * time.Second); code != 0 || err != nil {
			t.Fatalf("stop: %d %v", code, err)
		}
		mark := len(p.Logs())
		p.Config.Env = env
		p.Restart()
		if err := p.WaitHealthy(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		return p.Logs()[:mark]
	}
	backends := func() []string {
		t.Helper()
		code, out, errOut := runBinary(t, bins.Sensuctl, []string{"SENSUCTL_PASSWORD=viewer-pw"},
			"version", "-o", "json", "--endpoints", p.ClientURL, "--user", "viewer")
		var report struct {
			Backends []struct {
				Name string `json:"name"`
			} `json:"backends"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &report) != nil {
			t.Fatalf("sensuctl version: %d %q %q", code, out, errOut)
		}
		var names []string
		for _, b := range report.Backends {
			names = append(names, b.Name)
		}
		return names
	}

	// Without credentials. The record of the first run outlives it (its
	// client could no longer revoke it once auth was on) until its lease
	// expires; drop it rather than wait.
	before := restart()
	root, err := clientv3.New(clientv3.Config{Endpoints: []string{p.ClientURL}, Username: "root", Password: "root-pw", DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := root.Delete(testutil.Ctx(t, 5*time.Second), keyspace.BackendsPrefix, clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	const warning = "etcd authentication is on and this backend's registration is off, so 'sensuctl version' does not list it: " +
		"set etcd-client-username and etcd-client-password (SENSU_BACKEND_ETCD_CLIENT_USERNAME and SENSU_BACKEND_ETCD_CLIENT_PASSWORD, or backend.yml)"
	logs := func() string { return strings.TrimPrefix(p.Logs(), before) }
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs(), warning) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	if n := strings.Count(logs(), "registration is off"); n != 1 || !strings.Contains(logs(), warning) {
		t.Errorf("want the warning once, got %d in:\n%s", n, logs())
	}
	if names := backends(); len(names) != 0 {
		t.Errorf("listed without credentials: %v", names)
	}

	// With credentials.
	before = restart("SENSU_BACKEND_ETCD_CLIENT_USERNAME=root", "SENSU_BACKEND_ETCD_CLIENT_PASSWORD=root-pw")
	var names []string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if names = backends(); len(names) == 1 {
			break
		}
	}
	if len(names) != 1 || names[0] != "authed" {
		t.Errorf("sensuctl version lists %v, want [authed]; log:\n%s", names, logs())
	}
	if strings.Contains(logs(), "registration is off") {
		t.Errorf("warning with credentials:\n%s", logs())
	}
	// A graceful stop revokes the record (the authenticated client can).
	if code, err := p.Stop(20 * time.Second); code != 0 || err != nil {
		t.Fatalf("stop: %d %v", code, err)
	}
}
