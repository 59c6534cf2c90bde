package sensuctl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

// selectorManifest is what TestListSelectors stores: checks labelled with a
// team and a tier, entities of both classes, and an event whose entity and
// check carry labels.
const selectorManifest = `type: Namespace
api_version: core/v2
metadata: {}
spec: {name: default}
---
type: Namespace
api_version: core/v2
metadata: {}
spec: {name: ops}
---
type: CheckConfig
api_version: core/v2
metadata: {name: web-frontend, labels: {team: web, tier: frontend, region: us-west-1}}
spec: {command: check-http, interval: 60, subscriptions: [linux], handlers: [slack], publish: true}
---
type: CheckConfig
api_version: core/v2
metadata: {name: web-api, labels: {team: web, tier: api}}
spec: {command: check-api, interval: 60, subscriptions: [linux, windows], publish: true}
---
type: CheckConfig
api_version: core/v2
metadata: {name: web-db, labels: {team: web, tier: db}}
spec: {command: check-db, interval: 60, subscriptions: [db]}
---
type: CheckConfig
api_version: core/v2
metadata: {name: ops-frontend, labels: {team: ops, tier: frontend}}
spec: {command: check-lb, interval: 60, subscriptions: ["entity:lb-1"]}
---
type: CheckConfig
api_version: core/v2
metadata: {name: bare}
spec: {command: check-bare, interval: 60, subscriptions: [windows]}
---
type: CheckConfig
api_version: core/v2
metadata: {name: web-backup, namespace: ops, labels: {team: web, tier: api}}
spec: {command: backup, interval: 3600, subscriptions: [linux]}
---
type: Entity
api_version: core/v2
metadata: {name: agent-1, labels: {region: eu}}
spec: {entity_class: agent, subscriptions: [linux, "entity:agent-1"]}
---
type: Entity
api_version: core/v2
metadata: {name: proxy-1}
spec: {entity_class: proxy, subscriptions: ["entity:proxy-1"]}
---
type: Event
api_version: core/v2
metadata: {namespace: default}
spec:
  timestamp: 1795465238
  entity:
    metadata: {name: agent-1, namespace: default, labels: {region: eu}}
    entity_class: agent
    subscriptions: [linux]
  check:
    metadata: {name: web-frontend, namespace: default, labels: {team: web}}
    command: check-http
    interval: 60
    status: 2
    subscriptions: [linux]
`

