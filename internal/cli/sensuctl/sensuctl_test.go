package sensuctl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/access"
	"github.com/sensu-etcd/sensu/internal/clientconfig"
	"github.com/sensu-etcd/sensu/internal/cluster"
	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// env is a test environment: a private config dir plus extra variables.
type env map[string]string

func newEnv(t *testing.T) env {
	t.Helper()
	dir := t.TempDir()
	return env{"XDG_CONFIG_HOME": dir, "HOME": dir}
}

func (e env) configPath() string {
	return filepath.Join(e["XDG_CONFIG_HOME"], "sensu", "sensuctl", "config.yml")
}

type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// run executes sensuctl in-process with e as the whole environment; stdin and
// stdout are not terminals unless terminal is set.
func run(t *testing.T, e env, terminal bool, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := IO{
		In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
		OutTerminal: terminal, Width: 100,
		Env: clientconfig.Source{
			LookupEnv: func(k string) (string, bool) { v, ok := e[k]; return v, ok },
			Environ: func() []string {
				var kv []string
				for k, v := range e {
					kv = append(kv, k+"="+v)
				}
				return kv
			},
			Warn: func(s string) { fmt.Fprintln(&errOut, "sensuctl: warning:", s) },
		},
	}
	start := time.Now()
	code := Run(context.Background(), args, streams)
	return result{code: code, stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
}

// oneErrorLine checks the failure convention: one line on stderr, naming parts.
func oneErrorLine(t *testing.T, r result, code int, parts ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d; stderr %q", r.code, code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "sensuctl: ") {
		t.Errorf("want one error line, got %q", r.stderr)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("stderr %q does not contain %q", r.stderr, p)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

// TestConfigViewOutputs pins the exact bytes of every format.
func TestConfigViewOutputs(t *testing.T) {
	e := newEnv(t)
	e["SENSUCTL_COMMAND_TIMEOUT"] = "7s"
	args := []string{"config", "view", "--endpoints", "https://10.0.0.1:2379,https://10.0.0.2:2379", "--user", "ops", "--password", "s3cret"}
	for _, tc := range []struct {
		name     string
		terminal bool
		format   string
	}{
		{"config-view.table.txt", false, "table"},
		{"config-view.terminal.txt", true, "table"},
		{"config-view.json", false, "json"},
		{"config-view.yaml", false, "yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, e, tc.terminal, append(args, "-o", tc.format)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("%d %q", r.code, r.stderr)
			}
			if strings.Contains(r.stdout, "s3cret") {
				t.Fatal("config view printed the password")
			}
			golden(t, tc.name, strings.ReplaceAll(r.stdout, e.configPath(), "$CONFIG"))
		})
	}
	r := run(t, e, false, append(args, "-o", "wrapped-json")...)
	oneErrorLine(t, r, ExitError, "wrapped-json applies to resources")
}

func TestUsageErrors(t *testing.T) {
	e := newEnv(t)
	oneErrorLine(t, run(t, e, false, "version", "-o", "xml"), ExitUsage, `unknown format "xml": use one of table, json, yaml, wrapped-json`)
	r := run(t, e, false, "version", "--bogus")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "unknown flag: --bogus") {
		t.Errorf("unknown flag: %d %q", r.code, r.stderr)
	}
	e["SENSUCTL_DIAL_TIMEOUT"] = "soon"
	oneErrorLine(t, run(t, e, false, "version"), ExitUsage, "SENSUCTL_DIAL_TIMEOUT", `"soon"`)
	delete(e, "SENSUCTL_DIAL_TIMEOUT")
	oneErrorLine(t, run(t, e, false, "cluster", "member-list", "--endpoints", "127.0.0.1:2379"), ExitUsage, "needs a scheme")
	oneErrorLine(t, run(t, e, false, "configure"), ExitUsage, "-n/--non-interactive")
	oneErrorLine(t, run(t, e, false, "cluster", "member-list", "--user", "root"), ExitUsage, "--password or SENSUCTL_PASSWORD")
	r = run(t, e, false, "help", "exit-codes")
	if r.code != 0 || !strings.Contains(r.stdout, "  4  authentication or TLS refused") || !strings.Contains(r.stdout, "130  interrupted") {
		t.Errorf("help exit-codes: %d %q", r.code, r.stdout)
	}
}

