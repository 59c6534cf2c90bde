package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"golang.org/x/crypto/bcrypt"
	"gopkg.in/yaml.v3"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

// End-to-end tests of Sensu resources: sensuctl create, restore, dump,
// describe-type and the per-type list/info/delete commands, against real
// sensu-backend processes. Fixtures are in testdata/resources (see its
// README.md) and testdata/sensu-go.

// allTypesCounts is how many resources of each kind testdata/resources/
// all-types.yaml holds: every core/v2 type.
var allTypesCounts = map[string]int{
	"Namespace": 2, "ClusterRole": 1, "ClusterRoleBinding": 1, "User": 2, "APIKey": 1, "TessenConfig": 1,
	"Asset": 2, "CheckConfig": 3, "Entity": 2, "Event": 2, "EventFilter": 2, "Handler": 3, "HookConfig": 1,
	"Mutator": 2, "Pipeline": 1, "Role": 1, "RoleBinding": 2, "Silenced": 2,
}

// The password hash of alice in all-types.yaml (password Correct-Horse-1),
// and bob's plain password.
const (
	aliceHash   = "$2a$10$Kxy0wtuv186CL5Yqdw.txu4jnWzg4lXNxLvcV5sATwmTy.phX94jS"
	bobPassword = "Battery-Staple-2"
	fixtureKey  = "0f9c2a4e-6b1d-4c55-9a77-3d2e8b1f4a60"
)

// sensuTypes is Sensu Go's type list, in its order (FACTS.md 3.1).
var sensuTypes = []resDescribedType{
	{"core/v2.Namespace", "namespaces", "core/v2", "Namespace", false},
	{"core/v2.ClusterRole", "clusterroles", "core/v2", "ClusterRole", false},
	{"core/v2.ClusterRoleBinding", "clusterrolebindings", "core/v2", "ClusterRoleBinding", false},
	{"core/v2.User", "users", "core/v2", "User", false},
	{"core/v2.APIKey", "apikeys", "core/v2", "APIKey", false},
	{"core/v2.TessenConfig", "tessen", "core/v2", "TessenConfig", false},
	{"core/v2.Asset", "assets", "core/v2", "Asset", true},
	{"core/v2.CheckConfig", "checks", "core/v2", "CheckConfig", true},
	{"core/v2.Entity", "entities", "core/v2", "Entity", true},
	{"core/v2.Event", "events", "core/v2", "Event", true},
	{"core/v2.EventFilter", "filters", "core/v2", "EventFilter", true},
	{"core/v2.Handler", "handlers", "core/v2", "Handler", true},
	{"core/v2.HookConfig", "hooks", "core/v2", "HookConfig", true},
	{"core/v2.Mutator", "mutators", "core/v2", "Mutator", true},
	{"core/v2.Pipeline", "pipelines", "core/v2", "Pipeline", true},
	{"core/v2.Role", "roles", "core/v2", "Role", true},
	{"core/v2.RoleBinding", "rolebindings", "core/v2", "RoleBinding", true},
	{"core/v2.Silenced", "silenced", "core/v2", "Silenced", true},
}

type resDescribedType struct {
	Name       string `yaml:"name"`
	ShortName  string `yaml:"short_name"`
	APIVersion string `yaml:"api_version"`
	Type       string `yaml:"type"`
	Namespaced bool   `yaml:"namespaced"`
}

