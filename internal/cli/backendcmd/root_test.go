package backendcmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/backend"
	"github.com/sensu-etcd/sensu/internal/backendconfig"
	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{fmt.Errorf("x: %w", keyspace.ErrAlreadyInitialized), ExitAlreadyInitialized},
		{fmt.Errorf("x: %w", backend.ErrRemovedFromCluster), ExitRemoved},
		{&etcdconn.Error{Kind: etcdconn.ErrAuth, Msg: "x"}, ExitPermission},
		{&etcdconn.Error{Kind: etcdconn.ErrPermission, Msg: "x"}, ExitPermission},
		{backend.DefaultConfig().Validate(), ExitOK},
		{func() error { c := backend.DefaultConfig(); c.LogLevel = "x"; return c.Validate() }(), ExitUsage},
		{fmt.Errorf("x: %w", backendconfig.ErrConfig), ExitUsage},
		{fmt.Errorf("etcd stopped"), ExitError},
		{fmt.Errorf("%w: x", errInterrupted), ExitInterrupted},
	}
	for i, tc := range cases {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("case %d (%v): exit code %d, want %d", i, tc.err, got, tc.want)
		}
	}
}

// runCmd runs sensu-backend in-process with an empty environment.
func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["SENSU_BACKEND_CONFIG_FILE"]; !ok {
		empty := filepath.Join(t.TempDir(), "empty.yml")
		os.WriteFile(empty, nil, 0o600)
		env["SENSU_BACKEND_CONFIG_FILE"] = empty
	}
	streams := IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Env: backendconfig.Source{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Warn:      func(s string) { fmt.Fprintln(&errOut, "warning:", s) },
	}}
	code := Run(context.Background(), args, streams)
	return code, out.String(), errOut.String()
}

func TestInitInProcess(t *testing.T) {
	cluster := testutil.StartEtcd(t, 1)
	ep := cluster.Endpoints()[0]
	code, out, errOut := runCmd(t, nil, "init", "--etcd-client-urls", ep)
	if code != 0 || !strings.HasPrefix(out, "initialized: cluster ID ") {
		t.Fatalf("first init: %d %q %q", code, out, errOut)
	}
	// Settings reach init through the environment too.
	code, _, errOut = runCmd(t, map[string]string{"SENSU_BACKEND_ETCD_CLIENT_URLS": ep}, "init")
	if code != ExitAlreadyInitialized || errOut != "sensu-backend: the store is already initialized (use --ignore-already-initialized to exit 0)\n" {
		t.Errorf("second init: %d %q", code, errOut)
	}
	resp, err := cluster.Client(t).Get(testutil.Ctx(t, 5*time.Second), keyspace.InitializedKey)
	if err != nil || len(resp.Kvs) != 1 {
		t.Errorf("marker: %v %v", resp, err)
	}
}