func TestBrokenConfigStillCompletes(t *testing.T) {
	e := newEnv(t)
	os.MkdirAll(filepath.Dir(e.configPath()), 0o700)
	os.WriteFile(e.configPath(), []byte("profiles:\n  default:\n    endpointz: x\n"), 0o600)
	oneErrorLine(t, run(t, e, false, "version"), ExitUsage, "config.yml:3", `unknown setting "endpointz"`, `did you mean "endpoints"`)
	r := run(t, e, false, "completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "__start_sensuctl") {
		t.Errorf("completion with a broken config: %d %q", r.code, r.stderr)
	}
}

func TestConfigureThenPrecedence(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	ep := etcd.Endpoints()[0]
	e := newEnv(t)

	r := run(t, e, false, "configure", "-n", "--endpoints", ep, "--namespace", "ops", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stderr, `Saved profile "default"`) {
		t.Fatalf("configure: %d %q", r.code, r.stderr)
	}
	fi, err := os.Stat(e.configPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode: %v %v", fi, err)
	}
	if di, err := os.Stat(filepath.Dir(e.configPath())); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("config dir mode: %v %v", di, err)
	}

	// No flags: the profile's endpoints and format are used.
	r = run(t, e, false, "cluster", "member-list")
	var members cluster.Members
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &members) != nil || len(members.Members) != 1 || members.Members[0].Name != "m1" {
		t.Fatalf("member-list from the profile: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if len(members.Members[0].ID) != 16 || len(members.ClusterID) != 16 {
		t.Errorf("IDs are not 16-digit hex strings: %+v", members)
	}

	source := func(e env, args ...string) map[string]SettingSummary {
		t.Helper()
		r := run(t, e, false, append([]string{"config", "view", "-o", "json"}, args...)...)
		var v ConfigView
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil {
			t.Fatalf("config view: %d %q %q", r.code, r.stdout, r.stderr)
		}
		m := map[string]SettingSummary{}
		for _, s := range v.Settings {
			m[s.Name] = s
		}
		return m
	}
	s := source(e)
	if s["namespace"].Value != "ops" || s["namespace"].Source != "profile" || s["endpoints"].Value != ep || s["dial-timeout"].Source != "default" {
		t.Errorf("profile values: %+v", s)
	}
	e["SENSU_NAMESPACE"] = "from-sensu-env"
	if s := source(e); s["namespace"].Value != "from-sensu-env" || s["namespace"].Source != "env SENSU_NAMESPACE" {
		t.Errorf("SENSU_NAMESPACE over profile: %+v", s["namespace"])
	}
	e["SENSUCTL_NAMESPACE"] = "from-env"
	if s := source(e); s["namespace"].Value != "from-env" || s["namespace"].Source != "env SENSUCTL_NAMESPACE" {
		t.Errorf("SENSUCTL_NAMESPACE over SENSU_NAMESPACE: %+v", s["namespace"])
	}
	if s := source(e, "--namespace", "from-flag"); s["namespace"].Value != "from-flag" || s["namespace"].Source != "flag" {
		t.Errorf("flag over env: %+v", s["namespace"])
	}

	e["SENSUCTL_ENDPOINT"] = "typo"
	if r := run(t, e, false, "config", "view"); !strings.Contains(r.stderr, "ignoring unknown environment variable SENSUCTL_ENDPOINT (did you mean SENSUCTL_ENDPOINTS?)") {
		t.Errorf("unknown env warning: %q", r.stderr)
	}
	delete(e, "SENSUCTL_ENDPOINT")

	// A profile that cannot connect is not saved.
	dead := fmt.Sprintf("http://127.0.0.1:%d", testutil.FreePorts(t, 1)[0])
	before, _ := os.ReadFile(e.configPath())
	r = run(t, e, false, "configure", "-n", "--profile", "broken", "--endpoints", dead, "--dial-timeout", "1s", "--command-timeout", "1s")
	oneErrorLine(t, r, ExitError, "not saved", dead, "connection refused")
	if after, _ := os.ReadFile(e.configPath()); !bytes.Equal(before, after) {
		t.Errorf("failed configure changed the file:\n%s", after)
	}

	// Profiles: a second one, switching, and names that do not exist.
	if r := run(t, e, false, "configure", "-n", "--profile", "second", "--endpoints", ep); r.code != 0 {
		t.Fatalf("second profile: %q", r.stderr)
	}
	if s := source(e); s["namespace"].Source == "profile" {
		t.Errorf("the second profile (now current) should not carry namespace: %+v", s["namespace"])
	}
	if r := run(t, e, false, "config", "use-profile", "default"); r.code != 0 {
		t.Errorf("use-profile: %q", r.stderr)
	}
	oneErrorLine(t, run(t, e, false, "config", "use-profile", "nope"), ExitNotFound, `profile "nope"`, "default, second")
	oneErrorLine(t, run(t, e, false, "version", "--profile", "nope"), ExitNotFound, `profile "nope" not found`)
}