// TestResourcesRoundTrip restores every type into an initialized backend,
// dumps it, restores the dump into fresh backends and dumps those; then
// checks secrets handling and the per-type commands on the same data.
func TestResourcesRoundTrip(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	bs := startResourceBackends(t, bins, "source", "copy-yaml", "copy-wrapped-json", "copy-json", "fresh")
	src, fresh := bs[0], bs[4]
	copies := map[string]*resBackend{"yaml": bs[1], "wrapped-json": bs[2], "json": bs[3]}
	fixture := resFixture("all-types.yaml")
	dir := t.TempDir()

	if !t.Run("restore every type", func(t *testing.T) {
		code, sum, stderr := restoreJSON(t, src, fixture)
		if code != 0 {
			t.Fatalf("restore: exit %d\n%s", code, stderr)
		}
		if len(sum.Types) != len(sensuTypes) {
			t.Errorf("summary has %d types, want all %d: %+v", len(sum.Types), len(sensuTypes), sum.Types)
		}
		for kind, n := range allTypesCounts {
			c := sum.of(kind)
			if c.Created+c.Updated+c.Unchanged != n || c.Skipped+c.Failed != 0 {
				t.Errorf("%s: %+v, want %d written", kind, c, n)
			}
		}
		if sum.DryRun || len(sum.DisabledUsers) != 0 || len(sum.Failures) != 0 {
			t.Errorf("summary: %+v", sum)
		}
		// The plain password is stored only as a bcrypt hash.
		bob := getKey(t, src.cli, "/sensu.io/users/bob")
		var stored struct {
			Password     string `json:"password"`
			PasswordHash string `json:"password_hash"`
			Disabled     bool   `json:"disabled"`
		}
		if err := json.Unmarshal([]byte(bob), &stored); err != nil || stored.Password != "" || stored.Disabled || strings.Contains(bob, bobPassword) ||
			bcrypt.CompareHashAndPassword([]byte(stored.PasswordHash), []byte(bobPassword)) != nil {
			t.Errorf("bob stored as %s (%v)", bob, err)
		}
	}) {
		t.FailNow()
	}

	t.Run("restoring again changes nothing", func(t *testing.T) {
		before := sensuKVs(t, src.cli)
		code, sum, stderr := restoreJSON(t, src, fixture)
		if code != 0 {
			t.Fatalf("restore: exit %d\n%s", code, stderr)
		}
		for kind, n := range allTypesCounts {
			if c := sum.of(kind); c != (resTypeCounts{Type: "core/v2." + kind, Unchanged: n}) {
				t.Errorf("%s: %+v, want all %d unchanged", kind, c, n)
			}
		}
		// bob has a plain password in the file: the stored hash matches it,
		// so it must be kept, not replaced by a hash with a new salt.
		if diff := diffKVs(before, sensuKVs(t, src.cli)); len(diff) > 0 {
			t.Errorf("a second restore of the same file wrote:\n  %s", strings.Join(diff, "\n  "))
		}
	})

	for _, format := range []string{"yaml", "wrapped-json", "json"} {
		t.Run("round trip "+format, func(t *testing.T) {
			file := filepath.Join(dir, "source."+format)
			code, out, stderr := src.ctl(t, "dump", "all", "--all-namespaces", "--include-secrets", "-o", format, "-f", file)
			if code != 0 || out != "" {
				t.Fatalf("dump -f: exit %d, stdout %q\n%s", code, out, stderr)
			}
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("dump file: %v %v, want mode 0600", fi, err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if format == "yaml" && !strings.HasPrefix(string(data), "# ") {
				t.Errorf("a YAML dump starts with a comment line, got %.80q", data)
			}
			if format == "json" {
				checkFullDump(t, data)
			}
			dst := copies[format]
			code, sum, stderr := restoreJSON(t, dst, file)
			if code != 0 || sum.total().Failed != 0 {
				t.Fatalf("restore the %s dump into a fresh backend: exit %d %+v\n%s", format, code, sum, stderr)
			}
			code, out, stderr = dst.ctl(t, "dump", "all", "--all-namespaces", "--include-secrets", "-o", format)
			if code != 0 {
				t.Fatalf("dump the copy: exit %d\n%s", code, stderr)
			}
			if want, got := stripLeadingComments(string(data)), stripLeadingComments(out); got != want {
				t.Errorf("the copy's %s dump differs from the source's: %s", format, firstDiff(want, got))
			}
		})
	}

	t.Run("secrets", func(t *testing.T) {
		file := filepath.Join(dir, "no-secrets.yaml")
		code, _, stderr := src.ctl(t, "dump", "all", "--all-namespaces", "-f", file)
		if code != 0 {
			t.Fatalf("dump: exit %d\n%s", code, stderr)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"password_hash", "password:", "$2a$", "type: APIKey", fixtureKey} {
			if strings.Contains(string(data), secret) {
				t.Errorf("a dump without --include-secrets contains %q", secret)
			}
		}
		if !strings.Contains(string(data), "username: alice") || !strings.Contains(string(data), "username: bob") {
			t.Errorf("the users themselves are in the dump:\n%s", data)
		}
		if !strings.Contains(stderr, "apikeys") || !strings.Contains(stderr, "--include-secrets") {
			t.Errorf("dump should say what it left out: %q", stderr)
		}

		t.Run("into a fresh backend", func(t *testing.T) {
			code, sum, stderr := restoreJSON(t, fresh, file)
			if code != 0 {
				t.Fatalf("restore: exit %d\n%s", code, stderr)
			}
			disabled := slices.Sorted(slices.Values(sum.DisabledUsers))
			if !reflect.DeepEqual(disabled, []string{"alice", "bob"}) {
				t.Errorf("disabled_users %v, want [alice bob]", sum.DisabledUsers)
			}
			for _, u := range []string{"alice", "bob"} {
				if !strings.Contains(stderr, "user "+u) || !strings.Contains(stderr, "disabled") {
					t.Errorf("no warning naming user %s:\n%s", u, stderr)
				}
				var stored struct {
					Disabled     bool   `json:"disabled"`
					PasswordHash string `json:"password_hash"`
				}
				if err := json.Unmarshal([]byte(getKey(t, fresh.cli, "/sensu.io/users/"+u)), &stored); err != nil {
					t.Fatal(err)
				}
				if !stored.Disabled || stored.PasswordHash != "" {
					t.Errorf("user %s stored as %+v, want disabled without a hash", u, stored)
				}
			}
			if got := getKey(t, fresh.cli, "/sensu.io/apikeys/"+fixtureKey); got != "" {
				t.Errorf("an API key was restored from a dump without secrets: %s", got)
			}
			code, out, _ := fresh.ctl(t, "user", "list", "-o", "json")
			var users []struct {
				Username string `json:"username"`
				Disabled bool   `json:"disabled"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &users) != nil {
				t.Fatalf("user list: %d %q", code, out)
			}
			for _, u := range users {
				if (u.Username == "alice" || u.Username == "bob") && !u.Disabled {
					t.Errorf("user list shows %s enabled", u.Username)
				}
			}
		})

		t.Run("into the same backend", func(t *testing.T) {
			before := sensuKVs(t, src.cli)
			code, sum, stderr := restoreJSON(t, src, file)
			if code != 0 {
				t.Fatalf("restore: exit %d\n%s", code, stderr)
			}
			if len(sum.DisabledUsers) != 0 || strings.Contains(stderr, "disabled") {
				t.Errorf("existing users were reported disabled: %v\n%s", sum.DisabledUsers, stderr)
			}
			if c := sum.of("User"); c.Created+c.Updated+c.Failed != 0 {
				t.Errorf("users: %+v, want all unchanged", c)
			}
			after := sensuKVs(t, src.cli)
			for _, u := range []string{"alice", "bob"} {
				key := "/sensu.io/users/" + u
				if before[key] != after[key] {
					t.Errorf("%s changed: %s -> %s", key, before[key].value, after[key].value)
				}
			}
			if v := after["/sensu.io/users/alice"].value; !strings.Contains(v, aliceHash) || !strings.Contains(v, `"disabled":false`) {
				t.Errorf("alice lost her hash or was disabled: %s", v)
			}
			if _, ok := after["/sensu.io/apikeys/"+fixtureKey]; !ok {
				t.Errorf("the API key was removed")
			}
		})
	})

	t.Run("type commands", func(t *testing.T) {
		testTypeCommands(t, src)
	})
}

// checkFullDump checks a -o json dump of the all-types fixture: every type,
// events from two namespaces, the secrets included.
func checkFullDump(t *testing.T, data []byte) {
	t.Helper()
	var docs []struct {
		Type     string `json:"type"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec map[string]any `json:"spec"`
	}
	if err := json.Unmarshal(data, &docs); err != nil {
		t.Fatalf("-o json dump is not a JSON array: %v", err)
	}
	counts := map[string]int{}
	eventNamespaces := map[string]bool{}
	namespaces := map[string]bool{}
	var order []string
	for _, d := range docs {
		counts[d.Type]++
		if len(order) == 0 || order[len(order)-1] != d.Type {
			order = append(order, d.Type)
		}
		if d.Metadata.Namespace != "" {
			namespaces[d.Metadata.Namespace] = true
		}
		switch d.Type {
		case "Event":
			eventNamespaces[d.Metadata.Namespace] = true
		case "User":
			hash, _ := d.Spec["password_hash"].(string)
			switch d.Metadata.Name {
			case "alice":
				if hash != aliceHash {
					t.Errorf("alice's hash in the dump is %q, want the fixture's", hash)
				}
			case "bob":
				if bcrypt.CompareHashAndPassword([]byte(hash), []byte(bobPassword)) != nil {
					t.Errorf("bob's dumped hash %q does not match his password", hash)
				}
			}
		}
	}
	for kind, n := range allTypesCounts {
		if counts[kind] < n {
			t.Errorf("the dump has %d %s, want at least %d", counts[kind], kind, n)
		}
	}
	var wantOrder []string
	for _, st := range sensuTypes {
		wantOrder = append(wantOrder, st.Type)
	}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("dump order %v, want %v", order, wantOrder)
	}
	if !eventNamespaces["default"] || !eventNamespaces["ops"] {
		t.Errorf("events dumped from %v, want default and ops", eventNamespaces)
	}
	for _, ns := range []string{"default", "ops", "dev"} {
		if !namespaces[ns] {
			t.Errorf("nothing dumped from namespace %s", ns)
		}
	}
}

// testTypeCommands runs the per-type commands against a backend holding
// all-types.yaml. It deletes some of it.
func testTypeCommands(t *testing.T, b *resBackend) {
	listed := func(t *testing.T, args ...string) []string {
		t.Helper()
		code, out, stderr := b.ctl(t, append(args, "-o", "json")...)
		var items []struct {
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &items) != nil {
			t.Fatalf("%v: exit %d %q\n%s", args, code, out, stderr)
		}
		names := []string{}
		for _, it := range items {
			names = append(names, it.Metadata.Namespace+"/"+it.Metadata.Name)
		}
		return names
	}
	t.Run("list", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want []string
		}{
			{[]string{"check", "list"}, []string{"default/check-cpu"}},
			{[]string{"check", "list", "--all-namespaces"}, []string{"default/check-cpu", "dev/check-mem", "ops/nightly-backup"}},
			{[]string{"check", "list", "--all-namespaces", "-l", "env == prod"}, []string{"default/check-cpu", "dev/check-mem"}},
			{[]string{"check", "list", "--namespace", "ops", "-l", "env != prod"}, []string{"ops/nightly-backup"}},
			{[]string{"checks", "list", "--namespace", "dev"}, []string{"dev/check-mem"}},
			{[]string{"handler", "list", "--all-namespaces", "-l", "env == prod"}, []string{"default/slack"}},
			{[]string{"silenced", "list", "--all-namespaces"}, []string{"default/linux:check-cpu", "ops/*:nightly-backup"}},
		} {
			if got := listed(t, tc.args...); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%v: %v, want %v", tc.args, got, tc.want)
			}
		}
		code, _, stderr := b.ctl(t, "check", "list", "-l", "env in [prod")
		if code != 2 {
			t.Errorf("bad label selector: exit %d, want 2\n%s", code, stderr)
		}
		// A Kubernetes-style selector is refused with Sensu Go's syntax shown.
		code, _, stderr = b.ctl(t, "check", "list", "-l", "env=prod")
		if code != 2 || !strings.Contains(stderr, "key == value") {
			t.Errorf("Kubernetes-style selector: exit %d, want 2 and Sensu's syntax\n%s", code, stderr)
		}
	})

	t.Run("dump scope", func(t *testing.T) {
		// Sensu Go 6.12 silently dropped events with --all-namespaces.
		for _, tc := range []struct {
			args []string
			want []string
		}{
			{[]string{"dump", "events"}, []string{"Event default/"}},
			{[]string{"dump", "events", "--namespace", "ops"}, []string{"Event ops/"}},
			{[]string{"dump", "events", "--all-namespaces"}, []string{"Event default/", "Event ops/"}},
			{[]string{"dump", "core/v2.Entity,events", "--all-namespaces"}, []string{"Entity default/web-01", "Entity ops/db-01", "Event default/", "Event ops/"}},
			{[]string{"dump", "all", "--namespace", "dev", "--omit", "namespaces,clusterroles,clusterrolebindings,users,tessen,rolebindings"},
				[]string{"CheckConfig dev/check-mem", "EventFilter dev/no-dev"}},
		} {
			code, out, stderr := b.ctl(t, append(tc.args, "-o", "json")...)
			var docs []struct {
				Type     string `json:"type"`
				Metadata struct {
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
				} `json:"metadata"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &docs) != nil {
				t.Errorf("%v: exit %d %q\n%s", tc.args, code, out, stderr)
				continue
			}
			got := []string{}
			for _, d := range docs {
				got = append(got, d.Type+" "+d.Metadata.Namespace+"/"+d.Metadata.Name)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%v: %v, want %v", tc.args, got, tc.want)
			}
		}
	})

	t.Run("info", func(t *testing.T) {
		code, out, stderr := b.ctl(t, "entity", "info", "web-01", "-o", "json")
		var entity struct {
			Metadata struct {
				Name      string            `json:"name"`
				Namespace string            `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
			EntityClass    string `json:"entity_class"`
			Deregistration struct {
				Handler string `json:"handler"`
			} `json:"deregistration"`
			System struct {
				Hostname string `json:"hostname"`
				Network  struct {
					Interfaces []struct {
						MAC string `json:"mac"`
					} `json:"interfaces"`
				} `json:"network"`
			} `json:"system"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &entity) != nil {
			t.Fatalf("entity info: exit %d %q\n%s", code, out, stderr)
		}
		if entity.Metadata.Name != "web-01" || entity.Metadata.Namespace != "default" || entity.Metadata.Labels["env"] != "prod" ||
			entity.EntityClass != "agent" || entity.Deregistration.Handler != "deregister" || entity.System.Hostname != "web-01" ||
			len(entity.System.Network.Interfaces) != 1 || entity.System.Network.Interfaces[0].MAC != "52:54:00:12:34:56" {
			t.Errorf("entity info web-01: %+v", entity)
		}

		code, two, stderr := b.ctl(t, "event", "info", "web-01", "check-cpu", "-o", "json")
		if code != 0 {
			t.Fatalf("event info ENTITY CHECK: exit %d\n%s", code, stderr)
		}
		code, one, stderr := b.ctl(t, "event", "info", "web-01/check-cpu", "-o", "json")
		if code != 0 {
			t.Fatalf("event info ENTITY/CHECK: exit %d\n%s", code, stderr)
		}
		if one != two {
			t.Errorf("ENTITY CHECK and ENTITY/CHECK differ:\n%s\n%s", two, one)
		}
		var event struct {
			Entity struct {
				Metadata struct{ Name string } `json:"metadata"`
			} `json:"entity"`
			Check struct {
				Metadata struct{ Name string } `json:"metadata"`
				Status   int                   `json:"status"`
				Output   string                `json:"output"`
				History  []json.RawMessage     `json:"history"`
			} `json:"check"`
		}
		if err := json.Unmarshal([]byte(one), &event); err != nil {
			t.Fatal(err)
		}
		if event.Entity.Metadata.Name != "web-01" || event.Check.Metadata.Name != "check-cpu" || event.Check.Status != 2 ||
			event.Check.Output != "CRITICAL: cpu 97%\nload high" || len(event.Check.History) != 2 {
			t.Errorf("event info web-01/check-cpu: %+v", event)
		}
		code, out, stderr = b.ctl(t, "--namespace", "ops", "event", "info", "db-01/nightly-backup", "-o", "wrapped-json")
		if code != 0 || !strings.Contains(out, `"type": "Event"`) || !strings.Contains(out, `"namespace": "ops"`) {
			t.Errorf("event info in ops: exit %d %q\n%s", code, out, stderr)
		}
		code, out, stderr = b.ctl(t, "user", "info", "alice", "-o", "json")
		if code != 0 || !strings.Contains(out, `"username": "alice"`) || strings.Contains(out, "password") || strings.Contains(out, "$2a$") {
			t.Errorf("user info must not show the hash: exit %d %q\n%s", code, out, stderr)
		}
		code, out, stderr = b.ctl(t, "tessen", "info", "-o", "json")
		if code != 0 || !strings.Contains(out, `"opt_out": true`) {
			t.Errorf("tessen info: exit %d %q\n%s", code, out, stderr)
		}
	})

	t.Run("not found", func(t *testing.T) {
		for _, args := range [][]string{
			{"check", "info", "nope"},
			{"event", "info", "web-01/nope"},
			{"event", "info", "nobody", "check-cpu"},
			{"entity", "info", "web-01", "--namespace", "dev"},
			{"check", "delete", "nope", "--yes"},
		} {
			code, _, stderr := b.ctl(t, args...)
			if code != 5 || !strings.Contains(stderr, "not found") {
				t.Errorf("%v: exit %d, want 5\n%s", args, code, stderr)
			}
		}
		code, _, stderr := b.ctl(t, "event", "info", "web-01")
		if code != 2 {
			t.Errorf("event info without a check: exit %d, want 2\n%s", code, stderr)
		}
	})

	t.Run("delete", func(t *testing.T) {
		const checkKey = "/sensu.io/checks/default/check-cpu"
		before := sensuKVs(t, b.cli)
		code, _, stderr := b.ctl(t, "check", "delete", "check-cpu")
		if code != 2 || !strings.Contains(stderr, "--yes") {
			t.Errorf("delete without --yes and without a terminal: exit %d, want 2\n%s", code, stderr)
		}
		if diff := diffKVs(before, sensuKVs(t, b.cli)); len(diff) > 0 {
			t.Errorf("an unconfirmed delete wrote:\n  %s", strings.Join(diff, "\n  "))
		}
		code, _, stderr = b.ctl(t, "check", "delete", "check-cpu", "--yes")
		if code != 0 || getKey(t, b.cli, checkKey) != "" {
			t.Errorf("delete --yes: exit %d, key left: %v\n%s", code, getKey(t, b.cli, checkKey) != "", stderr)
		}
		if code, _, _ := b.ctl(t, "check", "info", "check-cpu"); code != 5 {
			t.Errorf("info after delete: exit %d, want 5", code)
		}
		code, _, stderr = b.ctl(t, "event", "delete", "web-01", "check-cpu", "-y")
		if code != 0 || getKey(t, b.cli, "/sensu.io/events/default/web-01/check-cpu") != "" {
			t.Errorf("event delete ENTITY CHECK -y: exit %d\n%s", code, stderr)
		}

		before = sensuKVs(t, b.cli)
		code, _, stderr = b.ctl(t, "namespace", "delete", "ops", "--yes")
		if code != 3 || !strings.Contains(stderr, "not empty") {
			t.Errorf("delete a non-empty namespace: exit %d, want 3\n%s", code, stderr)
		}
		if diff := diffKVs(before, sensuKVs(t, b.cli)); len(diff) > 0 {
			t.Errorf("a refused namespace delete wrote:\n  %s", strings.Join(diff, "\n  "))
		}
		code, _, stderr = b.ctlIn(t, "type: Namespace\napi_version: core/v2\nmetadata: {}\nspec:\n  name: scratch\n", "create")
		if code != 0 {
			t.Fatalf("create namespace scratch: exit %d\n%s", code, stderr)
		}
		code, _, stderr = b.ctl(t, "namespace", "delete", "scratch", "--yes")
		if code != 0 || getKey(t, b.cli, "/sensu.io/namespaces/scratch") != "" {
			t.Errorf("delete an empty namespace: exit %d\n%s", code, stderr)
		}
	})

	t.Run("describe-type", func(t *testing.T) {
		code, out, stderr := b.ctl(t, "describe-type", "all", "-o", "yaml")
		var got []resDescribedType
		if code != 0 || yaml.Unmarshal([]byte(out), &got) != nil {
			t.Fatalf("describe-type all -o yaml: exit %d %q\n%s", code, out, stderr)
		}
		if !reflect.DeepEqual(got, sensuTypes) {
			t.Errorf("describe-type all:\n%+v\nwant Sensu's 18 types in order:\n%+v", got, sensuTypes)
		}
		code, out, _ = b.ctl(t, "describe-type", "core/v2.Handler,checks", "-o", "yaml")
		if code != 0 || yaml.Unmarshal([]byte(out), &got) != nil || len(got) != 2 || got[0].Type != "CheckConfig" || got[1].Type != "Handler" {
			t.Errorf("describe-type core/v2.Handler,checks: %d %+v", code, got)
		}
	})

	t.Run("dump usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"dump", "bogus"},
			{"dump", "checks,bogus"},
			{"dump", "all", "--omit", "bogus"},
			{"dump", "apikeys"},
		} {
			code, out, stderr := b.ctl(t, args...)
			if code != 2 || out != "" {
				t.Errorf("%v: exit %d, want 2; stdout %q\n%s", args, code, out, stderr)
			}
		}
	})
}

// TestResourcesInput shares one backend between the Sensu Go samples, the
// bad input matrix, --dry-run, --on-conflict and create's label.
func TestResourcesInput(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	b := startResourceBackends(t, bins, "input")[0]

	t.Run("sensu go samples", func(t *testing.T) {
		samples := filepath.Join("..", "testdata", "sensu-go")
		dump := filepath.Join(samples, "dump-checks-handlers.yaml")

		before := sensuKVs(t, b.cli)
		code, _, stderr := b.ctl(t, "restore", dump)
		if code != 1 || !strings.Contains(stderr, `"team-a"`) || !strings.Contains(stderr, "dump-checks-handlers.yaml:") {
			t.Errorf("restore before team-a exists: exit %d, want 1 naming the namespace\n%s", code, stderr)
		}
		if diff := diffKVs(before, sensuKVs(t, b.cli)); len(diff) > 0 {
			t.Errorf("a refused restore wrote:\n  %s", strings.Join(diff, "\n  "))
		}
		code, _, stderr = b.ctlIn(t, "type: Namespace\napi_version: core/v2\nmetadata: {}\nspec:\n  name: team-a\n", "create")
		if code != 0 {
			t.Fatalf("create namespace team-a: exit %d\n%s", code, stderr)
		}
		for _, step := range []struct {
			file string
			want []resTypeCounts
		}{
			{"dump-checks-handlers.yaml", []resTypeCounts{{Type: "core/v2.CheckConfig", Created: 2}, {Type: "core/v2.Handler", Created: 2}}},
			{"check-list.wrapped.json", []resTypeCounts{{Type: "core/v2.CheckConfig", Unchanged: 1}}},
			{"entity-list.wrapped.json", []resTypeCounts{{Type: "core/v2.Entity", Created: 1}}},
			{"check-info.yaml", []resTypeCounts{{Type: "core/v2.CheckConfig", Unchanged: 1}}},
		} {
			code, sum, stderr := restoreJSON(t, b, filepath.Join(samples, step.file))
			if code != 0 || !reflect.DeepEqual(sum.Types, step.want) {
				t.Errorf("restore %s: exit %d %+v, want %+v\n%s", step.file, code, sum.Types, step.want, stderr)
			}
		}
		for _, tc := range []struct {
			args []string
			file string
		}{
			{[]string{"dump", "checks,handlers", "--all-namespaces"}, "dump-checks-handlers.yaml"},
			{[]string{"check", "list", "-o", "wrapped-json"}, "check-list.wrapped.json"},
			{[]string{"entity", "info", "db-01", "-o", "wrapped-json"}, "entity-list.wrapped.json"},
		} {
			want, err := os.ReadFile(filepath.Join(samples, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			code, out, stderr := b.ctl(t, tc.args...)
			if code != 0 {
				t.Errorf("%v: exit %d\n%s", tc.args, code, stderr)
				continue
			}
			if got := stripLeadingComments(out); got != string(want) {
				t.Errorf("%v does not reproduce %s: %s", tc.args, tc.file, firstDiff(string(want), got))
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		bad := resFixture("bad")
		cases := []struct {
			name   string
			file   string
			create bool // sensuctl create -f instead of restore
			stdin  bool // sensuctl create from stdin
			lines  []int
			wants  []string
		}{
			{name: "malformed YAML", file: "malformed.yaml", lines: []int{18}, wants: []string{"invalid YAML"}},
			{name: "bad indentation", file: "indentation.yaml", lines: []int{18}, wants: []string{"invalid YAML"}},
			{name: "unknown type", file: "unknown-type.yaml", lines: []int{11}, wants: []string{"type", `"CheckConfigg"`}},
			{name: "missing spec", file: "missing-spec.yaml", lines: []int{11}, wants: []string{"spec", "no spec"}},
			{name: "name with spaces", file: "invalid-name.yaml", lines: []int{14}, wants: []string{"metadata.name", `"check with spaces"`}},
			// The namespace is named in the message; the line may be the
			// document's or that of metadata.namespace.
			{name: "namespace neither stored nor in the file", file: "missing-namespace.yaml", lines: []int{11, 15}, wants: []string{`"no-such-namespace"`, "does not exist"}},
			{name: "duplicate resource", file: "duplicate.yaml", lines: []int{11}, wants: []string{"duplicate", "duplicate.yaml:1:"}},
			{name: "unknown top-level key", file: "unknown-key.yaml", lines: []int{19}, wants: []string{"status"}},
			{name: "wrong field type", file: "wrong-type.yaml", lines: []int{18}, wants: []string{"spec.interval:", "whole number"}},
			{name: "JSON syntax error", file: "syntax-error.json", lines: []int{24}, wants: []string{"invalid JSON"}},
			{name: "create: name with spaces", file: "invalid-name.yaml", create: true, lines: []int{14}, wants: []string{"metadata.name", `"check with spaces"`}},
			{name: "create from stdin: unknown top-level key", file: "unknown-key.yaml", stdin: true, lines: []int{19}, wants: []string{"status"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				path := filepath.Join(bad, tc.file)
				before := sensuKVs(t, b.cli)
				var code int
				var stderr string
				where := path
				switch {
				case tc.stdin:
					data, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					code, _, stderr = b.ctlIn(t, string(data), "create")
					where = "stdin"
				case tc.create:
					code, _, stderr = b.ctl(t, "create", "-f", path)
				default:
					code, _, stderr = b.ctl(t, "restore", path)
				}
				if code != 1 {
					t.Errorf("exit %d, want 1", code)
				}
				located := false
				for _, l := range tc.lines {
					located = located || strings.Contains(stderr, fmt.Sprintf("%s:%d:", where, l))
				}
				if !located {
					t.Errorf("stderr does not name %s at line %v:\n%s", where, tc.lines, stderr)
				}
				for _, w := range append(tc.wants, "nothing was written") {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr does not contain %q:\n%s", w, stderr)
					}
				}
				if strings.Contains(stderr, "panic") {
					t.Errorf("panic:\n%s", stderr)
				}
				if diff := diffKVs(before, sensuKVs(t, b.cli)); len(diff) > 0 {
					t.Errorf("bad input wrote:\n  %s", strings.Join(diff, "\n  "))
				}
			})
		}
	})

	t.Run("many resources", func(t *testing.T) {
		// More than a write batch per namespace and a read page in all.
		const perNamespace = 600
		var doc strings.Builder
		doc.WriteString("type: Namespace\nspec:\n  name: bulk\n")
		for _, ns := range []string{"default", "bulk"} {
			for i := range perNamespace {
				fmt.Fprintf(&doc, "---\ntype: CheckConfig\nmetadata:\n  name: bulk-%04d\n  namespace: %s\nspec:\n  command: bulk.sh %d\n  interval: %d\n", i, ns, i, i+1)
			}
		}
		file := filepath.Join(t.TempDir(), "bulk.yaml")
		if err := os.WriteFile(file, []byte(doc.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		code, sum, stderr := restoreJSON(t, b, file)
		if c := sum.of("CheckConfig"); code != 0 || c.Created != 2*perNamespace {
			t.Fatalf("restore: exit %d %+v\n%s", code, sum.Types, stderr)
		}
		code, sum, stderr = restoreJSON(t, b, file)
		if c := sum.of("CheckConfig"); code != 0 || c.Unchanged != 2*perNamespace {
			t.Errorf("restore again: exit %d %+v\n%s", code, sum.Types, stderr)
		}
		code, out, stderr := b.ctl(t, "dump", "checks", "--all-namespaces", "-o", "json")
		var docs []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &docs) != nil {
			t.Fatalf("dump: exit %d\n%s", code, stderr)
		}
		n := 0
		for _, d := range docs {
			if strings.HasPrefix(d.Metadata.Name, "bulk-") {
				n++
			}
		}
		if n != 2*perNamespace {
			t.Errorf("dumped %d of the %d bulk checks", n, 2*perNamespace)
		}
		code, out, stderr = b.ctl(t, "check", "list", "--namespace", "bulk", "-o", "json")
		var listed []json.RawMessage
		if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != perNamespace {
			t.Errorf("check list --namespace bulk: exit %d, %d checks\n%s", code, len(listed), stderr)
		}
	})

	base, changed := resFixture("options-base.yaml"), resFixture("options-changed.yaml")
	t.Run("dry run", func(t *testing.T) {
		before := sensuKVs(t, b.cli)
		code, sum, stderr := restoreJSON(t, b, base, "--dry-run")
		want := []resTypeCounts{{Type: "core/v2.CheckConfig", Created: 2}, {Type: "core/v2.Handler", Created: 1}}
		if code != 0 || !sum.DryRun || !reflect.DeepEqual(sum.Types, want) {
			t.Errorf("restore --dry-run: exit %d %+v, want %+v\n%s", code, sum, want, stderr)
		}
		code, out, stderr := b.ctl(t, "create", "--dry-run", "-f", base)
		if code != 0 || !strings.Contains(out, "Dry run: nothing was written") || !strings.Contains(out, "core/v2.CheckConfig") {
			t.Errorf("create --dry-run table: exit %d\n%s\n%s", code, out, stderr)
		}
		if diff := diffKVs(before, sensuKVs(t, b.cli)); len(diff) > 0 {
			t.Errorf("--dry-run wrote:\n  %s", strings.Join(diff, "\n  "))
		}
	})

	t.Run("on conflict", func(t *testing.T) {
		const keyA, keyC = "/sensu.io/checks/default/opt-a", "/sensu.io/checks/default/opt-c"
		if code, _, stderr := b.ctl(t, "restore", base); code != 0 {
			t.Fatalf("restore the base: exit %d\n%s", code, stderr)
		}
		before := sensuKVs(t, b.cli)

		code, sum, stderr := restoreJSON(t, b, changed, "--on-conflict", "fail")
		if code != 3 || !strings.Contains(stderr, keyA) || !strings.Contains(stderr, "nothing was written") {
			t.Errorf("--on-conflict fail: exit %d, want 3 naming %s\n%s", code, keyA, stderr)
		}
		if diff := diffKVs(before, sensuKVs(t, b.cli)); len(diff) > 0 {
			t.Errorf("--on-conflict fail wrote:\n  %s", strings.Join(diff, "\n  "))
		}
		code, _, stderr = b.ctl(t, "restore", "--dry-run", "--on-conflict", "fail", changed)
		if code != 3 {
			t.Errorf("--dry-run --on-conflict fail: exit %d, want 3\n%s", code, stderr)
		}

		code, sum, stderr = restoreJSON(t, b, changed, "--on-conflict", "skip")
		want := []resTypeCounts{{Type: "core/v2.CheckConfig", Created: 1, Unchanged: 1, Skipped: 1}, {Type: "core/v2.Handler", Unchanged: 1}}
		if code != 0 || !reflect.DeepEqual(sum.Types, want) {
			t.Errorf("--on-conflict skip: exit %d %+v, want %+v\n%s", code, sum.Types, want, stderr)
		}
		after := sensuKVs(t, b.cli)
		if after[keyA] != before[keyA] || after[keyC].value == "" {
			t.Errorf("skip: opt-a %v -> %v; opt-c %q", before[keyA], after[keyA], after[keyC].value)
		}

		code, sum, stderr = restoreJSON(t, b, changed)
		want = []resTypeCounts{{Type: "core/v2.CheckConfig", Updated: 1, Unchanged: 2}, {Type: "core/v2.Handler", Unchanged: 1}}
		if code != 0 || !reflect.DeepEqual(sum.Types, want) {
			t.Errorf("default (overwrite): exit %d %+v, want %+v\n%s", code, sum.Types, want, stderr)
		}
		if v := getKey(t, b.cli, keyA); !strings.Contains(v, "opt-a-changed.sh") {
			t.Errorf("opt-a not overwritten: %s", v)
		}
		code, sum, stderr = restoreJSON(t, b, changed, "--on-conflict", "fail")
		if code != 0 || sum.total().Unchanged != 4 {
			t.Errorf("--on-conflict fail with nothing to change: exit %d %+v\n%s", code, sum.Types, stderr)
		}
		code, _, stderr = b.ctl(t, "restore", "--on-conflict", "bogus", changed)
		if code != 2 || !strings.Contains(stderr, "--on-conflict") {
			t.Errorf("--on-conflict bogus: exit %d, want 2\n%s", code, stderr)
		}
	})

	t.Run("create labels, restore does not", func(t *testing.T) {
		file := resFixture("labelled.yaml")
		labels := func(t *testing.T, typ string) map[string]string {
			t.Helper()
			code, out, stderr := b.ctl(t, typ, "info", "labelled", "-o", "json")
			var v struct {
				Metadata struct {
					Namespace string            `json:"namespace"`
					Labels    map[string]string `json:"labels"`
				} `json:"metadata"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Metadata.Namespace != "default" {
				t.Fatalf("%s info labelled: exit %d %q\n%s", typ, code, out, stderr)
			}
			return v.Metadata.Labels
		}
		if code, _, stderr := b.ctl(t, "restore", file); code != 0 {
			t.Fatalf("restore: exit %d\n%s", code, stderr)
		}
		if got := labels(t, "check"); !reflect.DeepEqual(got, map[string]string{"team": "a"}) {
			t.Errorf("restore changed the labels: %v", got)
		}
		if got := labels(t, "handler"); len(got) != 0 {
			t.Errorf("restore added labels: %v", got)
		}
		code, out, stderr := b.ctl(t, "create", "-f", file, "-o", "json")
		var sum resSummary
		if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.total().Updated != 2 {
			t.Errorf("create over restored resources: exit %d %q\n%s", code, out, stderr)
		}
		if got := labels(t, "check"); !reflect.DeepEqual(got, map[string]string{"team": "a", "sensu.io/managed_by": "sensuctl"}) {
			t.Errorf("create labels %v", got)
		}
		if got := labels(t, "handler"); !reflect.DeepEqual(got, map[string]string{"sensu.io/managed_by": "sensuctl"}) {
			t.Errorf("create labels %v", got)
		}
		// restore puts the file's content back, without the label.
		if code, _, stderr := b.ctl(t, "restore", file); code != 0 {
			t.Fatalf("restore: exit %d\n%s", code, stderr)
		}
		if got := labels(t, "check"); !reflect.DeepEqual(got, map[string]string{"team": "a"}) {
			t.Errorf("after restore: %v", got)
		}
	})
}

// resBackend is an initialized sensu-backend and an etcd client for it.
type resBackend struct {
	bins testutil.Binaries
	proc *testutil.BackendProcess
	cli  *clientv3.Client
}

// startResourceBackends starts one backend per name, all at once, with
// --etcd-unsafe-no-fsync (testutil's StartArgs pass it), and initializes
// each with sensu-backend init. t.Cleanup stops them.
func startResourceBackends(t *testing.T, bins testutil.Binaries, names ...string) []*resBackend {
	t.Helper()
	// Distinct ports for all at once: ports picked one backend at a time
	// can be taken by a backend that is still starting.
	ports := testutil.FreePorts(t, 3*len(names))
	config := func(name string, ports []int) testutil.BackendConfig {
		return testutil.BackendConfig{Name: name, ClientPort: ports[0], PeerPort: ports[1], APIPort: ports[2]}
	}
	bs := make([]*resBackend, len(names))
	for i, n := range names {
		bs[i] = &resBackend{bins: bins, proc: testutil.StartBackend(t, bins, config(n, ports[3*i:3*i+3]))}
	}
	for _, b := range bs {
		err := b.proc.WaitHealthy(60 * time.Second)
		// Another process on the machine may still take a port first.
		for try := 0; err != nil && strings.Contains(b.proc.Logs(), "address already in use") && try < 3; try++ {
			b.proc.Kill()
			b.proc = testutil.StartBackend(t, bins, config(b.proc.Config.Name, testutil.FreePorts(t, 3)))
			err = b.proc.WaitHealthy(60 * time.Second)
		}
		if err != nil {
			t.Fatal(err)
		}
		if code, out, stderr := run(t, bins.Backend, "init", "--etcd-client-urls", b.proc.ClientURL); code != 0 {
			t.Fatalf("init %s: exit %d %q %q", b.proc.Config.Name, code, out, stderr)
		}
		b.cli = b.proc.Client(t)
	}
	return bs
}

// ctl runs sensuctl against the backend, with stdin not a terminal.
func (b *resBackend) ctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return b.ctlIn(t, "", args...)
}

// ctlIn runs sensuctl with stdin.
func (b *resBackend) ctlIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.bins.Sensuctl, append([]string{"--endpoints", b.proc.ClientURL}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	cmd.Env = isolatedEnv(t)
	code, err := testutil.ExitCode(cmd.Run())
	if err != nil {
		t.Fatalf("run sensuctl %v: %v", args, err)
	}
	return code, stdout.String(), stderr.String()
}

// resSummary is the -o json summary of create and restore.
type resSummary struct {
	DryRun        bool            `json:"dry_run"`
	Types         []resTypeCounts `json:"types"`
	DisabledUsers []string        `json:"disabled_users"`
	Failures      []string        `json:"failures"`
}

type resTypeCounts struct {
	Type      string `json:"type"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Skipped   int    `json:"skipped"`
	Failed    int    `json:"failed"`
}

// of returns the counts of a kind, e.g. CheckConfig.
func (s resSummary) of(kind string) resTypeCounts {
	for _, c := range s.Types {
		if c.Type == "core/v2."+kind {
			return c
		}
	}
	return resTypeCounts{Type: "core/v2." + kind}
}

func (s resSummary) total() resTypeCounts {
	var t resTypeCounts
	for _, c := range s.Types {
		t.Created += c.Created
		t.Updated += c.Updated
		t.Unchanged += c.Unchanged
		t.Skipped += c.Skipped
		t.Failed += c.Failed
	}
	return t
}

// restoreJSON runs `sensuctl restore ARGS... -o json` and reads the summary
// (zero when there is none, as after an input error).
func restoreJSON(t *testing.T, b *resBackend, args ...string) (int, resSummary, string) {
	t.Helper()
	code, out, stderr := b.ctl(t, append(append([]string{"restore"}, args...), "-o", "json")...)
	var sum resSummary
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("restore %v -o json printed no summary: %v\n%s\n%s", args, err, out, stderr)
		}
	}
	return code, sum, stderr
}

func resFixture(name string) string { return filepath.Join("..", "testdata", "resources", name) }

// resKV is a stored value and the revision that last wrote it.
type resKV struct {
	value  string
	modRev int64
}

// sensuKVs reads every key under /sensu.io except the backends' leased
// liveness records.
func sensuKVs(t *testing.T, cli *clientv3.Client) map[string]resKV {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, "/sensu.io", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	kvs := map[string]resKV{}
	for _, kv := range resp.Kvs {
		if k := string(kv.Key); !strings.HasPrefix(k, "/sensu.io/backends/") {
			kvs[k] = resKV{value: string(kv.Value), modRev: kv.ModRevision}
		}
	}
	return kvs
}

// diffKVs describes what was added, removed or rewritten.
func diffKVs(before, after map[string]resKV) []string {
	var diff []string
	for k, a := range after {
		switch b, ok := before[k]; {
		case !ok:
			diff = append(diff, "added "+k)
		case a != b:
			diff = append(diff, fmt.Sprintf("rewrote %s (revision %d -> %d)", k, b.modRev, a.modRev))
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			diff = append(diff, "removed "+k)
		}
	}
	sort.Strings(diff)
	return diff
}

func getKey(t *testing.T, cli *clientv3.Client, key string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return ""
	}
	return string(resp.Kvs[0].Value)
}

// stripLeadingComments drops the "#" lines a YAML dump starts with
// (revision, cluster, time).
func stripLeadingComments(s string) string {
	for strings.HasPrefix(s, "#") {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	return s
}

// firstDiff shows the first line where got differs from want.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d: got %q, want %q (%d vs %d lines)", i+1, gl, wl, len(g), len(w))
		}
	}
	return "equal"
}
