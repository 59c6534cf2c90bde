package resource

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The registry is Sensu Go's resource.All: same order, names and scope
// (FACTS §3.1), plus where each type is stored (FACTS §4).
func TestRegistry(t *testing.T) {
	want := []struct {
		full, short, prefix string
		namespaced          bool
	}{
		{"core/v2.Namespace", "namespaces", "namespaces", false},
		{"core/v2.ClusterRole", "clusterroles", "rbac/clusterroles", false},
		{"core/v2.ClusterRoleBinding", "clusterrolebindings", "rbac/clusterrolebindings", false},
		{"core/v2.User", "users", "users", false},
		{"core/v2.APIKey", "apikeys", "apikeys", false},
		{"core/v2.TessenConfig", "tessen", "tessen", false},
		{"core/v2.Asset", "assets", "assets", true},
		{"core/v2.CheckConfig", "checks", "checks", true},
		{"core/v2.Entity", "entities", "entities", true},
		{"core/v2.Event", "events", "events", true},
		{"core/v2.EventFilter", "filters", "event-filters", true},
		{"core/v2.Handler", "handlers", "handlers", true},
		{"core/v2.HookConfig", "hooks", "hooks", true},
		{"core/v2.Mutator", "mutators", "mutators", true},
		{"core/v2.Pipeline", "pipelines", "pipelines", true},
		{"core/v2.Role", "roles", "rbac/roles", true},
		{"core/v2.RoleBinding", "rolebindings", "rbac/rolebindings", true},
		{"core/v2.Silenced", "silenced", "silenced", true},
	}
	if len(All) != len(want) {
		t.Fatalf("%d types, want %d", len(All), len(want))
	}
	for i, w := range want {
		got := All[i]
		if got.FullName() != w.full || got.ShortName != w.short || got.Prefix != w.prefix || got.Namespaced != w.namespaced {
			t.Errorf("All[%d] = %s %s %s namespaced=%v, want %s %s %s namespaced=%v",
				i, got.FullName(), got.ShortName, got.Prefix, got.Namespaced, w.full, w.short, w.prefix, w.namespaced)
		}
		if got.APIVersion != "core/v2" {
			t.Errorf("%s: api_version %q", got.Kind, got.APIVersion)
		}
		if o := got.New(); reflect.TypeOf(o).Elem().Name() != got.Kind {
			t.Errorf("%s.New() is a %T", got.Kind, o)
		}
	}
	if tessen := All[5]; !tessen.Singleton || tessen.Kind != "TessenConfig" {
		t.Errorf("TessenConfig is not a singleton")
	}
	if keys := All[4]; !keys.Secret || keys.Kind != "APIKey" {
		t.Errorf("APIKey is not secret")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"checks", "CheckConfig"},
		{"check", "CheckConfig"},
		{"CheckConfig", "CheckConfig"},
		{"core/v2.CheckConfig", "CheckConfig"},
		{"CHECKS", "CheckConfig"},
		{"checkconfig", "CheckConfig"},
		{"Core/V2.checkconfig", "CheckConfig"},
		{"  checks ", "CheckConfig"},
		{"filters", "EventFilter"},
		{"filter", "EventFilter"},
		{"event-filters", "EventFilter"},
		{"eventfilters", "EventFilter"},
		{"EventFilter", "EventFilter"},
		{"tessen", "TessenConfig"},
		{"TessenConfig", "TessenConfig"},
		{"silenced", "Silenced"},
		{"api-key", "APIKey"},
		{"apikeys", "APIKey"},
		{"cluster-role-binding", "ClusterRoleBinding"},
		{"clusterrolebindings", "ClusterRoleBinding"},
		{"role-binding", "RoleBinding"},
		{"core/v2.Namespace", "Namespace"},
		{"namespace", "Namespace"},
		{"entities", "Entity"},
		{"entity", "Entity"},
		{"events", "Event"},
		{"pipelines", "Pipeline"},
		{"hooks", "HookConfig"},
		{"users", "User"},
	}
	for _, tt := range tests {
		got, err := Lookup(tt.name)
		if err != nil || got.Kind != tt.want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	// Every short name, singular, kind and fully qualified name resolves.
	for _, typ := range All {
		for _, n := range []string{typ.ShortName, typ.Singular, typ.Kind, typ.FullName(), strings.ToUpper(typ.FullName())} {
			if got, err := Lookup(n); err != nil || got != typ {
				t.Errorf("Lookup(%q) = %v, %v; want %s", n, got, err, typ.Kind)
			}
		}
	}
	for _, bad := range []string{"", "nope", "core/v3.CheckConfig", "core/v2.checks", "check s", "all"} {
		_, err := Lookup(bad)
		if err == nil || !strings.Contains(err.Error(), "unknown resource type") || !strings.Contains(err.Error(), "describe-type") {
			t.Errorf("Lookup(%q): got %v, want an unknown resource type error pointing at describe-type", bad, err)
		}
	}
}

func TestLookupKind(t *testing.T) {
	tests := []struct {
		apiVersion, kind, want, err string
	}{
		{"", "CheckConfig", "CheckConfig", ""},
		{"core/v2", "CheckConfig", "CheckConfig", ""},
		{"core/v2", "Namespace", "Namespace", ""},
		{"", "checks", "", `unknown type "checks"`},
		{"", "checkconfig", "", `unknown type "checkconfig"`},
		{"core/v3", "EntityConfig", "", `unsupported api_version "core/v3"`},
		{"secrets/v1", "Secret", "", `unsupported api_version "secrets/v1"`},
	}
	for _, tt := range tests {
		got, err := LookupKind(tt.apiVersion, tt.kind)
		switch {
		case tt.err == "" && (err != nil || got.Kind != tt.want):
			t.Errorf("LookupKind(%q, %q) = %v, %v; want %s", tt.apiVersion, tt.kind, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("LookupKind(%q, %q): got %v, want %q", tt.apiVersion, tt.kind, err, tt.err)
		}
	}
}

func kinds(ts []*Type) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Kind)
	}
	return out
}