func TestStoppedAndPartlyDownEndpoints(t *testing.T) {
	e := newEnv(t)
	dead := fmt.Sprintf("http://127.0.0.1:%d", testutil.FreePorts(t, 1)[0])
	r := run(t, e, false, "cluster", "member-list", "--endpoints", dead, "--dial-timeout", "1s", "--command-timeout", "1s")
	oneErrorLine(t, r, ExitError, "cannot reach "+dead, "connection refused", "--endpoints")
	if r.took > 3*time.Second {
		t.Errorf("took %s, more than dial + command timeout", r.took)
	}

	etcd := testutil.StartEtcd(t, 3)
	etcd.Members[2].Stop()
	r = run(t, e, false, "cluster", "member-list", "-o", "json", "--endpoints", strings.Join(etcd.Endpoints(), ","))
	if r.code != 0 || !strings.Contains(r.stdout, `"name": "m1"`) {
		t.Errorf("with one of three endpoints down: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestMemberListTable(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	e := newEnv(t)
	ep := etcd.Endpoints()[0]
	resp, err := etcd.Client(t).MemberList(testutil.Ctx(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%016x", resp.Members[0].ID)
	r := run(t, e, false, "cluster", "member-list", "--endpoints", ep)
	want := fmt.Sprintf("=== Etcd Cluster ID: %016x\n", resp.Header.GetClusterId())
	if r.code != 0 || !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("piped table: %d %q", r.code, r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[1]), " ") != "ID NAME STATUS ROLE PEER URLS CLIENT URLS VERSION DB SIZE (IN USE) RAFT TERM/INDEX/APPLIED ERROR" {
		t.Errorf("header: %q", lines)
	}
	// Columns are separated by two or more spaces; the DB size cell has one inside.
	got := regexp.MustCompile(`  +`).Split(lines[2], -1)
	if len(got) != 10 || got[0] != id || got[1] != "m1" || got[2] != "started" || got[3] != "leader" || got[5] != ep ||
		got[6] != "3.7.3" || !strings.HasSuffix(got[7], "KiB)") || !regexp.MustCompile(`^\d+/\d+/\d+$`).MatchString(got[8]) || got[9] != "-" {
		t.Errorf("row: %q", got)
	}
	term := run(t, e, true, "cluster", "member-list", "--endpoints", ep)
	if term.code != 0 || term.stdout == r.stdout || !strings.Contains(term.stdout, id) || !strings.Contains(term.stdout, "│") {
		t.Errorf("terminal table:\n%s", term.stdout)
	}
	y := run(t, e, false, "cluster", "member-list", "--endpoints", ep, "-o", "yaml")
	if y.code != 0 || !strings.Contains(y.stdout, "  - id: "+id+"\n") || !strings.Contains(y.stdout, "    name: m1\n") ||
		!strings.Contains(y.stdout, "    role: leader\n") || !strings.Contains(y.stdout, "    raft_applied_index: ") {
		t.Errorf("yaml:\n%s", y.stdout)
	}
}

func TestTLSClientCertAuth(t *testing.T) {
	ca := testutil.NewCA(t, "sensu")
	tlsCfg := &testutil.EtcdTLS{CA: ca, Server: ca.Issue(t, "server"), Client: ca.Issue(t, "operator")}
	etcd := testutil.StartEtcd(t, 1, testutil.EtcdOptions{TLS: tlsCfg})
	ep := etcd.Endpoints()[0]
	e := newEnv(t)
	base := []string{"cluster", "member-list", "--dial-timeout", "1s", "--command-timeout", "1s"}
	good := []string{"--endpoints", ep, "--cacert", ca.CertFile, "--cert", tlsCfg.Client.CertFile, "--key", tlsCfg.Client.KeyFile}
	if r := run(t, e, false, append(base, good...)...); r.code != 0 {
		t.Fatalf("correct certificates: %d %q", r.code, r.stderr)
	}
	other := testutil.NewCA(t, "other")
	cases := []struct {
		name  string
		args  []string
		parts []string
	}{
		{"missing client cert", []string{"--endpoints", ep, "--cacert", ca.CertFile}, []string{ep, "requires a client certificate", "--cert and --key"}},
		{"wrong CA", []string{"--endpoints", ep, "--cacert", other.CertFile, "--cert", tlsCfg.Client.CertFile, "--key", tlsCfg.Client.KeyFile}, []string{ep, "unknown authority", "--cacert"}},
		{"client cert from another CA", []string{"--endpoints", ep, "--cacert", ca.CertFile, "--cert", other.Issue(t, "x").CertFile, "--key", filepath.Join(other.Dir, "x-key.pem")}, []string{ep, "rejected the client certificate"}},
		{"plain http to a TLS endpoint", []string{"--endpoints", strings.Replace(ep, "https://", "http://", 1)}, []string{"speaks TLS", "https://"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			oneErrorLine(t, run(t, e, false, append(base, tc.args...)...), ExitAuth, tc.parts...)
		})
	}
	t.Run("wrong etcd password", func(t *testing.T) {
		ctx := testutil.Ctx(t, 20*time.Second)
		if err := access.Enable(ctx, etcd.Client(t), access.Setup{RootPassword: "root-pw", ViewerPassword: "viewer-pw"}); err != nil {
			t.Fatal(err)
		}
		args := append(append(base, good...), "--user", "viewer")
		oneErrorLine(t, run(t, e, false, append(args, "--password", "wrong")...), ExitAuth, `authentication failed for user "viewer"`, ep)
		if r := run(t, e, false, append(args, "--password", "viewer-pw")...); r.code != 0 {
			t.Errorf("right password over TLS: %d %q", r.code, r.stderr)
		}
	})
}

func TestAuthAndViewer(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	ep := etcd.Endpoints()[0]
	ctx := testutil.Ctx(t, 30*time.Second)
	if err := access.Enable(ctx, etcd.Client(t), access.Setup{RootPassword: "root-pw", ViewerPassword: "viewer-pw"}); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	base := []string{"--endpoints", ep, "--dial-timeout", "1s", "--command-timeout", "2s"}

	oneErrorLine(t, run(t, e, false, append([]string{"version"}, base...)...), ExitAuth, "requires authentication", "--user and --password")
	oneErrorLine(t, run(t, e, false, append([]string{"cluster", "member-list", "--user", "root", "--password", "wrong"}, base...)...),
		ExitAuth, `authentication failed for user "root"`, ep)

	e["SENSUCTL_PASSWORD"] = "viewer-pw"
	for _, args := range [][]string{{"version"}, {"cluster", "member-list"}, {"check", "list"}, {"dump", "checks,namespaces"}} {
		r := run(t, e, false, append(append(args, "--user", "viewer"), base...)...)
		if r.code != 0 {
			t.Errorf("viewer %v: %d %q", args, r.code, r.stderr)
		}
	}
	// The viewer cannot read secrets: password hashes and API keys.
	for _, args := range [][]string{{"user", "list"}, {"api-key", "list"}, {"dump", "users"}} {
		oneErrorLine(t, run(t, e, false, append(append(args, "--user", "viewer"), base...)...), ExitAuth, "permission denied", `user "viewer"`)
	}

	// --debug logs each RPC and never the password.
	r := run(t, e, false, append([]string{"cluster", "member-list", "--user", "viewer", "--debug"}, base...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "debug: rpc /etcdserverpb.Auth/Authenticate") ||
		!strings.Contains(r.stderr, "debug: rpc /etcdserverpb.Cluster/MemberList") || strings.Contains(r.stderr, "viewer-pw") {
		t.Errorf("--debug: %d\n%s", r.code, r.stderr)
	}
	if r := run(t, e, false, append([]string{"cluster", "member-list", "--user", "viewer"}, base...)...); strings.Contains(r.stderr, "debug:") {
		t.Errorf("logging without --debug: %q", r.stderr)
	}

	// The commands that make their own requests (writes without copying the
	// values, the snapshot stream) explain a refusal the same way.
	manifest := filepath.Join(t.TempDir(), "check.yaml")
	if err := os.WriteFile(manifest, []byte("type: Namespace\napi_version: core/v2\nmetadata: {}\nspec:\n  name: viewer-ns\n---\n"+
		"type: CheckConfig\napi_version: core/v2\nmetadata:\n  name: viewer-check\n  namespace: viewer-ns\n"+
		"spec:\n  command: check-ok.sh\n  interval: 60\n  subscriptions: [linux]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	oneErrorLine(t, run(t, e, false, append([]string{"create", "-f", manifest, "--user", "viewer"}, base...)...), ExitAuth, "permission denied", `user "viewer"`)
	oneErrorLine(t, run(t, e, false, append([]string{"snapshot", "save", filepath.Join(t.TempDir(), "s.db"), "--user", "viewer"}, base...)...),
		ExitAuth, "permission denied", `user "viewer"`)

	// Changes by the viewer are refused with the permission named. The
	// commands for writes, membership and snapshots share this explanation.
	conn, err := etcdconn.New(etcdconn.Config{Endpoints: []string{ep}, User: "viewer", Password: "viewer-pw", DialTimeout: time.Second, CommandTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	changes := map[string]func(context.Context) error{
		"write /sensu.io/checks/default/x": func(ctx context.Context) error {
			_, err := conn.Put(ctx, "/sensu.io/checks/default/x", "{}")
			return err
		},
		"add a member": func(ctx context.Context) error {
			_, err := conn.MemberAddAsLearner(ctx, []string{"http://127.0.0.1:1"})
			return err
		},
		"save a snapshot": func(ctx context.Context) error {
			rc, err := conn.Snapshot(ctx)
			if err == nil {
				_, err = rc.Read(make([]byte, 1))
				rc.Close()
			}
			return err
		},
	}
	for action, change := range changes {
		cctx, cancel := conn.Context(ctx)
		err := conn.Explain(ctx, change(cctx), action)
		cancel()
		if !errors.Is(err, etcdconn.ErrPermission) || ExitCode(err) != ExitAuth ||
			!strings.Contains(err.Error(), action+": permission denied") || !strings.Contains(err.Error(), `user "viewer"`) {
			t.Errorf("%s as viewer: %v", action, err)
		}
	}
	// The viewer reads Sensu keys but nothing else, and no secrets.
	cctx, cancel := conn.Context(ctx)
	defer cancel()
	for _, prefix := range []string{"/sensu.io/checks/", "/sensu.io/namespaces/", "/sensu.io/tessen", "/sensu.io/.initialized"} {
		if _, err := conn.Get(cctx, prefix, clientv3.WithPrefix()); err != nil {
			t.Errorf("viewer read %s: %v", prefix, err)
		}
	}
	for _, prefix := range []string{"/sensu.io/", "/sensu.io/users/", "/sensu.io/apikeys/"} {
		if _, err := conn.Get(cctx, prefix, clientv3.WithPrefix()); !errors.Is(conn.Explain(ctx, err, "read"), etcdconn.ErrPermission) {
			t.Errorf("viewer read %s: %v", prefix, err)
		}
	}
	if _, err := conn.Get(cctx, "/other"); !errors.Is(conn.Explain(ctx, err, "read /other"), etcdconn.ErrPermission) {
		t.Errorf("viewer read outside /sensu.io/: %v", err)
	}
}

func TestExitCodeMapping(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("x"), ExitError},
		{flagError{errors.New("unknown flag")}, ExitUsage},
		{fmt.Errorf("a: %w", ErrPartial), ExitUnhealthy},
		{fmt.Errorf("a: %w", ErrUnhealthy), ExitUnhealthy},
		{&etcdconn.Error{Kind: etcdconn.ErrTLS}, ExitAuth},
		{&etcdconn.Error{Kind: etcdconn.ErrAuth}, ExitAuth},
		{&etcdconn.Error{Kind: etcdconn.ErrPermission}, ExitAuth},
		{&etcdconn.Error{Kind: etcdconn.ErrUnreachable}, ExitError},
		{&etcdconn.Error{Kind: etcdconn.ErrUsage}, ExitUsage},
		{fmt.Errorf("a: %w", ErrNotFound), ExitNotFound},
		{context.Canceled, ExitInterrupted},
	}
	for i, tc := range cases {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("case %d %v: %d, want %d", i, tc.err, got, tc.want)
		}
	}
}