// TestListSelectors runs the list commands with label and field selectors
// in Sensu Go's syntax against a real etcd, and checks exactly what is
// listed.
func TestListSelectors(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	ep := etcd.Endpoints()[0]
	e := newEnv(t)
	manifest := filepath.Join(t.TempDir(), "resources.yaml")
	if err := os.WriteFile(manifest, []byte(selectorManifest), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, e, false, "create", "-f", manifest, "--endpoints", ep); r.code != 0 {
		t.Fatalf("create: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// listed runs a list command and returns the namespace/name of what it printed.
	listed := func(t *testing.T, args ...string) []string {
		t.Helper()
		r := run(t, e, false, append(args, "--endpoints", ep, "-o", "json")...)
		var items []struct {
			Metadata struct{ Name, Namespace string } `json:"metadata"`
			Entity   struct {
				Metadata struct{ Name string } `json:"metadata"`
			} `json:"entity"`
			Check struct {
				Metadata struct{ Name string } `json:"metadata"`
			} `json:"check"`
		}
		if r.code != 0 || r.stderr != "" || json.Unmarshal([]byte(r.stdout), &items) != nil {
			t.Fatalf("%v: exit %d %q %q", args, r.code, r.stdout, r.stderr)
		}
		names := []string{}
		for _, it := range items {
			name := it.Metadata.Name
			if args[0] == "event" {
				name = it.Entity.Metadata.Name + "/" + it.Check.Metadata.Name
			}
			names = append(names, it.Metadata.Namespace+"/"+name)
		}
		sort.Strings(names)
		return names
	}

	for _, tc := range []struct {
		args []string
		want []string
	}{
		// The acceptance case.
		{[]string{"check", "list", "--label-selector", `team == "web" && tier in [frontend, api]`}, []string{"default/web-api", "default/web-frontend"}},
		{[]string{"check", "list", "-l", `team == "web" && tier in [frontend, api]`, "--all-namespaces"}, []string{"default/web-api", "default/web-frontend", "ops/web-backup"}},
		{[]string{"check", "list", "-l", "team == web"}, []string{"default/web-api", "default/web-db", "default/web-frontend"}},
		{[]string{"check", "list", "-l", "team != web"}, []string{"default/bare", "default/ops-frontend"}},
		{[]string{"check", "list", "-l", "tier notin [frontend, db]"}, []string{"default/bare", "default/web-api"}},
		{[]string{"check", "list", "-l", "team == web && tier == frontend && tier != api"}, []string{"default/web-frontend"}},
		// Quotes are the value's, not part of it (the earlier parser kept them).
		{[]string{"check", "list", "-l", `region == "us-west-1"`}, []string{"default/web-frontend"}},
		{[]string{"check", "list", "-l", `region matches "us-"`}, []string{"default/web-frontend"}},
		{[]string{"check", "list", "-l", "team == nobody"}, []string{}},
		// Labels applied by create are labels like any other.
		{[]string{"check", "list", "-l", "sensu.io/managed_by == sensuctl && team == ops"}, []string{"default/ops-frontend"}},

		// Field selectors: the fields core/v2 computes.
		{[]string{"check", "list", "--field-selector", `check.name == "web-api"`}, []string{"default/web-api"}},
		{[]string{"check", "list", "--field-selector", `check.name matches "web"`}, []string{"default/web-api", "default/web-db", "default/web-frontend"}},
		{[]string{"check", "list", "--field-selector", `check.name in [bare, "web-db"]`}, []string{"default/bare", "default/web-db"}},
		// The reversed in and notin on a list-valued field.
		{[]string{"check", "list", "--field-selector", "linux in check.subscriptions"}, []string{"default/web-api", "default/web-frontend"}},
		{[]string{"check", "list", "--field-selector", "windows in check.subscriptions"}, []string{"default/bare", "default/web-api"}},
		{[]string{"check", "list", "--field-selector", "linux notin check.subscriptions"}, []string{"default/bare", "default/ops-frontend", "default/web-db"}},
		{[]string{"check", "list", "--field-selector", `"entity:lb-1" in check.subscriptions`}, []string{"default/ops-frontend"}},
		{[]string{"check", "list", "--field-selector", "slack in check.handlers && check.publish == true"}, []string{"default/web-frontend"}},
		{[]string{"check", "list", "--field-selector", "check.labels.tier == api", "--all-namespaces"}, []string{"default/web-api", "ops/web-backup"}},
		// Both selectors at once.
		{[]string{"check", "list", "-l", "team == web", "--field-selector", "linux in check.subscriptions", "--all-namespaces"}, []string{"default/web-api", "default/web-frontend", "ops/web-backup"}},

		{[]string{"entity", "list", "--field-selector", "entity.entity_class == proxy"}, []string{"default/proxy-1"}},
		{[]string{"entity", "list", "--field-selector", "entity.entity_class != proxy"}, []string{"default/agent-1"}},
		{[]string{"entity", "list", "--field-selector", "linux in entity.subscriptions"}, []string{"default/agent-1"}},
		{[]string{"entity", "list", "--field-selector", `"entity:proxy-1" in entity.subscriptions`}, []string{"default/proxy-1"}},
		{[]string{"entity", "list", "-l", "region == eu"}, []string{"default/agent-1"}},

		// An event matches on the labels of its entity and check, as in Sensu Go.
		{[]string{"event", "list", "-l", "region == eu"}, []string{"default/agent-1/web-frontend"}},
		{[]string{"event", "list", "-l", "region == eu && team == web"}, []string{"default/agent-1/web-frontend"}},
		{[]string{"event", "list", "-l", "region == us"}, []string{}},
		{[]string{"event", "list", "--field-selector", `event.check.status == "2" && linux in event.entity.subscriptions`}, []string{"default/agent-1/web-frontend"}},
		{[]string{"event", "list", "--field-selector", "event.labels.team == web"}, []string{"default/agent-1/web-frontend"}},
		{[]string{"event", "list", "--field-selector", `event.check.status != "2"`}, []string{}},
	} {
		if got := listed(t, tc.args...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.args, got, tc.want)
		}
	}

	// An empty result is an empty array, and a table with headers only.
	r := run(t, e, false, "check", "list", "-l", "team == nobody", "--endpoints", ep)
	if r.code != 0 || strings.Contains(r.stdout, "web") || !strings.Contains(strings.ToUpper(r.stdout), "NAME") {
		t.Errorf("empty table: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// Bad selectors are usage errors (exit 2), one line naming the selector,
	// the offending part and Sensu Go's syntax. Kubernetes' syntax is refused.
	syntax := `use Sensu Go's syntax: key == value, key != value, key in [a, b], key notin [a, b], key matches "text", joined with &&`
	for _, tc := range []struct {
		args  []string
		parts []string
	}{
		{[]string{"check", "list", "-l", "env=prod"}, []string{`label selector "env=prod"`, `at "=prod"`, "compare with ==", syntax, `e.g. 'env == "prod" && tier in [web, db]'`}},
		{[]string{"check", "list", "-l", "tier in (a,b)"}, []string{`label selector "tier in (a,b)"`, `at "(a,b)"`, "square brackets", syntax}},
		{[]string{"check", "list", "-l", "!legacy"}, []string{`label selector "!legacy"`, `at "!legacy"`, syntax}},
		{[]string{"check", "list", "-l", "env==prod,tier==web"}, []string{`at ",tier==web"`, "joined with &&, not commas", syntax}},
		{[]string{"check", "list", "-l", "env"}, []string{`at "env"`, "no operator", syntax}},
		{[]string{"check", "list", "-l", "region == us-west-1"}, []string{`at "us-west-1"`, `quote it: "us-west-1"`, syntax}},
		{[]string{"check", "list", "--field-selector", "check.name in [bare, web-db]"}, []string{`field selector "check.name in [bare, web-db]"`, `at "web-db"`, "linux in check.subscriptions"}},
		{[]string{"check", "list", "--field-selector", "check.name = web"}, []string{`field selector "check.name = web"`, syntax}},
		{[]string{"check", "list", "--field-selector", "check.nmae == web"}, []string{`"check.nmae" is not a field of checks: its fields are check.handlers, check.name,`, "check.labels.KEY"}},
		{[]string{"entity", "list", "--field-selector", "linux in check.subscriptions"}, []string{`neither "linux" nor "check.subscriptions" is a field of entities`}},
		{[]string{"tessen", "list", "--field-selector", "tessen.opt_out == true"}, []string{"is not a field of tessen: it has none"}},
	} {
		r := run(t, e, false, append(tc.args, "--endpoints", ep)...)
		oneErrorLine(t, r, ExitUsage, tc.parts...)
		if r.stdout != "" {
			t.Errorf("%q printed %q", tc.args, r.stdout)
		}
	}
}