func TestParseTypes(t *testing.T) {
	allKinds := kinds(All)
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(allKinds), func(k string) bool { return slices.Contains(drop, k) })
	}
	tests := []struct {
		name, list, omit string
		want             []string
		err              string
	}{
		{"all", "all", "", allKinds, ""},
		{"all twice", "all,all", "", allKinds, ""},
		{"all and more", "checks,all", "", allKinds, ""},
		{"registry order", "silenced,checks,namespaces", "", []string{"Namespace", "CheckConfig", "Silenced"}, ""},
		{"synonyms once", "checks,check,CheckConfig,core/v2.CheckConfig", "", []string{"CheckConfig"}, ""},
		{"spaces and empty items", " checks , ,handlers,", "", []string{"CheckConfig", "Handler"}, ""},
		{"omit", "all", "users,core/v2.APIKey,TessenConfig", without("User", "APIKey", "TessenConfig"), ""},
		{"omit what is not listed", "checks", "handlers", []string{"CheckConfig"}, ""},
		{"omit everything", "checks", "check", nil, ""},
		{"empty", "", "", nil, ""},
		{"unknown", "checks,bogus", "", nil, `unknown resource type "bogus"`},
		{"unknown omit", "all", "bogus", nil, `--omit: unknown resource type "bogus"`},
		{"all is lower case", "ALL", "", nil, `unknown resource type "ALL"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTypes(tt.list, tt.omit)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(kinds(got), tt.want) {
				t.Errorf("got %v, want %v", kinds(got), tt.want)
			}
		})
	}
}

func typeNamed(t *testing.T, name string) *Type {
	t.Helper()
	typ, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

func TestKeys(t *testing.T) {
	tests := []struct {
		typ, namespace, name string
		key, list, listAll   string
	}{
		{"checks", "default", "check-cpu", "/sensu.io/checks/default/check-cpu", "/sensu.io/checks/default/", "/sensu.io/checks/"},
		{"filters", "team-a", "prod", "/sensu.io/event-filters/team-a/prod", "/sensu.io/event-filters/team-a/", "/sensu.io/event-filters/"},
		{"roles", "default", "system:pipeline", "/sensu.io/rbac/roles/default/system:pipeline", "/sensu.io/rbac/roles/default/", "/sensu.io/rbac/roles/"},
		{"silenced", "default", "linux:check-cpu", "/sensu.io/silenced/default/linux:check-cpu", "/sensu.io/silenced/default/", "/sensu.io/silenced/"},
		{"assets", "default", "org/asset", "/sensu.io/assets/default/org/asset", "/sensu.io/assets/default/", "/sensu.io/assets/"},
		{"events", "default", "db-01/check-mysql", "/sensu.io/events/default/db-01/check-mysql", "/sensu.io/events/default/", "/sensu.io/events/"},
		{"namespaces", "", "default", "/sensu.io/namespaces/default", "/sensu.io/namespaces/", "/sensu.io/namespaces/"},
		{"users", "", "admin", "/sensu.io/users/admin", "/sensu.io/users/", "/sensu.io/users/"},
		{"clusterrolebindings", "", "system:agent", "/sensu.io/rbac/clusterrolebindings/system:agent", "/sensu.io/rbac/clusterrolebindings/", "/sensu.io/rbac/clusterrolebindings/"},
		{"tessen", "", "", "/sensu.io/tessen", "/sensu.io/tessen", "/sensu.io/tessen"},
	}
	for _, tt := range tests {
		typ := typeNamed(t, tt.typ)
		if got := typ.Key(tt.namespace, tt.name); got != tt.key {
			t.Errorf("%s Key(%q, %q) = %q, want %q", tt.typ, tt.namespace, tt.name, got, tt.key)
		}
		ns := tt.namespace
		if !typ.Namespaced {
			ns = "ignored"
		}
		if got := typ.ListPrefix(ns); got != tt.list {
			t.Errorf("%s ListPrefix(%q) = %q, want %q", tt.typ, ns, got, tt.list)
		}
		if got := typ.ListPrefix(""); got != tt.listAll {
			t.Errorf("%s ListPrefix(\"\") = %q, want %q", tt.typ, got, tt.listAll)
		}
		gotNS, gotName := typ.SplitKey(tt.key)
		if gotNS != tt.namespace || gotName != tt.name {
			t.Errorf("%s SplitKey(%q) = %q, %q; want %q, %q", tt.typ, tt.key, gotNS, gotName, tt.namespace, tt.name)
		}
	}
	// A namespace "a" must not list namespace "ab".
	checks := typeNamed(t, "checks")
	if strings.HasPrefix(checks.Key("ab", "x"), checks.ListPrefix("a")) {
		t.Error("ListPrefix(\"a\") matches namespace ab")
	}
}

func TestKeyOf(t *testing.T) {
	tests := []struct {
		typ string
		obj Object
		key string
	}{
		{"checks", validCheck(nil), "/sensu.io/checks/default/check-cpu"},
		{"namespaces", &Namespace{Name: "team-a"}, "/sensu.io/namespaces/team-a"},
		{"users", &User{Username: "alice"}, "/sensu.io/users/alice"},
		{"tessen", &TessenConfig{OptOut: true}, "/sensu.io/tessen"},
		{"events", validEvent(nil), "/sensu.io/events/default/db-01/check-mysql"},
		{"silenced", validSilenced(nil), "/sensu.io/silenced/default/linux:check-cpu"},
		{"clusterroles", validClusterRole(nil), "/sensu.io/rbac/clusterroles/global-viewer"},
	}
	for _, tt := range tests {
		typ := typeNamed(t, tt.typ)
		if got := typ.KeyOf(tt.obj); got != tt.key {
			t.Errorf("%s KeyOf = %q, want %q", tt.typ, got, tt.key)
		}
	}
	// An event's namespace is its entity's until it has its own.
	e := validEvent(func(e *Event) { e.Metadata.Namespace = "" })
	if got := typeNamed(t, "events").KeyOf(e); got != "/sensu.io/events/default/db-01/check-mysql" {
		t.Errorf("event without its own namespace: key %q", got)
	}
	if got := StoreName(&Event{}); got != "" {
		t.Errorf("StoreName of an event without entity and check = %q", got)
	}
}

func TestSilencedName(t *testing.T) {
	tests := []struct{ sub, check, want string }{
		{"linux", "check-cpu", "linux:check-cpu"},
		{"", "check-cpu", "*:check-cpu"},
		{"linux", "", "linux:*"},
		{"entity:db-01", "", "entity:db-01:*"},
		{"", "", "*:*"},
	}
	for _, tt := range tests {
		if got := SilencedName(tt.sub, tt.check); got != tt.want {
			t.Errorf("SilencedName(%q, %q) = %q, want %q", tt.sub, tt.check, got, tt.want)
		}
	}
}

// The embedded structs named in type errors are all known to jsonPath.
func TestEmbeddedStructsKnown(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || seen[rt] {
			return
		}
		seen[rt] = true
		for i := range rt.NumField() {
			f := rt.Field(i)
			if f.Anonymous && !embeddedStructs[f.Name] {
				t.Errorf("%s embeds %s, which jsonPath does not drop from error paths", rt.Name(), f.Name)
			}
			walk(f.Type)
		}
	}
	for _, typ := range All {
		walk(reflect.TypeOf(typ.New()))
	}
}

const (
	sha512Hex  = "4f926bf4328fbad2b9cac873d117f771914f4b837c9c85584c38ccf55a3ef3c2e8d154812246e5dda4a87450576b2c58ad9ab40c9e2edc31b288d066b195b21b"
	bcryptHash = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
	keyUUID    = "83abef1e-e7d7-4beb-91fc-79ad90084d5b"
)

func ns(name string) withMeta {
	return withMeta{Metadata: ObjectMeta{Name: name, Namespace: "default"}}
}

func validCheck(mod func(*CheckConfig)) Object {
	c := &CheckConfig{CheckSpec: CheckSpec{Command: "check-cpu.sh", Interval: 60, Subscriptions: []string{"linux"}}, withMeta: ns("check-cpu")}
	if mod != nil {
		mod(c)
	}
	return c
}

func validHandler(mod func(*Handler)) Object {
	h := &Handler{withMeta: ns("slack"), Type: "pipe", Command: "sensu-slack-handler"}
	if mod != nil {
		mod(h)
	}
	return h
}

func validFilter(mod func(*EventFilter)) Object {
	f := &EventFilter{withMeta: ns("production-only"), Action: "allow", Expressions: []string{"event.entity.labels.env == 'production'"}}
	if mod != nil {
		mod(f)
	}
	return f
}

func validMutator(mod func(*Mutator)) Object {
	m := &Mutator{withMeta: ns("only-output"), Command: "jq .check.output"}
	if mod != nil {
		mod(m)
	}
	return m
}

func validAsset(mod func(*Asset)) Object {
	a := &Asset{withMeta: ns("sensu-plugins-cpu"), URL: "https://example.invalid/cpu.tar.gz", Sha512: sha512Hex}
	if mod != nil {
		mod(a)
	}
	return a
}

func validHook(mod func(*HookConfig)) Object {
	h := &HookConfig{withMeta: ns("process-tree"), Command: "ps aux", Timeout: 10}
	if mod != nil {
		mod(h)
	}
	return h
}

func rules() []Rule { return []Rule{{Verbs: []string{"get", "list"}, Resources: []string{"checks"}}} }

func validRole(mod func(*Role)) Object {
	r := &Role{Rules: rules(), withMeta: ns("readonly")}
	if mod != nil {
		mod(r)
	}
	return r
}

func validClusterRole(mod func(*ClusterRole)) Object {
	r := &ClusterRole{Rules: rules(), withMeta: withMeta{Metadata: ObjectMeta{Name: "global-viewer"}}}
	if mod != nil {
		mod(r)
	}
	return r
}

func validRoleBinding(mod func(*RoleBinding)) Object {
	b := &RoleBinding{Subjects: []Subject{{Type: "Group", Name: "ops"}}, RoleRef: RoleRef{Type: "Role", Name: "readonly"}, withMeta: ns("readonly-binding")}
	if mod != nil {
		mod(b)
	}
	return b
}

func validClusterRoleBinding(mod func(*ClusterRoleBinding)) Object {
	b := &ClusterRoleBinding{Subjects: []Subject{{Type: "User", Name: "alice"}}, RoleRef: RoleRef{Type: "ClusterRole", Name: "global-viewer"},
		withMeta: withMeta{Metadata: ObjectMeta{Name: "global-viewer-binding"}}}
	if mod != nil {
		mod(b)
	}
	return b
}

func validUser(mod func(*User)) Object {
	u := &User{Username: "alice", Groups: []string{"ops"}, PasswordHash: bcryptHash}
	if mod != nil {
		mod(u)
	}
	return u
}

func validSilenced(mod func(*Silenced)) Object {
	s := &Silenced{withMeta: ns("linux:check-cpu"), Subscription: "linux", Check: "check-cpu", Expire: 3600}
	if mod != nil {
		mod(s)
	}
	return s
}

func validEvent(mod func(*Event)) Object {
	e := &Event{
		Entity:   &Entity{EntityClass: "proxy", withMeta: ns("db-01")},
		Check:    &Check{withMeta: ns("check-mysql"), Status: 2, Output: "mysql down"},
		Metadata: ObjectMeta{Namespace: "default"},
		ID:       "86f31187-9bbf-4a6d-981d-1f1c9e2183f4",
	}
	if mod != nil {
		mod(e)
	}
	return e
}

func validEntity(mod func(*Entity)) Object {
	e := &Entity{EntityClass: "agent", withMeta: ns("web-01")}
	if mod != nil {
		mod(e)
	}
	return e
}

func validPipeline(mod func(*Pipeline)) Object {
	p := &Pipeline{withMeta: ns("incident-pipeline"), Workflows: []PipelineWorkflow{{
		Name:    "slack",
		Filters: []ResourceReference{{Name: "is_incident", Type: "EventFilter", APIVersion: "core/v2"}},
		Handler: &ResourceReference{Name: "slack", Type: "Handler", APIVersion: "core/v2"},
	}}}
	if mod != nil {
		mod(p)
	}
	return p
}

func validAPIKey(mod func(*APIKey)) Object {
	k := &APIKey{withMeta: withMeta{Metadata: ObjectMeta{Name: keyUUID}}, Username: "alice"}
	if mod != nil {
		mod(k)
	}
	return k
}

// TestValidate follows the rules of FACTS §5 per type. field is the
// FieldError field expected, "" for a valid value.
func TestValidate(t *testing.T) {
	hooks := func(types ...string) func(*CheckConfig) {
		return func(c *CheckConfig) {
			for _, h := range types {
				c.CheckHooks = append(c.CheckHooks, HookList{Hooks: []string{"process-tree"}, Type: h})
			}
		}
	}
	tests := []struct {
		name  string
		obj   Object
		field string
	}{
		// CheckConfig
		{"check valid", validCheck(nil), ""},
		{"check name with : . - _", validCheck(func(c *CheckConfig) { c.Metadata.Name = "a:b.c-d_E9" }), ""},
		{"check name empty", validCheck(func(c *CheckConfig) { c.Metadata.Name = "" }), "metadata.name"},
		{"check name with space", validCheck(func(c *CheckConfig) { c.Metadata.Name = "check cpu" }), "metadata.name"},
		{"check name with slash", validCheck(func(c *CheckConfig) { c.Metadata.Name = "a/b" }), "metadata.name"},
		{"check without namespace", validCheck(func(c *CheckConfig) { c.Metadata.Namespace = "" }), "metadata.namespace"},
		{"check bad namespace", validCheck(func(c *CheckConfig) { c.Metadata.Namespace = "team a" }), "metadata.namespace"},
		{"check cron only", validCheck(func(c *CheckConfig) { c.Interval, c.Cron = 0, "*/5 * * * *" }), ""},
		{"check cron and interval", validCheck(func(c *CheckConfig) { c.Cron = "*/5 * * * *" }), "spec.cron"},
		{"check neither cron nor interval", validCheck(func(c *CheckConfig) { c.Interval = 0 }), "spec.interval"},
		{"check bad cron", validCheck(func(c *CheckConfig) { c.Interval, c.Cron = 0, "every minute" }), "spec.cron"},
		{"check ttl 0", validCheck(func(c *CheckConfig) { c.Ttl = 0 }), ""},
		{"check ttl above interval", validCheck(func(c *CheckConfig) { c.Ttl = 61 }), ""},
		{"check ttl equal to interval", validCheck(func(c *CheckConfig) { c.Ttl = 60 }), "spec.ttl"},
		{"check ttl below interval", validCheck(func(c *CheckConfig) { c.Ttl = 30 }), "spec.ttl"},
		{"check negative ttl", validCheck(func(c *CheckConfig) { c.Ttl = -1 }), ""}, // core/v2 accepts it (only ttl > 0 is checked)
		{"check ttl with cron", validCheck(func(c *CheckConfig) { c.Interval, c.Cron, c.Ttl = 0, "@hourly", 30 }), ""},
		{"check flap thresholds", validCheck(func(c *CheckConfig) { c.LowFlapThreshold, c.HighFlapThreshold = 20, 60 }), ""},
		{"check only low flap", validCheck(func(c *CheckConfig) { c.LowFlapThreshold = 20 }), ""},
		{"check only high flap", validCheck(func(c *CheckConfig) { c.HighFlapThreshold = 20 }), ""},
		{"check equal flap thresholds", validCheck(func(c *CheckConfig) { c.LowFlapThreshold, c.HighFlapThreshold = 40, 40 }), "spec.low_flap_threshold"},
		{"check low above high flap", validCheck(func(c *CheckConfig) { c.LowFlapThreshold, c.HighFlapThreshold = 60, 20 }), "spec.low_flap_threshold"},
		{"check empty subscription", validCheck(func(c *CheckConfig) { c.Subscriptions = []string{"linux", ""} }), "spec.subscriptions[1]"},
		{"check blank subscription", validCheck(func(c *CheckConfig) { c.Subscriptions = []string{" "} }), ""}, // core/v2 refuses only ""
		{"check proxy entity", validCheck(func(c *CheckConfig) { c.ProxyEntityName = "db-01" }), ""},
		{"check bad proxy entity", validCheck(func(c *CheckConfig) { c.ProxyEntityName = "db 01" }), "spec.proxy_entity_name"},
		{"check nagios_perfdata", validCheck(func(c *CheckConfig) { c.OutputMetricFormat = "nagios_perfdata" }), ""},
		{"check graphite_plaintext", validCheck(func(c *CheckConfig) { c.OutputMetricFormat = "graphite_plaintext" }), ""},
		{"check influxdb_line", validCheck(func(c *CheckConfig) { c.OutputMetricFormat = "influxdb_line" }), ""},
		{"check opentsdb_line", validCheck(func(c *CheckConfig) { c.OutputMetricFormat = "opentsdb_line" }), ""},
		{"check prometheus_text", validCheck(func(c *CheckConfig) { c.OutputMetricFormat = "prometheus_text" }), ""},
		{"check unknown metric format", validCheck(func(c *CheckConfig) { c.OutputMetricFormat = "json" }), "spec.output_metric_format"},
		{"check metric format case", validCheck(func(c *CheckConfig) { c.OutputMetricFormat = "Nagios_Perfdata" }), "spec.output_metric_format"},
		{"check hook types", validCheck(hooks("ok", "warning", "critical", "unknown", "non-zero", "0", "1", "127", "255")), ""},
		{"check hook 256", validCheck(hooks("ok", "256")), ""}, // core/v2 does not check hook types
		{"check hook -1", validCheck(hooks("-1")), ""},         // core/v2 does not check hook types
		{"check hook 01", validCheck(hooks("01")), ""},         // core/v2 does not check hook types
		{"check hook +1", validCheck(hooks("+1")), ""},         // core/v2 does not check hook types
		{"check hook OK", validCheck(hooks("OK")), ""},         // core/v2 does not check hook types
		{"check hook empty", validCheck(hooks("")), ""},        // core/v2 does not check hook types
		{"check hook 1x", validCheck(hooks("1x")), ""},         // core/v2 does not check hook types
		{"check env vars", validCheck(func(c *CheckConfig) { c.EnvVars = []string{"A=1", "B=", "C=x=y"} }), ""},
		{"check env var without =", validCheck(func(c *CheckConfig) { c.EnvVars = []string{"A=1", "B"} }), "spec.env_vars[1]"},
		{"check env var without key", validCheck(func(c *CheckConfig) { c.EnvVars = []string{"=1"} }), "spec.env_vars[0]"},
		{"check assets", validCheck(func(c *CheckConfig) { c.RuntimeAssets = []string{"sensu/cpu-checks", "a_b.c:d"} }), ""},
		{"check bad asset", validCheck(func(c *CheckConfig) { c.RuntimeAssets = []string{"cpu checks"} }), "spec.runtime_assets[0]"},
		{"check empty asset", validCheck(func(c *CheckConfig) { c.RuntimeAssets = []string{""} }), "spec.runtime_assets[0]"},

		// Handler
		{"handler pipe", validHandler(nil), ""},
		{"handler pipe without command", validHandler(func(h *Handler) { h.Command = "" }), "spec.command"},
		{"handler set", validHandler(func(h *Handler) { h.Type, h.Command, h.Handlers = "set", "", []string{"a", "b"} }), ""},
		{"handler tcp", validHandler(func(h *Handler) { h.Type, h.Socket = "tcp", &HandlerSocket{Host: "127.0.0.1", Port: 4444} }), ""},
		{"handler udp", validHandler(func(h *Handler) { h.Type, h.Socket = "udp", &HandlerSocket{Host: "::1", Port: 53} }), ""},
		{"handler tcp without socket", validHandler(func(h *Handler) { h.Type = "tcp" }), "spec.socket.host"},
		{"handler tcp without host", validHandler(func(h *Handler) { h.Type, h.Socket = "tcp", &HandlerSocket{Port: 1} }), "spec.socket.host"},
		{"handler udp without port", validHandler(func(h *Handler) { h.Type, h.Socket = "udp", &HandlerSocket{Host: "h"} }), "spec.socket.port"},
		{"handler without type", validHandler(func(h *Handler) { h.Type = "" }), "spec.type"},
		{"handler unknown type", validHandler(func(h *Handler) { h.Type = "http" }), "spec.type"},
		{"handler type case", validHandler(func(h *Handler) { h.Type = "Pipe" }), "spec.type"},
		{"handler bad env var", validHandler(func(h *Handler) { h.EnvVars = []string{"TOKEN"} }), ""},   // core/v2 accepts it
		{"handler bad asset", validHandler(func(h *Handler) { h.RuntimeAssets = []string{"a b"} }), ""}, // core/v2 accepts it
		{"handler without namespace", validHandler(func(h *Handler) { h.Metadata.Namespace = "" }), "metadata.namespace"},

		// EventFilter
		{"filter allow", validFilter(nil), ""},
		{"filter deny", validFilter(func(f *EventFilter) { f.Action = "deny" }), ""},
		{"filter without action", validFilter(func(f *EventFilter) { f.Action = "" }), "spec.action"},
		{"filter unknown action", validFilter(func(f *EventFilter) { f.Action = "Allow" }), "spec.action"},
		{"filter without expressions", validFilter(func(f *EventFilter) { f.Expressions = nil }), "spec.expressions"},
		{"filter empty expression", validFilter(func(f *EventFilter) { f.Expressions = []string{"true", " "} }), ""}, // core/v2 accepts it
		{"filter bad asset", validFilter(func(f *EventFilter) { f.RuntimeAssets = []string{"!"} }), ""},              // core/v2 accepts it
		{"filter without namespace", validFilter(func(f *EventFilter) { f.Metadata.Namespace = "" }), "metadata.namespace"},

		// Mutator
		{"mutator pipe by default", validMutator(nil), ""},
		{"mutator pipe", validMutator(func(m *Mutator) { m.Type = "pipe" }), ""},
		{"mutator without command", validMutator(func(m *Mutator) { m.Command = "" }), "spec.command"},
		{"mutator javascript", validMutator(func(m *Mutator) { m.Type, m.Command, m.Eval = "javascript", "", "return event;" }), ""},
		{"mutator javascript without eval", validMutator(func(m *Mutator) { m.Type, m.Command = "javascript", "" }), "spec.command"},
		{"mutator javascript with command", validMutator(func(m *Mutator) { m.Type, m.Eval = "javascript", "return event;" }), "spec.command"},
		{"mutator unknown type", validMutator(func(m *Mutator) { m.Type = "lua" }), "spec.type"},
		{"mutator bad env var", validMutator(func(m *Mutator) { m.EnvVars = []string{""} }), ""}, // core/v2 accepts it

		// Asset
		{"asset url and sha512", validAsset(nil), ""},
		{"asset name with slash", validAsset(func(a *Asset) { a.Metadata.Name = "sensu/cpu-checks" }), ""},
		{"asset bad name", validAsset(func(a *Asset) { a.Metadata.Name = "cpu checks" }), "metadata.name"},
		{"asset without name", validAsset(func(a *Asset) { a.Metadata.Name = "" }), "metadata.name"},
		{"asset without namespace", validAsset(func(a *Asset) { a.Metadata.Namespace = "" }), "metadata.namespace"},
		{"asset without url", validAsset(func(a *Asset) { a.URL = "" }), "spec.url"},
		{"asset without sha512", validAsset(func(a *Asset) { a.Sha512 = "" }), "spec.sha512"},
		{"asset short sha512", validAsset(func(a *Asset) { a.Sha512 = sha512Hex[:127] }), "spec.sha512"},
		{"asset builds", validAsset(func(a *Asset) {
			a.URL, a.Sha512 = "", ""
			a.Builds = []AssetBuild{{URL: "https://x/a.tgz", Sha512: sha512Hex, Filters: []string{"entity.system.os == 'linux'"}}}
		}), ""},
		{"asset build without url", validAsset(func(a *Asset) {
			a.Builds = []AssetBuild{{URL: "https://x/a.tgz", Sha512: sha512Hex}, {Sha512: sha512Hex}}
		}), "spec.builds[1].url"},
		{"asset build short sha512", validAsset(func(a *Asset) { a.Builds = []AssetBuild{{URL: "https://x/a.tgz", Sha512: "abc"}} }), "spec.builds[0].sha512"},

		// HookConfig
		{"hook valid", validHook(nil), ""},
		{"hook without command", validHook(func(h *HookConfig) { h.Command = "" }), "spec.command"},
		{"hook timeout 0", validHook(func(h *HookConfig) { h.Timeout = 0 }), "spec.timeout"},
		{"hook bad asset", validHook(func(h *HookConfig) { h.RuntimeAssets = []string{"a b"} }), ""}, // core/v2 accepts it
		{"hook without namespace", validHook(func(h *HookConfig) { h.Metadata.Namespace = "" }), "metadata.namespace"},

		// Role and ClusterRole
		{"role valid", validRole(nil), ""},
		{"role every verb", validRole(func(r *Role) {
			r.Rules = []Rule{{Verbs: []string{"*", "get", "list", "create", "update", "delete"}, Resources: []string{"*"}}}
		}), ""},
		{"role name with colon", validRole(func(r *Role) { r.Metadata.Name = "system:pipeline" }), ""},
		{"role name with two colons", validRole(func(r *Role) { r.Metadata.Name = "a:b:c" }), "metadata.name"},
		{"role name with space", validRole(func(r *Role) { r.Metadata.Name = "read only" }), "metadata.name"},
		{"role without namespace", validRole(func(r *Role) { r.Metadata.Namespace = "" }), "metadata.namespace"},
		{"role without rules", validRole(func(r *Role) { r.Rules = nil }), "spec.rules"},
		{"role unknown verb", validRole(func(r *Role) { r.Rules[0].Verbs = []string{"get", "patch"} }), "spec.rules[0].verbs[1]"},
		{"role verb case", validRole(func(r *Role) { r.Rules[0].Verbs = []string{"GET"} }), "spec.rules[0].verbs[0]"},
		{"role without verbs", validRole(func(r *Role) { r.Rules[0].Verbs = nil }), ""},         // core/v2 accepts it
		{"role without resources", validRole(func(r *Role) { r.Rules[0].Resources = nil }), ""}, // core/v2 accepts it
		{"cluster role valid", validClusterRole(nil), ""},
		{"cluster role with namespace", validClusterRole(func(r *ClusterRole) { r.Metadata.Namespace = "default" }), "metadata.namespace"},
		{"cluster role bad verb", validClusterRole(func(r *ClusterRole) { r.Rules[0].Verbs = []string{"watch"} }), "spec.rules[0].verbs[0]"},

		// RoleBinding and ClusterRoleBinding
		{"role binding to role", validRoleBinding(nil), ""},
		{"role binding to cluster role", validRoleBinding(func(b *RoleBinding) { b.RoleRef.Type = "ClusterRole" }), ""},
		{"role binding user subject", validRoleBinding(func(b *RoleBinding) { b.Subjects = []Subject{{Type: "User", Name: "alice"}} }), ""},
		{"role binding without subjects", validRoleBinding(func(b *RoleBinding) { b.Subjects = nil }), "spec.subjects"},
		{"role binding lower-case subject type", validRoleBinding(func(b *RoleBinding) { b.Subjects[0].Type = "group" }), "spec.subjects[0].type"},
		{"role binding subject without name", validRoleBinding(func(b *RoleBinding) { b.Subjects[0].Name = "" }), "spec.subjects[0].name"},
		{"role binding bad role_ref type", validRoleBinding(func(b *RoleBinding) { b.RoleRef.Type = "role" }), "spec.role_ref.type"},
		{"role binding role_ref without name", validRoleBinding(func(b *RoleBinding) { b.RoleRef.Name = "" }), "spec.role_ref.name"},
		{"role binding without namespace", validRoleBinding(func(b *RoleBinding) { b.Metadata.Namespace = "" }), "metadata.namespace"},
		{"role binding bad name", validRoleBinding(func(b *RoleBinding) { b.Metadata.Name = "a b" }), "metadata.name"},
		{"cluster role binding valid", validClusterRoleBinding(nil), ""},
		{"cluster role binding to role", validClusterRoleBinding(func(b *ClusterRoleBinding) { b.RoleRef.Type = "Role" }), ""}, // core/v2 accepts it
		{"cluster role binding with namespace", validClusterRoleBinding(func(b *ClusterRoleBinding) { b.Metadata.Namespace = "default" }), "metadata.namespace"},
		{"cluster role binding without subjects", validClusterRoleBinding(func(b *ClusterRoleBinding) { b.Subjects = []Subject{} }), "spec.subjects"},

		// User
		{"user valid", validUser(nil), ""},
		{"user without password", validUser(func(u *User) { u.PasswordHash = "" }), ""},
		{"user $2b$ hash", validUser(func(u *User) { u.PasswordHash = "$2b$" + bcryptHash[4:] }), ""},
		{"user $2y$ hash", validUser(func(u *User) { u.PasswordHash = "$2y$" + bcryptHash[4:] }), ""},
		{"user strict name chars", validUser(func(u *User) { u.Username = "a.b-c_9" }), ""},
		{"user upper case", validUser(func(u *User) { u.Username = "Alice" }), "spec.username"},
		{"user colon", validUser(func(u *User) { u.Username = "system:alice" }), "spec.username"},
		{"user space", validUser(func(u *User) { u.Username = "alice smith" }), "spec.username"},
		{"user empty", validUser(func(u *User) { u.Username = "" }), "spec.username"},
		{"user plain password as hash (Sensu Go accepts it)", validUser(func(u *User) { u.PasswordHash = "P@ssw0rd!" }), ""},
		{"user short hash (Sensu Go accepts it)", validUser(func(u *User) { u.PasswordHash = bcryptHash[:59] }), ""},
		{"user $2x$ hash (Sensu Go accepts it)", validUser(func(u *User) { u.PasswordHash = "$2x$" + bcryptHash[4:] }), ""},
		{"user empty group (Sensu Go accepts it)", validUser(func(u *User) { u.Groups = []string{"ops", ""} }), ""},

		// Silenced
		{"silenced subscription and check", validSilenced(nil), ""},
		{"silenced check only", validSilenced(func(s *Silenced) { s.Subscription, s.Metadata.Name = "", "*:check-cpu" }), ""},
		{"silenced subscription only", validSilenced(func(s *Silenced) { s.Check, s.Metadata.Name = "", "linux:*" }), ""},
		{"silenced star subscription", validSilenced(func(s *Silenced) { s.Subscription, s.Metadata.Name = "*", "*:check-cpu" }), ""},
		{"silenced neither", validSilenced(func(s *Silenced) { s.Subscription, s.Check, s.Metadata.Name = "", "", "*:*" }), "spec.check"},
		{"silenced both stars", validSilenced(func(s *Silenced) { s.Subscription, s.Check, s.Metadata.Name = "*", "*", "*:*" }), "spec.check"},
		{"silenced wrong name", validSilenced(func(s *Silenced) { s.Metadata.Name = "maintenance" }), "metadata.name"},
		{"silenced without namespace", validSilenced(func(s *Silenced) { s.Metadata.Namespace = "" }), "metadata.namespace"},

		// Event
		{"event valid", validEvent(nil), ""},
		{"event without id", validEvent(func(e *Event) { e.ID = "" }), ""},
		{"event with a name", validEvent(func(e *Event) { e.Metadata.Name = "db-01/check-mysql" }), "metadata.name"},
		{"event without namespace", validEvent(func(e *Event) { e.Metadata.Namespace = "" }), "metadata.namespace"},
		{"event without entity", validEvent(func(e *Event) { e.Entity = nil }), "spec.entity"},
		{"event entity without name", validEvent(func(e *Event) { e.Entity.Metadata.Name = "" }), "spec.entity.metadata.name"},
		{"event entity in another namespace", validEvent(func(e *Event) { e.Entity.Metadata.Namespace = "team-a" }), "spec.entity.metadata.namespace"},
		{"event without check", validEvent(func(e *Event) { e.Check = nil }), "spec.check"},
		{"event with metrics only", validEvent(func(e *Event) { e.Check, e.Metrics = nil, json.RawMessage(`{"points":[]}`) }), "spec.check"},
		{"event check without name", validEvent(func(e *Event) { e.Check.Metadata.Name = "" }), "spec.check.metadata.name"},
		{"event check needs no schedule", validEvent(func(e *Event) { e.Check.Interval, e.Check.Ttl = 0, 5 }), ""},
		{"event check unknown hook type (Sensu Go accepts it)", validEvent(func(e *Event) { e.Check.CheckHooks = []HookList{{Type: "fatal"}} }), ""},
		{"event id not a uuid", validEvent(func(e *Event) { e.ID = "86f31187" }), "spec.id"},

		// Entity, Namespace, APIKey, Pipeline, TessenConfig
		{"entity valid", validEntity(nil), ""},
		{"entity without class", validEntity(func(e *Entity) { e.EntityClass = "" }), "spec.entity_class"},
		{"entity bad class", validEntity(func(e *Entity) { e.EntityClass = "my agent" }), "spec.entity_class"},
		{"entity bad name", validEntity(func(e *Entity) { e.Metadata.Name = "web 01" }), "metadata.name"},
		{"entity without namespace", validEntity(func(e *Entity) { e.Metadata.Namespace = "" }), "metadata.namespace"},
		{"namespace valid", &Namespace{Name: "team-a"}, ""},
		{"namespace with colon", &Namespace{Name: "a:b"}, ""},
		{"namespace empty", &Namespace{}, "spec.name"},
		{"namespace with space", &Namespace{Name: "team a"}, "spec.name"},
		{"namespace with slash", &Namespace{Name: "team/a"}, "spec.name"},
		{"api key valid", validAPIKey(nil), ""},
		{"api key without name", validAPIKey(func(k *APIKey) { k.Metadata.Name = "" }), "metadata.name"},
		{"api key not a uuid (Sensu Go accepts it)", validAPIKey(func(k *APIKey) { k.Metadata.Name = "my-key" }), ""},
		{"api key without user", validAPIKey(func(k *APIKey) { k.Username = "" }), "spec.username"},
		{"api key upper-case user (Sensu Go accepts it)", validAPIKey(func(k *APIKey) { k.Username = "Alice" }), ""},
		{"pipeline valid", validPipeline(nil), ""},
		{"pipeline without workflows", validPipeline(func(p *Pipeline) { p.Workflows = nil }), ""},
		{"pipeline workflow without name", validPipeline(func(p *Pipeline) { p.Workflows[0].Name = "" }), "spec.workflows[0].name"},
		{"pipeline workflow without handler", validPipeline(func(p *Pipeline) { p.Workflows[0].Handler = nil }), "spec.workflows[0].handler"},
		{"pipeline handler without name", validPipeline(func(p *Pipeline) { p.Workflows[0].Handler.Name = "" }), "spec.workflows[0].handler"},
		{"pipeline without namespace", validPipeline(func(p *Pipeline) { p.Metadata.Namespace = "" }), "metadata.namespace"},
		{"tessen", &TessenConfig{OptOut: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.obj.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a FieldError on %s", err, tt.field)
			}
			if fe.Field != tt.field {
				t.Errorf("error on field %q (%v), want %q", fe.Field, err, tt.field)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") || fe.Msg == "" {
				t.Errorf("message %q does not start with the field", err)
			}
		})
	}
}

// TestValidCron holds validCron to robfig/cron v3's ParseStandard, the
// parser Sensu Go's core/v2 calls: what it accepts (including its oddities,
// such as "*-5" and "@every 0s") is valid, what it refuses is not.
func TestValidCron(t *testing.T) {
	valid := []string{
		"* * * * *", "*/5 * * * *", "0 0 * * 0", "0 0 * * 6", "0 0 * * sun", "0 0 * * MON-FRI",
		"0 0 1 jan *", "0 0 1 JAN-dec/2 *", "0,15,30,45 * * * *", "1-10/2 * * * *", "5/10 * * * *",
		"? * * * *", "59 23 31 12 6", "0 12 * * mon,wed,fri", "  0 0 * * *  ",
		"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@every 30s", "@every 1h30m",
		"CRON_TZ=UTC 0 0 * * *", "TZ=Europe/Berlin 0 0 * * *", "CRON_TZ=America/New_York @daily",
		// Accepted by ParseStandard, so by Sensu Go: a dump holding them must load.
		"*-5 * * * *", "@every 0s", "@every -1s", "0,,5 * * * *",
	}
	for _, spec := range valid {
		if err := validCron(spec); err != nil {
			t.Errorf("validCron(%q): %v", spec, err)
		}
	}
	invalid := []string{
		"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 0 *",
		"* * * 13 *", "* * * * 7", "* * * * sunday", "5-1 * * * *", "* * * dec-jan *", "1-2-3 * * * *",
		"*/0 * * * *", "*/x * * * *", "1/2/3 * * * *", "a * * * *", "@every", "@every soon", "@fortnightly",
		"CRON_TZ=Nowhere/City 0 0 * * *", "TZ=UTC",
	}
	for _, spec := range invalid {
		if err := validCron(spec); err == nil {
			t.Errorf("validCron(%q) accepted it; ParseStandard refuses it", spec)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, doc, field, msg string
	}{
		{"not json", `nope`, "", "invalid character"},
		{"truncated", `{"type":"CheckConfig",`, "", "EOF"},
		{"array", `[]`, "", "must be a mapping, not an array"},
		{"unknown top-level key", `{"type":"CheckConfig","kind":"x","spec":{}}`, "kind", "a wrapped resource has only type, api_version, metadata and spec"},
		{"unknown metadata key", `{"type":"CheckConfig","metadata":{"name":"a","nmespace":"b"},"spec":{}}`, "metadata.nmespace", "unknown field"},
		{"metadata not a mapping", `{"type":"CheckConfig","metadata":"a","spec":{}}`, "metadata", "must be a mapping, not a string"},
		{"labels not a mapping", `{"type":"CheckConfig","metadata":{"labels":["a"]},"spec":{}}`, "metadata.labels", "must be a mapping, not an array"},
		{"label not a string", `{"type":"CheckConfig","metadata":{"labels":{"a":1}},"spec":{}}`, "metadata.labels", "must be a string, not a number"},
		{"type missing", `{"spec":{}}`, "type", "is missing"},
		{"type not a string", `{"type":5,"spec":{}}`, "type", "must be a string, not a number"},
		{"unknown type", `{"type":"Check","spec":{}}`, "type", `unknown type "Check"`},
		{"short name as type", `{"type":"checks","spec":{}}`, "type", `unknown type "checks"`},
		{"other api group", `{"type":"CheckConfig","api_version":"core/v3","spec":{}}`, "type", `unsupported api_version "core/v3"`},
		{"spec missing", `{"type":"CheckConfig","metadata":{"name":"a"}}`, "spec", "no spec provided"},
		{"spec null", `{"type":"CheckConfig","spec":null}`, "spec", "no spec provided"},
		{"spec a list", `{"type":"CheckConfig","spec":[]}`, "spec", "must be a mapping of the CheckConfig fields"},
		{"spec a string", `{"type":"CheckConfig","spec":"x"}`, "spec", "must be a mapping"},
		{"interval a string", `{"type":"CheckConfig","spec":{"interval":"60"}}`, "spec.interval", "must be a whole number, not a string"},
		{"interval a fraction", `{"type":"CheckConfig","spec":{"interval":1.5}}`, "spec.interval", "must be a whole number, not a number 1.5"},
		{"interval negative", `{"type":"CheckConfig","spec":{"interval":-1}}`, "spec.interval", "must be a whole number"},
		{"publish a string", `{"type":"CheckConfig","spec":{"publish":"yes"}}`, "spec.publish", "must be true or false, not a string"},
		{"subscriptions a string", `{"type":"CheckConfig","spec":{"subscriptions":"linux"}}`, "spec.subscriptions", "must be a list, not a string"},
		{"nested field", `{"type":"CheckConfig","spec":{"proxy_requests":{"splay":"yes"}}}`, "spec.proxy_requests.splay", "must be true or false"},
		{"type error after unknown field", `{"type":"CheckConfig","spec":{"bogus":1,"interval":"x"}}`, "spec.interval", "must be a whole number"},
		{"event check field", `{"type":"Event","spec":{"check":{"interval":"x"}}}`, "spec.check.interval", "must be a whole number"},
		{"event entity name", `{"type":"Event","spec":{"entity":{"metadata":{"name":5}}}}`, "spec.entity.metadata.name", "must be a string"},
		{"inner metadata", `{"type":"Handler","spec":{"metadata":{"labels":5}}}`, "spec.metadata.labels", "must be a mapping"},
		{"user name differs", `{"type":"User","metadata":{"name":"bob"},"spec":{"username":"alice"}}`, "metadata.name", `"bob" differs from spec.username "alice"`},
		{"namespace name differs", `{"type":"Namespace","metadata":{"name":"a"},"spec":{"name":"b"}}`, "metadata.name", `"a" differs from spec.name "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.doc))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a FieldError", err)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("got field %q message %q, want field %q message containing %q", fe.Field, fe.Msg, tt.field, tt.msg)
			}
			for _, goName := range []string{"CheckSpec", "withMeta", "json:", "Go value"} {
				if strings.Contains(err.Error(), goName) {
					t.Errorf("message %q shows Go internals (%s)", err, goName)
				}
			}
			if tt.field == "" && strings.HasPrefix(err.Error(), ":") {
				t.Errorf("message %q starts with an empty field", err)
			}
		})
	}
}