func TestUsageErrors(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "backend.yml")
	os.WriteFile(cfgFile, []byte("log-level: loud\n"), 0o600)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"start", "--bogus"}, "sensu-backend: unknown flag: --bogus\nRun 'sensu-backend --help' for usage.\n"},
		{"bad value in file", map[string]string{"SENSU_BACKEND_CONFIG_FILE": cfgFile}, []string{"start"}, `sensu-backend: log-level "loud": must be one of debug, info, warn, error` + "\n"},
		{"bad env value", map[string]string{"SENSU_BACKEND_ETCD_MAX_LEARNERS": "many"}, []string{"start"}, `SENSU_BACKEND_ETCD_MAX_LEARNERS`},
		{"positional argument", nil, []string{"start", "extra"}, `unknown command "extra"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tc.env, tc.args...)
			if code != ExitUsage {
				t.Errorf("exit code %d, want %d (%q)", code, ExitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) || out != "" {
				t.Errorf("stderr %q does not contain %q (stdout %q)", errOut, tc.want, out)
			}
		})
	}
}

func TestHelpGroupsFlags(t *testing.T) {
	code, out, _ := runCmd(t, nil, "start", "--help")
	if code != 0 {
		t.Fatal(code)
	}
	prev := -1
	for _, g := range []string{"General Flags:", "HTTP API Flags:", "Store (embedded etcd) Flags:", "Store TLS Flags:"} {
		i := strings.Index(out, g)
		if i <= prev {
			t.Errorf("group %q missing or out of order in:\n%s", g, out)
		}
		prev = i
	}
	if !strings.Contains(out, "SENSU_BACKEND_ETCD_INITIAL_CLUSTER") || strings.Contains(out, "Init Flags:") {
		t.Errorf("start help:\n%s", out)
	}
}

func TestInitEtcdAuth(t *testing.T) {
	cluster := testutil.StartEtcd(t, 1)
	ep := cluster.Endpoints()[0]

	code, _, errOut := runCmd(t, nil, "init", "--etcd-client-urls", ep, "--etcd-auth", "--etcd-root-password", "root-pw")
	if code != ExitUsage || !strings.Contains(errOut, "--etcd-viewer-password or SENSU_BACKEND_ETCD_VIEWER_PASSWORD") {
		t.Fatalf("missing viewer password without a terminal: %d %q", code, errOut)
	}
	env := map[string]string{"SENSU_BACKEND_ETCD_ROOT_PASSWORD": "root-pw", "SENSU_BACKEND_ETCD_VIEWER_PASSWORD": "viewer-pw"}
	code, out, errOut := runCmd(t, env, "init", "--etcd-client-urls", ep, "--etcd-auth")
	if code != 0 || !strings.Contains(out, "initialized: cluster ID") || !strings.Contains(out, "etcd authentication enabled: user root") {
		t.Fatalf("init --etcd-auth: %d %q %q", code, out, errOut)
	}
	ctx := testutil.Ctx(t, 10*time.Second)
	if _, err := cluster.Client(t).Get(ctx, keyspace.InitializedKey); err == nil {
		t.Error("a client without credentials can still read after --etcd-auth")
	}
	// A second run without credentials: initialized (exit 3), and it says
	// which of init's own settings carry credentials, not sensuctl's.
	code, _, errOut = runCmd(t, env, "init", "--etcd-client-urls", ep, "--etcd-auth", "--timeout", "4s")
	wantRerun := "sensu-backend: the store is already initialized: etcd authentication is on at " + ep +
		", so init needs credentials to check anything further: set --etcd-client-username and --etcd-client-password" +
		" (or SENSU_BACKEND_ETCD_CLIENT_USERNAME and SENSU_BACKEND_ETCD_CLIENT_PASSWORD)\n"
	if code != ExitAlreadyInitialized || errOut != wantRerun {
		t.Errorf("rerun without credentials: %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, env, "init", "--etcd-client-urls", ep, "--timeout", "4s", "--ignore-already-initialized")
	if code != 0 || !strings.Contains(errOut, "already initialized: etcd authentication is on") {
		t.Errorf("rerun without credentials, --ignore-already-initialized: %d %q", code, errOut)
	}
	// A wrong root password: permission (exit 4), naming the user and init's settings.
	code, _, errOut = runCmd(t, env, "init", "--etcd-client-urls", ep, "--timeout", "4s",
		"--etcd-client-username", "root", "--etcd-client-password", "wrong")
	if code != ExitPermission || !strings.Contains(errOut, `authentication failed for user "root" at `+ep) ||
		!strings.Contains(errOut, "check --etcd-client-username and --etcd-client-password (or SENSU_BACKEND_ETCD_CLIENT_USERNAME and SENSU_BACKEND_ETCD_CLIENT_PASSWORD)") ||
		strings.Contains(errOut, "--user") || strings.Contains(errOut, "SENSUCTL") {
		t.Errorf("wrong root password: %d %q", code, errOut)
	}
	// The viewer may not write: permission (exit 4) as well.
	code, _, errOut = runCmd(t, env, "init", "--etcd-client-urls", ep, "--timeout", "4s", "--etcd-auth",
		"--etcd-client-username", "viewer", "--etcd-client-password", "viewer-pw")
	if code != ExitPermission || !strings.Contains(errOut, `user "viewer"`) {
		t.Errorf("init as viewer: %d %q", code, errOut)
	}
	env["SENSU_BACKEND_ETCD_CLIENT_USERNAME"] = "root"
	env["SENSU_BACKEND_ETCD_CLIENT_PASSWORD"] = "root-pw"
	code, _, errOut = runCmd(t, env, "init", "--etcd-client-urls", ep, "--etcd-auth")
	if code != ExitAlreadyInitialized || !strings.Contains(errOut, "already enabled") {
		t.Errorf("rerun as root: %d %q", code, errOut)
	}
}