func TestDecodeWarnings(t *testing.T) {
	d, err := Decode([]byte(`{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x","interval":10,"bogus_field":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"spec.bogus_field: unknown field, ignored"}; !slices.Equal(d.Warnings, want) {
		t.Errorf("warnings %q, want %q", d.Warnings, want)
	}
	c := d.Object.(*CheckConfig)
	if c.Command != "x" || c.Interval != 10 || c.Metadata.Name != "a" {
		t.Errorf("the known fields were not decoded: %+v", c)
	}
	d, err = Decode([]byte(`{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x","interval":10}}`))
	if err != nil || len(d.Warnings) != 0 {
		t.Errorf("clean input: %v, warnings %q", err, d.Warnings)
	}
}

func TestDecodeAPIVersion(t *testing.T) {
	for _, v := range []string{`"api_version":"core/v2",`, ``, `"api_version":"",`} {
		d, err := Decode([]byte(`{"type":"Namespace",` + v + `"spec":{"name":"a"}}`))
		if err != nil || d.Type.FullName() != "core/v2.Namespace" {
			t.Errorf("%s: %v, %v", v, d.Type, err)
		}
	}
}

func TestDecodeMetadata(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want ObjectMeta
	}{
		{"outer only",
			`{"type":"Handler","metadata":{"name":"a","namespace":"n","labels":{"x":"1"},"annotations":{"y":"2"},"created_by":"admin"},"spec":{"type":"set"}}`,
			ObjectMeta{Name: "a", Namespace: "n", Labels: map[string]string{"x": "1"}, Annotations: map[string]string{"y": "2"}, CreatedBy: "admin"}},
		{"inner only",
			`{"type":"Handler","spec":{"type":"set","metadata":{"name":"a","namespace":"n","labels":{"x":"1"}}}}`,
			ObjectMeta{Name: "a", Namespace: "n", Labels: map[string]string{"x": "1"}}},
		{"outer wins, labels and annotations unioned",
			`{"type":"Handler",
			  "metadata":{"name":"outer","namespace":"on","labels":{"a":"outer","b":"outer"},"annotations":{"k":"o"},"created_by":"alice"},
			  "spec":{"type":"set","metadata":{"name":"inner","namespace":"in","labels":{"a":"inner","c":"inner"},"annotations":{"j":"i"},"created_by":"bob"}}}`,
			ObjectMeta{Name: "outer", Namespace: "on", Labels: map[string]string{"a": "outer", "b": "outer", "c": "inner"},
				Annotations: map[string]string{"j": "i", "k": "o"}, CreatedBy: "alice"}},
		{"empty outer keeps inner",
			`{"type":"Handler","metadata":{},"spec":{"type":"set","metadata":{"name":"inner","namespace":"in","created_by":"bob"}}}`,
			ObjectMeta{Name: "inner", Namespace: "in", CreatedBy: "bob"}},
		{"null outer",
			`{"type":"Handler","metadata":null,"spec":{"type":"set","metadata":{"name":"inner"}}}`,
			ObjectMeta{Name: "inner"}},
		{"namespace from spec.name",
			`{"type":"Namespace","spec":{"name":"team-a"}}`, ObjectMeta{Name: "team-a"}},
		{"namespace from metadata.name",
			`{"type":"Namespace","metadata":{"name":"team-a"},"spec":{}}`, ObjectMeta{Name: "team-a"}},
		{"namespace both agree",
			`{"type":"Namespace","metadata":{"name":"team-a"},"spec":{"name":"team-a"}}`, ObjectMeta{Name: "team-a"}},
		{"user from spec.username",
			`{"type":"User","spec":{"username":"alice"}}`, ObjectMeta{Name: "alice"}},
		{"user from metadata.name",
			`{"type":"User","metadata":{"name":"alice"},"spec":{"groups":["ops"]}}`, ObjectMeta{Name: "alice"}},
		{"silenced name derived",
			`{"type":"Silenced","metadata":{"namespace":"default"},"spec":{"subscription":"linux","check":"check-cpu"}}`,
			ObjectMeta{Name: "linux:check-cpu", Namespace: "default"}},
		{"silenced name derived with star",
			`{"type":"Silenced","spec":{"check":"check-cpu"}}`, ObjectMeta{Name: "*:check-cpu"}},
		{"silenced explicit name replaced, as Sensu Go's API does",
			`{"type":"Silenced","metadata":{"name":"x"},"spec":{"check":"check-cpu"}}`, ObjectMeta{Name: "*:check-cpu"}},
		{"event namespace from entity",
			`{"type":"Event","spec":{"entity":{"metadata":{"name":"e","namespace":"team-a"}},"check":{"metadata":{"name":"c"}}}}`,
			ObjectMeta{Namespace: "team-a"}},
		{"event namespace from outer",
			`{"type":"Event","metadata":{"namespace":"team-a"},"spec":{"entity":{"metadata":{"name":"e"}},"check":{"metadata":{"name":"c"}}}}`,
			ObjectMeta{Namespace: "team-a"}},
		{"tessen has none",
			`{"type":"TessenConfig","metadata":{"name":"x","labels":{"a":"b"}},"spec":{"opt_out":true}}`, ObjectMeta{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decode([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Object.Meta(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("metadata %+v, want %+v", got, tt.want)
			}
		})
	}
}

// An event takes its namespace to its entity and check.
func TestEventNamespace(t *testing.T) {
	d, err := Decode([]byte(`{"type":"Event","metadata":{"namespace":"team-a"},"spec":{"entity":{"entity_class":"proxy","metadata":{"name":"e"}},"check":{"metadata":{"name":"c"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	e := d.Object.(*Event)
	if e.Entity.Metadata.Namespace != "team-a" || e.Check.Metadata.Namespace != "team-a" {
		t.Errorf("entity in %q, check in %q", e.Entity.Metadata.Namespace, e.Check.Metadata.Namespace)
	}
	if err := Prepare(d.Type, d.Object, "default"); err != nil {
		t.Fatal(err)
	}
	if got := d.Type.KeyOf(d.Object); got != "/sensu.io/events/team-a/e/c" {
		t.Errorf("key %q", got)
	}

	d, err = Decode([]byte(`{"type":"Event","spec":{"entity":{"entity_class":"proxy","metadata":{"name":"e"}},"check":{"metadata":{"name":"c"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := Prepare(d.Type, d.Object, "dev"); err != nil {
		t.Fatal(err)
	}
	e = d.Object.(*Event)
	if e.Metadata.Namespace != "dev" || e.Entity.Metadata.Namespace != "dev" || e.Check.Metadata.Namespace != "dev" {
		t.Errorf("default namespace not applied to all: %q %q %q", e.Metadata.Namespace, e.Entity.Metadata.Namespace, e.Check.Metadata.Namespace)
	}
}

func TestPrepare(t *testing.T) {
	tests := []struct {
		name, doc, defaultNS string
		wantNS, field        string
	}{
		{"default namespace applied", `{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x","interval":10}}`, "dev", "dev", ""},
		{"own namespace kept", `{"type":"CheckConfig","metadata":{"name":"a","namespace":"ops"},"spec":{"command":"x","interval":10}}`, "dev", "ops", ""},
		{"no default", `{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x","interval":10}}`, "", "", "metadata.namespace"},
		{"cluster-wide stays without", `{"type":"ClusterRole","metadata":{"name":"a"},"spec":{"rules":[{"verbs":["get"],"resources":["*"]}]}}`, "dev", "", ""},
		{"cluster-wide with namespace", `{"type":"ClusterRole","metadata":{"name":"a","namespace":"dev"},"spec":{"rules":[{"verbs":["get"],"resources":["*"]}]}}`, "dev", "", "metadata.namespace"},
		{"api key with namespace", `{"type":"APIKey","metadata":{"name":"` + keyUUID + `","namespace":"dev"},"spec":{"username":"a"}}`, "dev", "", "metadata.namespace"},
		{"namespace ignores metadata.namespace", `{"type":"Namespace","metadata":{"name":"a","namespace":"dev"},"spec":{}}`, "dev", "", ""},
		{"user", `{"type":"User","spec":{"username":"alice"}}`, "dev", "", ""},
		{"tessen", `{"type":"TessenConfig","spec":{}}`, "dev", "", ""},
		{"invalid after defaulting", `{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x"}}`, "dev", "dev", "spec.interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decode([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = Prepare(d.Type, d.Object, tt.defaultNS)
			var fe *FieldError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
				t.Fatalf("got %v, want an error on %s", err, tt.field)
			}
			if got := d.Object.Meta().Namespace; tt.field == "" && got != tt.wantNS {
				t.Errorf("namespace %q, want %q", got, tt.wantNS)
			}
		})
	}
}

func TestSetLabel(t *testing.T) {
	labelled := []Object{
		validCheck(nil), validHandler(nil), validFilter(nil), validMutator(nil), validAsset(nil), validHook(nil),
		validRole(nil), validClusterRole(nil), validRoleBinding(nil), validClusterRoleBinding(nil), validSilenced(nil),
		validEvent(nil), validEntity(nil), validPipeline(nil), validAPIKey(nil),
	}
	for _, o := range labelled {
		SetLabel(o, ManagedByLabel, "sensuctl")
		SetLabel(o, "tier", "web")
		want := map[string]string{ManagedByLabel: "sensuctl", "tier": "web"}
		if got := o.Meta().Labels; !reflect.DeepEqual(got, want) {
			t.Errorf("%T: labels %v, want %v", o, got, want)
		}
	}
	// Types without ObjectMeta in Sensu Go 6 have no labels to stamp.
	for _, o := range []Object{&Namespace{Name: "a"}, validUser(nil), &TessenConfig{}} {
		SetLabel(o, ManagedByLabel, "sensuctl")
		if got := o.Meta().Labels; got != nil {
			t.Errorf("%T: labels %v", o, got)
		}
	}
	// Existing labels are kept, the stamped one replaced.
	c := validCheck(func(c *CheckConfig) { c.Metadata.Labels = map[string]string{"a": "b", ManagedByLabel: "me"} })
	SetLabel(c, ManagedByLabel, "sensuctl")
	if want := map[string]string{"a": "b", ManagedByLabel: "sensuctl"}; !reflect.DeepEqual(c.Meta().Labels, want) {
		t.Errorf("labels %v, want %v", c.Meta().Labels, want)
	}
}

// normJSON decodes JSON into generic values to compare documents.
func normJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sensuDocs reads the wrapped documents of a Sensu Go sample as JSON.
func sensuDocs(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sensu-go", name))
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	if strings.HasSuffix(name, ".json") {
		dec := json.NewDecoder(bytes.NewReader(data))
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				t.Fatal(err)
			}
			docs = append(docs, raw)
		}
		return docs
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			break
		}
		docs = append(docs, marshal(t, v))
	}
	return docs
}

// Sensu's own wrapped documents decode, validate, and wrap back to the
// same document: type, api_version, metadata and every spec field.
func TestSensuSamplesRoundTrip(t *testing.T) {
	for _, name := range []string{"dump-checks-handlers.yaml", "check-info.yaml", "check-list.wrapped.json", "entity-list.wrapped.json"} {
		docs := sensuDocs(t, name)
		if len(docs) == 0 {
			t.Fatalf("%s: no documents", name)
		}
		for i, doc := range docs {
			d, err := Decode(doc)
			if err != nil {
				t.Fatalf("%s #%d: %v", name, i, err)
			}
			if len(d.Warnings) > 0 {
				t.Errorf("%s #%d: warnings %q", name, i, d.Warnings)
			}
			if err := Prepare(d.Type, d.Object, "default"); err != nil {
				t.Errorf("%s #%d: %v", name, i, err)
			}
			stored, err := Encode(d.Object)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeStored(d.Type, stored)
			if err != nil {
				t.Fatal(err)
			}
			w, err := WrapObject(d.Type, back, WrapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := normJSON(t, marshal(t, w)), normJSON(t, doc); !reflect.DeepEqual(got, want) {
				t.Errorf("%s #%d does not round-trip\n got: %s\nwant: %s", name, i, marshal(t, w), doc)
			}
		}
	}
}

// storedSensu are values read from a Sensu Go 6.12 etcd (FACTS §4,
// samples/etcd-values-decoded.txt), one or more per type; the user's
// redacted password hash is replaced by a bcryptHash hash.
var storedSensu = []struct{ typ, value string }{
	{"assets", `{"url":"https://example.invalid/cpu.tar.gz","sha512":"4f926bf4328fbad2b9cac873d117f771914f4b837c9c85584c38ccf55a3ef3c2e8d154812246e5dda4a87450576b2c58ad9ab40c9e2edc31b288d066b195b21b","filters":["entity.system.os == 'linux'"],"builds":null,"metadata":{"name":"sensu-plugins-cpu","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"headers":null}`},
	{"checks", `{"command":"check-cpu.sh -w 75 -c 90","handlers":["slack"],"high_flap_threshold":0,"interval":60,"low_flap_threshold":0,"publish":true,"runtime_assets":null,"subscriptions":["linux"],"proxy_entity_name":"","check_hooks":null,"stdin":false,"subdue":null,"ttl":0,"timeout":10,"round_robin":false,"output_metric_format":"","output_metric_handlers":null,"env_vars":null,"metadata":{"name":"check-cpu","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl","tier":"web"},"created_by":"admin"},"secrets":null,"pipelines":[]}`},
	{"filters", `{"metadata":{"name":"production-only","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"action":"allow","expressions":["event.entity.labels.env == 'production'"],"runtime_assets":null}`},
	{"events", `{"check":{"handlers":["slack"],"high_flap_threshold":0,"interval":60,"low_flap_threshold":0,"publish":false,"runtime_assets":null,"subscriptions":[],"proxy_entity_name":"","check_hooks":null,"stdin":false,"subdue":null,"ttl":0,"timeout":0,"round_robin":false,"executed":0,"history":[{"status":2,"executed":0}],"issued":0,"output":"mysql down","state":"failing","status":2,"total_state_change":0,"last_ok":0,"occurrences":1,"occurrences_watermark":1,"output_metric_format":"","output_metric_handlers":null,"env_vars":null,"metadata":{"name":"check-mysql","namespace":"default","created_by":"admin"},"secrets":null,"is_silenced":false,"scheduler":"","pipelines":[]},"entity":{"entity_class":"proxy","system":{"network":{"interfaces":null},"libc_type":"","vm_system":"","vm_role":"","cloud_provider":"","processes":null},"subscriptions":["linux","entity:db-01"],"last_seen":0,"deregister":false,"deregistration":{},"metadata":{"name":"db-01","namespace":"default","labels":{"env":"production"}},"sensu_agent_version":""},"id":"86f31187-9bbf-4a6d-981d-1f1c9e2183f4","metadata":{"created_by":"admin"},"pipelines":null,"sequence":0,"timestamp":1795465238}`},
	{"handlers", `{"metadata":{"name":"slack","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"type":"pipe","command":"sensu-slack-handler --channel '#monitoring'","timeout":30,"handlers":null,"filters":["is_incident","not_silenced"],"env_vars":null,"runtime_assets":null,"secrets":null}`},
	{"handlers", `{"metadata":{"name":"tcp-sink","namespace":"team-a","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"type":"tcp","timeout":5,"socket":{"host":"127.0.0.1","port":4444},"handlers":null,"filters":null,"env_vars":null,"runtime_assets":null,"secrets":null}`},
	{"hooks", `{"metadata":{"name":"process-tree","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"command":"ps aux","timeout":10,"stdin":false,"runtime_assets":null}`},
	{"mutators", `{"metadata":{"name":"only-check-output","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"timeout":0,"env_vars":null,"runtime_assets":null,"secrets":null,"type":"javascript","eval":"return JSON.stringify({output: event.check.output});"}`},
	{"namespaces", `{"name":"sensu-system"}`},
	{"pipelines", `{"metadata":{"name":"incident-pipeline","namespace":"team-a","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"workflows":[{"name":"slack","filters":[{"name":"is_incident","type":"EventFilter","api_version":"core/v2"}],"handler":{"name":"tcp-sink","type":"Handler","api_version":"core/v2"}}]}`},
	{"clusterrolebindings", `{"subjects":[{"type":"User","name":"alice"}],"role_ref":{"type":"ClusterRole","name":"global-viewer"},"metadata":{"name":"global-viewer-binding","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"}}`},
	{"clusterrolebindings", `{"subjects":[{"type":"Group","name":"system:agents"}],"role_ref":{"type":"ClusterRole","name":"system:agent"},"metadata":{"name":"system:agent"}}`},
	{"clusterroles", `{"rules":[{"verbs":["*"],"resources":["assets","checks","entities","events","filters","handlers","hooks","mutators","silenced","roles","rolebindings"],"resource_names":null},{"verbs":["get","list"],"resources":["namespaces"],"resource_names":null}],"metadata":{"name":"admin"}}`},
	{"clusterroles", `{"rules":[{"verbs":["get","update"],"resources":["localselfuser"],"resource_names":null}],"metadata":{"name":"system:user"}}`},
	{"rolebindings", `{"subjects":[{"type":"Group","name":"ops"}],"role_ref":{"type":"Role","name":"readonly"},"metadata":{"name":"readonly-binding","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"}}`},
	{"roles", `{"rules":[{"verbs":["get","list"],"resources":["events"],"resource_names":null}],"metadata":{"name":"system:pipeline","namespace":"team-a","created_by":"admin"}}`},
	{"silenced", `{"metadata":{"name":"linux:check-cpu","namespace":"default","labels":{"sensu.io/managed_by":"sensuctl"},"created_by":"admin"},"expire":3600,"expire_on_resolve":false,"creator":"admin","check":"check-cpu","reason":"maintenance","subscription":"linux","begin":1795465232,"expire_at":1795468832}`},
	{"tessen", `{"opt_out":true}`},
	{"users", `{"username":"alice","groups":["ops"],"disabled":false,"password_hash":"` + bcryptHash + `"}`},
	{"entities", `{"entity_class":"proxy","system":{"network":{"interfaces":null},"libc_type":"","vm_system":"","vm_role":"","cloud_provider":"","processes":null},"subscriptions":["linux","entity:db-01"],"last_seen":0,"deregister":false,"deregistration":{},"metadata":{"name":"db-01","namespace":"default","labels":{"env":"production"}},"sensu_agent_version":""}`},
}

// A value stored by Sensu Go reads back and encodes to the same JSON, and
// wrapping it, decoding the wrapped form and wrapping again changes
// nothing: a dump restores to what was dumped.
func TestStoredSensuValues(t *testing.T) {
	for _, tt := range storedSensu {
		t.Run(tt.typ, func(t *testing.T) {
			typ := typeNamed(t, tt.typ)
			o, err := DecodeStored(typ, []byte(tt.value))
			if err != nil {
				t.Fatal(err)
			}
			enc, err := Encode(o)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := normJSON(t, enc), normJSON(t, []byte(tt.value)); !reflect.DeepEqual(got, want) {
				t.Errorf("stored value changes on re-encoding\n got: %s\nwant: %s", enc, tt.value)
			}
			w, err := Wrap(typ, []byte(tt.value), WrapOptions{IncludeSecrets: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, has := w.Spec["metadata"]; has {
				t.Error("the wrapped spec keeps its metadata")
			}
			if w.Type != typ.Kind || w.APIVersion != "core/v2" {
				t.Errorf("wrapped as %s %s", w.APIVersion, w.Type)
			}
			d, err := Decode(marshal(t, w))
			if err != nil {
				t.Fatal(err)
			}
			if err := Prepare(d.Type, d.Object, "elsewhere"); err != nil {
				t.Fatalf("the wrapped form does not validate: %v", err)
			}
			if got := typ.KeyOf(d.Object); got != typ.KeyOf(o) {
				t.Errorf("key changed from %s to %s", typ.KeyOf(o), got)
			}
			again, err := WrapObject(d.Type, d.Object, WrapOptions{IncludeSecrets: true})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := normJSON(t, marshal(t, again)), normJSON(t, marshal(t, w)); !reflect.DeepEqual(got, want) {
				t.Errorf("wrap, decode, wrap changes it\n got: %s\nwant: %s", marshal(t, again), marshal(t, w))
			}
		})
	}
}

func TestWrap(t *testing.T) {
	users := typeNamed(t, "users")
	user := []byte(`{"username":"alice","password":"secret","groups":["ops"],"disabled":false,"password_hash":"` + bcryptHash + `"}`)
	w, err := Wrap(users, user, WrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, has := w.Spec["password"]; has {
		t.Error("password exported")
	}
	if _, has := w.Spec["password_hash"]; has {
		t.Error("password_hash exported without IncludeSecrets")
	}
	if w.Metadata.Name != "alice" || w.Spec["username"] != "alice" {
		t.Errorf("user name not mirrored: metadata %+v, spec %v", w.Metadata, w.Spec)
	}
	w, err = Wrap(users, user, WrapOptions{IncludeSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, has := w.Spec["password"]; has {
		t.Error("password exported with IncludeSecrets")
	}
	if w.Spec["password_hash"] != bcryptHash {
		t.Errorf("password_hash %v with IncludeSecrets", w.Spec["password_hash"])
	}

	w, err = Wrap(typeNamed(t, "namespaces"), []byte(`{"name":"team-a"}`), WrapOptions{})
	if err != nil || w.Metadata.Name != "team-a" || w.Spec["name"] != "team-a" {
		t.Errorf("namespace: %+v, %v", w, err)
	}

	// Numbers keep their JSON text.
	w, err = Wrap(typeNamed(t, "silenced"), []byte(`{"metadata":{"name":"a:b","namespace":"n"},"expire_at":17954688320000000001,"begin":1e3}`), WrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := marshal(t, w.Spec); string(got) != `{"begin":1e3,"expire_at":17954688320000000001}` {
		t.Errorf("numbers changed: %s", got)
	}
	if w.Metadata.Name != "a:b" || w.Metadata.Namespace != "n" {
		t.Errorf("metadata %+v", w.Metadata)
	}

	for _, bad := range []string{``, `null`, `[]`, `"x"`, `{`} {
		if _, err := Wrap(users, []byte(bad), WrapOptions{}); err == nil || !strings.Contains(err.Error(), "User") {
			t.Errorf("Wrap(%q): got %v, want an error naming the type", bad, err)
		}
		if _, err := DecodeStored(users, []byte(bad)); err == nil && bad != `null` {
			t.Errorf("DecodeStored(%q) succeeded", bad)
		}
	}
}

func TestWrappedJSONLayout(t *testing.T) {
	w, err := WrapObject(typeNamed(t, "handlers"), validHandler(func(h *Handler) {
		h.Metadata.Labels = map[string]string{"z": "1", "a": "2"}
	}), WrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := string(marshal(t, w))
	want := `{"type":"Handler","api_version":"core/v2","metadata":{"name":"slack","namespace":"default","labels":{"a":"2","z":"1"}},` +
		`"spec":{"command":"sensu-slack-handler","env_vars":null,"filters":null,"handlers":null,"runtime_assets":null,"secrets":null,"timeout":0,"type":"pipe"}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFieldError(t *testing.T) {
	if got := (&FieldError{Field: "spec.x", Msg: "bad"}).Error(); got != "spec.x: bad" {
		t.Errorf("got %q", got)
	}
	if got := (&FieldError{Msg: "bad"}).Error(); got != "bad" {
		t.Errorf("got %q", got)
	}
}

func TestIsBcryptHash(t *testing.T) {
	tests := map[string]bool{
		bcryptHash:              true,
		"$2b$" + bcryptHash[4:]: true,
		"$2y$" + bcryptHash[4:]: true,
		"$2x$" + bcryptHash[4:]: false,
		bcryptHash[:59]:         false,
		bcryptHash + "x":        false,
		"":                      false,
		strings.Repeat("x", 60): false,
	}
	for s, want := range tests {
		if got := IsBcryptHash(s); got != want {
			t.Errorf("IsBcryptHash(%q) = %v", s, got)
		}
	}
}

// The Encoder writes exactly what Encode writes, for events that share an
// entity (encoded once) and for every shape of the fields around it.
func TestEncoderMatchesEncode(t *testing.T) {
	var stored Event
	for _, tt := range storedSensu {
		if tt.typ == "events" {
			if err := json.Unmarshal([]byte(tt.value), &stored); err != nil {
				t.Fatal(err)
			}
		}
	}
	shared := &Entity{EntityClass: "agent", Subscriptions: []string{"linux", "entity:web-1"}, LastSeen: 1795465238}
	shared.Metadata = ObjectMeta{Name: "web-1", Namespace: "default", Labels: map[string]string{"tier": "<web> & \"db\""}}
	check := func(name string, status uint32) *Check {
		c := &Check{Status: status, Output: "line 1\n<b>\u2028 & \"quoted\"", Executed: 1795465238,
			History: []CheckHistory{{Status: 0, Executed: 1795465178}, {Status: status, Executed: 1795465238}}}
		c.Metadata = ObjectMeta{Name: name, Namespace: "default"}
		return c
	}
	objects := []Object{
		shared,
		&Event{Timestamp: 1795465238, Entity: shared, Check: check("cpu", 0), ID: "86f31187-9bbf-4a6d-981d-1f1c9e2183f4"},
		&Event{Timestamp: -1, Entity: shared, Check: check("disk", 2), Metadata: ObjectMeta{Namespace: "default"}},
		&Event{Entity: shared, Metrics: json.RawMessage(`{ "points": [ ] }`), Sequence: 7,
			Pipelines: []ResourceReference{{Name: "p", Type: "Pipeline", APIVersion: "core/v2"}}},
		&Event{Entity: &Entity{EntityClass: "proxy"}, Check: nil},
		&Event{Check: check("no-entity", 1)},
		&stored,
		&stored, // its entity is known now
	}
	// eventTail must stay Event's fields after Entity, tags included.
	ev, tail := reflect.TypeFor[Event](), reflect.TypeFor[eventTail]()
	for i := range tail.NumField() {
		f, g := tail.Field(i), ev.Field(i+2)
		if f.Name != g.Name || f.Type != g.Type || f.Tag != g.Tag {
			t.Errorf("eventTail field %d is %s %s %q, Event's is %s %s %q", i, f.Name, f.Type, f.Tag, g.Name, g.Type, g.Tag)
		}
	}
	if ev.Field(1).Name != "Entity" || ev.NumField() != tail.NumField()+2 {
		t.Errorf("Event has %d fields, eventTail %d: they must be Timestamp, Entity and eventTail's", ev.NumField(), tail.NumField())
	}
	enc := NewEncoder()
	for i, o := range objects {
		want, err := Encode(o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := enc.Encode(o)
		if err != nil {
			t.Fatalf("object %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("object %d:\n got: %s\nwant: %s", i, got, want)
		}
	}
	if len(enc.entities) != 3 {
		t.Errorf("the encoder knows %d entities, want 3 (shared, the proxy, the stored event's)", len(enc.entities))
	}
}
