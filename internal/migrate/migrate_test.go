package migrate_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/migrate"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1config"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/resource"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

// Unit tests of Translate on the consistent pair of fixtures:
// testdata/sensu1/config/07-synthetic-server and the Redis state of
// populate_redis.sh (see its header for the scenario).

// fixtureNow is the NOW of populate_redis.sh, as in redis_keys.txt: every
// timestamp in the data is relative to it (TTLs count from the wall clock).
const fixtureNow = 1700000000

const namespace = "legacy"

var fixture07 = filepath.Join("..", "..", "testdata", "sensu1", "config", "07-synthetic-server")

// fixture is fixture 07 and its Redis state, translated.
type fixture struct {
	in   migrate.Input
	snap *sensu1redis.Snapshot
	plan *migrate.Plan
	// populated bounds the wall-clock time of populate_redis.sh, which
	// started the Redis TTLs.
	populatedFrom, populatedTo time.Time
	// translated is the Now of the translation.
	translated time.Time
}

// clientDirs are the client configuration directories of fixture 07.
var clientDirs = []string{"db-01", "web-01", "win-01"}

func loadFixture07(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{}
	server, warnings, err := sensu1config.Load(sensu1config.Options{
		ConfigFile: filepath.Join(fixture07, "server", "config.json"),
		ConfigDirs: []string{filepath.Join(fixture07, "server", "conf.d")},
	})
	if err != nil {
		t.Fatalf("load the server configuration: %v (warnings %v)", err, warnings)
	}
	f.in.Server = server
	for _, c := range clientDirs {
		dir := filepath.Join(fixture07, "clients", c, "conf.d")
		s, _, err := sensu1config.Load(sensu1config.Options{ConfigDirs: []string{dir}})
		if err != nil {
			t.Fatalf("load %s: %v", dir, err)
		}
		f.in.Clients = append(f.in.Clients, migrate.ClientConfig{Source: dir, Settings: s})
	}

	r := testutil.StartRedis(t)
	f.populatedFrom = time.Now()
	testutil.PopulateSensu1(t, r, fixtureNow)
	f.populatedTo = time.Now()
	f.snap, err = sensu1redis.Read(testutil.Ctx(t, time.Minute), sensu1redis.Options{URL: r.URL()})
	if err != nil {
		t.Fatalf("read the fixture's Redis: %v", err)
	}
	f.in.Redis = f.snap
	f.translated = time.Now()
	f.plan, err = migrate.Translate(f.in, migrate.Options{Namespace: namespace, Now: f.translated})
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	return f
}

// find returns the planned resource of a kind (CheckConfig, Event, …) and
// store name ("check-disk", "web-01/check-disk"), failing the test if there
// is none.
func find[T resource.Object](t *testing.T, p *migrate.Plan, kind, name string) T {
	t.Helper()
	for _, r := range p.Resources {
		if r.Type.Kind == kind && resource.StoreName(r.Object) == name {
			o, ok := r.Object.(T)
			if !ok {
				t.Fatalf("%s %s is a %T", kind, name, r.Object)
			}
			if ns := r.Object.Meta().Namespace; r.Type.Namespaced && ns != namespace {
				t.Errorf("%s %s is in namespace %q, want %q", kind, name, ns, namespace)
			}
			return o
		}
	}
	t.Fatalf("no %s %s in the plan; it has: %s", kind, name, strings.Join(planned(p, kind), ", "))
	var zero T
	return zero
}

// planned lists the store names of the planned resources of a kind.
func planned(p *migrate.Plan, kind string) []string {
	var names []string
	for _, r := range p.Resources {
		if r.Type.Kind == kind {
			names = append(names, resource.StoreName(r.Object))
		}
	}
	slices.Sort(names)
	return names
}

// item returns the report item of a kind and source.
func item(t *testing.T, r *migrate.Report, kind, source string) migrate.Item {
	t.Helper()
	for _, it := range r.Items {
		if it.Kind == kind && it.Source == source {
			return it
		}
	}
	var have []string
	for _, it := range r.Items {
		if it.Kind == kind {
			have = append(have, it.Source)
		}
	}
	t.Fatalf("no report item %s %q; items of that kind: %q", kind, source, have)
	return migrate.Item{}
}

func notesContain(it migrate.Item, s string) bool {
	for _, n := range it.Notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func TestMigrateFixture07(t *testing.T) {
	f := loadFixture07(t)
	p := f.plan

	t.Run("namespace", func(t *testing.T) {
		ns := find[*resource.Namespace](t, p, "Namespace", namespace)
		if ns.Name != namespace {
			t.Errorf("namespace %+v", ns)
		}
		if p.Resources[0].Type.Kind != "Namespace" {
			t.Errorf("the namespace is not planned first: %s", p.Resources[0].Type.Kind)
		}
	})

	t.Run("every planned resource is valid", func(t *testing.T) {
		seen := map[string]bool{}
		for _, r := range p.Resources {
			key := r.Type.KeyOf(r.Object)
			if seen[key] {
				t.Errorf("%s planned twice", key)
			}
			seen[key] = true
			if err := r.Object.Validate(); err != nil {
				t.Errorf("%s: %v", key, err)
			}
			if len(r.Sources) == 0 || r.Sources[0] == "" {
				t.Errorf("%s has no source", key)
			}
		}
	})

	t.Run("checks", func(t *testing.T) {
		want := []string{"check-cert-expiry", "check-cpu", "check-disk", "check-http-frontend", "check-mysql-replication", "check-nginx",
			"check-ntp", "check-ping-proxies", "check-snmp-if", "check-windows-disk", "check-windows-service", "metrics-cpu"}
		if got := planned(p, "CheckConfig"); !reflect.DeepEqual(got, want) {
			t.Errorf("checks: got %q, want %q", got, want)
		}

		// roundrobin:X is subscription X with round_robin.
		http := find[*resource.CheckConfig](t, p, "CheckConfig", "check-http-frontend")
		if !http.RoundRobin || !reflect.DeepEqual(http.Subscriptions, []string{"webserver"}) {
			t.Errorf("check-http-frontend: round_robin %v subscriptions %q, want true [webserver]", http.RoundRobin, http.Subscriptions)
		}
		if it := item(t, p.Report, "check", "checks.check-http-frontend"); it.Outcome != migrate.TranslatedWithChanges || !notesContain(it, "roundrobin:webserver") {
			t.Errorf("check-http-frontend's report item does not explain the round robin: %+v", it)
		}
		snmp := find[*resource.CheckConfig](t, p, "CheckConfig", "check-snmp-if")
		if !snmp.RoundRobin || !reflect.DeepEqual(snmp.Subscriptions, []string{"snmp_pollers"}) || snmp.ProxyEntityName != "switch-x" {
			t.Errorf("check-snmp-if: round_robin %v subscriptions %q proxy_entity_name %q, want true [snmp_pollers] switch-x",
				snmp.RoundRobin, snmp.Subscriptions, snmp.ProxyEntityName)
		}
		cpu := find[*resource.CheckConfig](t, p, "CheckConfig", "check-cpu")
		if cpu.RoundRobin || !reflect.DeepEqual(cpu.Subscriptions, []string{"linux"}) || cpu.Interval != 60 || !cpu.Publish ||
			cpu.Command != "check-cpu.rb -w 80 -c 90" || !reflect.DeepEqual(cpu.Handlers, []string{"default"}) {
			t.Errorf("check-cpu: %+v", cpu.CheckSpec)
		}
		if it := item(t, p.Report, "check", "checks.check-cpu"); it.Outcome != migrate.Translated {
			t.Errorf("check-cpu needs no change: %+v", it)
		}

		// Standalone checks of a client run on its entity subscription.
		for _, name := range []string{"check-windows-disk", "check-windows-service"} {
			c := find[*resource.CheckConfig](t, p, "CheckConfig", name)
			if !reflect.DeepEqual(c.Subscriptions, []string{"entity:win-01"}) || c.RoundRobin {
				t.Errorf("%s: subscriptions %q, want [entity:win-01]", name, c.Subscriptions)
			}
			item(t, p.Report, "check", "client win-01 checks."+name)
		}
		if svc := find[*resource.CheckConfig](t, p, "CheckConfig", "check-windows-service"); svc.Ttl != 600 || svc.Interval != 60 {
			t.Errorf("check-windows-service: ttl %d interval %d, want 600 60", svc.Ttl, svc.Interval)
		}

		// Tokens become Go templates over the entity.
		disk := find[*resource.CheckConfig](t, p, "CheckConfig", "check-disk")
		if want := `check-disk-usage.rb -w {{ index .labels "disk.warning" | default "80" }} -c {{ index .labels "disk.critical" | default "90" }}`; disk.Command != want {
			t.Errorf("check-disk command:\n got %s\nwant %s", disk.Command, want)
		}
		if disk.Metadata.Annotations["fatigue_check/occurrences"] != "3" || disk.Metadata.Annotations["fatigue_check/interval"] != "1800" {
			t.Errorf("check-disk: occurrences and refresh should become the fatigue check annotations: %v", disk.Metadata.Annotations)
		}
		mysql := find[*resource.CheckConfig](t, p, "CheckConfig", "check-mysql-replication")
		if want := `check-mysql-replication-status.rb --user sensu --password {{ index .labels "mysql.password" }}`; mysql.Command != want {
			t.Errorf("check-mysql-replication command:\n got %s\nwant %s", mysql.Command, want)
		}
		if !reflect.DeepEqual(mysql.Handlers, []string{"pagerduty"}) {
			t.Errorf("check-mysql-replication: handler pagerduty became %q", mysql.Handlers)
		}
		if m := find[*resource.CheckConfig](t, p, "CheckConfig", "metrics-cpu"); m.Command != "metrics-cpu.rb --scheme {{ .name }}.cpu" {
			t.Errorf("metrics-cpu command: %s", m.Command)
		}

		// proxy_requests: client_attributes become entity_attributes; eval: value =~ /re/ a JavaScript test.
		ping := find[*resource.CheckConfig](t, p, "CheckConfig", "check-ping-proxies")
		if ping.ProxyRequests == nil {
			t.Fatalf("check-ping-proxies has no proxy_requests")
		}
		if pr := ping.ProxyRequests; !pr.Splay || pr.SplayCoverage != 90 ||
			!slices.Contains(pr.EntityAttributes, `/^switch-/.test(entity.metadata.name)`) ||
			!slices.Contains(pr.EntityAttributes, `entity.entity_class == "proxy"`) {
			t.Errorf("check-ping-proxies proxy_requests: %+v", pr)
		}
		if ping.Ttl != 600 || ping.Command != `check-ping.rb -h {{ index .labels "address" }} -c 5` {
			t.Errorf("check-ping-proxies: ttl %d command %s", ping.Ttl, ping.Command)
		}
		// Attributes without a Sensu Go field are kept in the annotation.
		var kept map[string]any
		if err := json.Unmarshal([]byte(ping.Metadata.Annotations["sensu.io.json_attributes"]), &kept); err != nil {
			t.Fatalf("check-ping-proxies json_attributes annotation: %v", err)
		}
		if _, ok := kept["ttl_status"]; !ok {
			t.Errorf("ttl_status is not kept: %v", kept)
		}
		if _, ok := kept["dependencies"]; !ok {
			t.Errorf("dependencies are not kept: %v", kept)
		}
		cert := find[*resource.CheckConfig](t, p, "CheckConfig", "check-cert-expiry")
		if a := cert.Metadata.Annotations["sensu.io.json_attributes"]; !strings.Contains(a, `"auto_resolve":false`) || !strings.Contains(a, `"subdue"`) {
			t.Errorf("check-cert-expiry: auto_resolve and subdue should be kept in the annotation: %q", a)
		}
	})

	t.Run("hooks", func(t *testing.T) {
		nginx := find[*resource.CheckConfig](t, p, "CheckConfig", "check-nginx")
		want := []resource.HookList{{Type: "non-zero", Hooks: []string{"check-nginx-non-zero"}}}
		if !reflect.DeepEqual(nginx.CheckHooks, want) {
			t.Errorf("check-nginx check_hooks: %+v, want %+v", nginx.CheckHooks, want)
		}
		if nginx.LowFlapThreshold != 20 || nginx.HighFlapThreshold != 60 {
			t.Errorf("check-nginx flap thresholds %d/%d, want 20/60", nginx.LowFlapThreshold, nginx.HighFlapThreshold)
		}
		h := find[*resource.HookConfig](t, p, "HookConfig", "check-nginx-non-zero")
		if h.Command != "ps aux | grep [n]ginx" || h.Timeout != 10 || h.Stdin {
			t.Errorf("hook check-nginx-non-zero: %+v", h)
		}
		it := item(t, p.Report, "hook", "checks.check-nginx.hooks.non-zero")
		if it.Outcome != migrate.Translated || !slices.Contains(it.Resources, "core/v2.HookConfig "+namespace+"/check-nginx-non-zero") {
			t.Errorf("hook item: %+v", it)
		}
		if got := planned(p, "HookConfig"); len(got) != 1 {
			t.Errorf("hooks: %q, want only check-nginx-non-zero", got)
		}
	})

	t.Run("handlers", func(t *testing.T) {
		want := []string{"default", "deregister_client", "graphite", "keepalive", "logstash", "mailer", "pagerduty", "registration", "slack"}
		if got := planned(p, "Handler"); !reflect.DeepEqual(got, want) {
			t.Errorf("handlers: got %q, want %q (events_archive is a transport handler)", got, want)
		}
		// A transport handler has no equivalent; its definition is kept in the report.
		it := item(t, p.Report, "handler", "handlers.events_archive")
		if it.Outcome != migrate.NoEquivalent || it.Content == nil || len(it.Resources) != 0 {
			t.Errorf("events_archive: %+v", it)
		}

		// 1.x handles incidents only (is_incident), except for metric checks;
		// severities, handle_silenced and handle_flapping become filters
		// after the handler's own.
		filters := map[string][]string{
			"mailer":    {"is_incident", "production", "mailer-severities", "not_silenced", "sensu1-not-flapping"}, // "occurrences" is a 1.x extension
			"pagerduty": {"is_incident", "recurrences", "pagerduty-severities", "not_silenced", "sensu1-not-flapping"},
			"slack":     {"is_incident", "not_staging", "not_silenced"}, // handle_flapping: true
			"graphite":  {"not_silenced", "sensu1-not-flapping"},        // the handler of metrics-cpu
		}
		for name, want := range filters {
			h := find[*resource.Handler](t, p, "Handler", name)
			if !reflect.DeepEqual(h.Filters, want) {
				t.Errorf("handler %s filters: %q, want %q", name, h.Filters, want)
			}
		}
		mailer := find[*resource.Handler](t, p, "Handler", "mailer")
		if mailer.Type != "pipe" || mailer.Command != "handler-mailer.rb" || mailer.Timeout != 30 {
			t.Errorf("mailer: %+v", mailer)
		}
		if it := item(t, p.Report, "handler", "handlers.mailer"); it.Outcome != migrate.TranslatedWithChanges || !notesContain(it, "occurrences") {
			t.Errorf("mailer's report item should explain the dropped occurrences filter: %+v", it)
		}
		pd := find[*resource.Handler](t, p, "Handler", "pagerduty")
		if pd.Mutator != "pd_context" {
			t.Errorf("pagerduty mutator %q", pd.Mutator)
		}
		if it := item(t, p.Report, "handler", "handlers.pagerduty"); !notesContain(it, "check_dependencies") || !notesContain(it, "recurrences") {
			t.Errorf("pagerduty's report item should name check_dependencies and the untranslated recurrences filter: %+v", it)
		}
		set := find[*resource.Handler](t, p, "Handler", "default")
		if set.Type != "set" || !reflect.DeepEqual(set.Handlers, []string{"mailer", "slack"}) {
			t.Errorf("default: %+v", set)
		}
		graphite := find[*resource.Handler](t, p, "Handler", "graphite")
		if graphite.Type != "tcp" || graphite.Socket == nil || *graphite.Socket != (resource.HandlerSocket{Host: "graphite.example.com", Port: 2003}) ||
			graphite.Mutator != "only_check_output" || graphite.Timeout != 5 {
			t.Errorf("graphite: %+v socket %+v", graphite, graphite.Socket)
		}
		logstash := find[*resource.Handler](t, p, "Handler", "logstash")
		if logstash.Type != "udp" || logstash.Socket == nil || *logstash.Socket != (resource.HandlerSocket{Host: "logstash.example.com", Port: 5514}) {
			t.Errorf("logstash: %+v", logstash)
		}

		// The filters the handler attributes became.
		sev := map[string][]string{"mailer-severities": {"0", "1", "2"}, "pagerduty-severities": {"0", "2"}}
		for name, codes := range sev {
			f := find[*resource.EventFilter](t, p, "EventFilter", name)
			if f.Action != "allow" || len(f.Expressions) != 1 {
				t.Fatalf("%s: %+v", name, f)
			}
			for _, c := range []string{"0", "1", "2"} {
				if has := strings.Contains(f.Expressions[0], "s == "+c); has != slices.Contains(codes, c) {
					t.Errorf("%s: status %s passes: %v, want %v (%s)", name, c, has, !has, f.Expressions[0])
				}
			}
			if !strings.Contains(f.Expressions[0], "history") {
				t.Errorf("%s: resolutions pass when the history had a listed severity, as in 1.x: %s", name, f.Expressions[0])
			}
		}
		nf := find[*resource.EventFilter](t, p, "EventFilter", "sensu1-not-flapping")
		if nf.Action != "deny" || !reflect.DeepEqual(nf.Expressions, []string{`event.check.state == "flapping"`}) {
			t.Errorf("sensu1-not-flapping: %+v", nf)
		}
	})

	t.Run("filters", func(t *testing.T) {
		want := []string{"mailer-severities", "not_staging", "pagerduty-severities", "production", "sensu1-not-flapping"}
		if got := planned(p, "EventFilter"); !reflect.DeepEqual(got, want) {
			t.Errorf("filters: got %q, want %q", got, want)
		}
		prod := find[*resource.EventFilter](t, p, "EventFilter", "production")
		if prod.Action != "allow" || !reflect.DeepEqual(prod.Expressions, []string{`event.entity.metadata.labels["environment"] == "production"`}) {
			t.Errorf("production: %+v", prod)
		}
		// negate: true is a deny filter.
		ns := find[*resource.EventFilter](t, p, "EventFilter", "not_staging")
		if ns.Action != "deny" || !reflect.DeepEqual(ns.Expressions, []string{`event.entity.metadata.labels["environment"] == "staging"`}) {
			t.Errorf("not_staging: %+v", ns)
		}
		// Ruby expressions that are no simple comparison are not guessed at.
		for _, name := range []string{"recurrences", "state_change_only", "business_hours"} {
			it := item(t, p.Report, "filter", "filters."+name)
			if it.Outcome != migrate.NoEquivalent || it.Content == nil || !notesContain(it, "Ruby expression") {
				t.Errorf("%s: %+v", name, it)
			}
		}
		if it := item(t, p.Report, "filter", "filters.business_hours"); !notesContain(it, "when") {
			t.Errorf("business_hours: the time window is not mentioned: %+v", it)
		}
	})

	t.Run("mutators and extensions", func(t *testing.T) {
		m := find[*resource.Mutator](t, p, "Mutator", "pd_context")
		if m.Command != "mutator-pagerduty-context.rb" || m.Timeout != 10 {
			t.Errorf("pd_context: %+v", m)
		}
		if it := item(t, p.Report, "extension", "extensions.system-profile"); it.Outcome != migrate.NoEquivalent || it.Content == nil {
			t.Errorf("extension: %+v", it)
		}
	})

	t.Run("entities", func(t *testing.T) {
		want := []string{"db-01", "legacy-app-01", "switch-x", "web-01", "win-01"}
		if got := planned(p, "Entity"); !reflect.DeepEqual(got, want) {
			t.Errorf("entities: got %q, want every client %q", got, want)
		}
		classes := map[string]string{"db-01": "agent", "web-01": "agent", "win-01": "agent", "switch-x": "proxy", "legacy-app-01": "proxy"}
		for name, class := range classes {
			e := find[*resource.Entity](t, p, "Entity", name)
			if e.EntityClass != class {
				t.Errorf("%s: entity_class %q, want %q", name, e.EntityClass, class)
			}
			if !slices.Contains(e.Subscriptions, "entity:"+name) || slices.Contains(e.Subscriptions, "client:"+name) {
				t.Errorf("%s: subscriptions %q: client:%s becomes entity:%s", name, e.Subscriptions, name, name)
			}
			if e.SensuAgentVersion != "1.9.0" {
				t.Errorf("%s: sensu_agent_version %q", name, e.SensuAgentVersion)
			}
			it := item(t, p.Report, "client", "client:"+name)
			if !slices.Contains(it.Keys, "client:"+name) {
				t.Errorf("%s: the client item does not name its key: %+v", name, it)
			}
		}
		web := find[*resource.Entity](t, p, "Entity", "web-01")
		if want := []string{"linux", "webserver", "snmp_pollers", "entity:web-01"}; !reflect.DeepEqual(web.Subscriptions, want) {
			t.Errorf("web-01 subscriptions %q, want %q (roundrobin: prefixes dropped, duplicates merged)", web.Subscriptions, want)
		}
		wantLabels := map[string]string{"address": "10.0.1.11", "environment": "production", "disk.warning": "75", "disk.critical": "85", "mysql.user": "sensu"}
		if !reflect.DeepEqual(web.Metadata.Labels, wantLabels) {
			t.Errorf("web-01 labels %v, want %v", web.Metadata.Labels, wantLabels)
		}
		if !reflect.DeepEqual(web.KeepaliveHandlers, []string{"pagerduty", "slack"}) || web.LastSeen != fixtureNow-8 {
			t.Errorf("web-01: keepalive_handlers %q last_seen %d", web.KeepaliveHandlers, web.LastSeen)
		}
		win := find[*resource.Entity](t, p, "Entity", "win-01")
		if !win.Deregister || win.Deregistration.Handler != "deregister_client" {
			t.Errorf("win-01: deregister %v deregistration %+v", win.Deregister, win.Deregistration)
		}
	})

	t.Run("events", func(t *testing.T) {
		// Every result is an event; so is every stored event.
		var want []string
		for _, r := range f.snap.Results {
			want = append(want, r.Client+"/"+r.Check)
		}
		for _, e := range f.snap.Events {
			if !slices.Contains(want, e.Client+"/"+e.Check) {
				want = append(want, e.Client+"/"+e.Check)
			}
		}
		slices.Sort(want)
		if len(want) != 18 {
			t.Fatalf("the fixture has 18 results, the snapshot %d: %q", len(want), want)
		}
		if got := planned(p, "Event"); !reflect.DeepEqual(got, want) {
			t.Errorf("events: got %q, want %q", got, want)
		}

		type ev struct {
			status               uint32
			state                string
			executed             int64
			occurrences, wm      int64
			history              []uint32
			lastOK               int64
			silenced             []string
			id                   string // "" for a result without a stored event
			totalStateChange     uint32 // of the stored event's check
			hasTotalStateChange  bool
			interval             uint32
			output               string // prefix
			entityClass, proxyOf string
		}
		zeros := func(n int) []uint32 { return make([]uint32, n) }
		cases := map[string]ev{
			// warning ×4, silenced by *:check-disk
			"web-01/check-disk": {status: 1, state: "failing", executed: fixtureNow - 20, occurrences: 4, wm: 4,
				history: append(zeros(17), 1, 1, 1, 1), lastOK: fixtureNow - 260, silenced: []string{"*:check-disk"},
				id: "7c2b5b1e-1f0a-4c1d-9a53-0d2f8e6b4a11", totalStateChange: 5, hasTotalStateChange: true, interval: 60, output: "CheckDisk WARNING"},
			// flapping, occurrences 1, watermark 3
			"web-01/check-nginx": {status: 2, state: "flapping", executed: fixtureNow - 5, occurrences: 1, wm: 3,
				history: []uint32{0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 2, 0, 2, 2, 0, 2, 0, 2, 0, 2}, lastOK: fixtureNow - 35,
				id: "0e9d3f4a-8b7c-4e21-b6a0-5c3d2e1f0a99", totalStateChange: 69, hasTotalStateChange: true, interval: 30, output: "CheckProcess CRITICAL"},
			// TTL event: 7 statuses, 30 s apart
			"web-01/backup-job": {status: 1, state: "failing", executed: fixtureNow - 90240, occurrences: 4, wm: 4,
				history: []uint32{0, 0, 0, 1, 1, 1, 1}, lastOK: fixtureNow - 90240, id: "c4e8a2d6-93b1-4f7a-a0e5-2b6d8f1c3e77",
				hasTotalStateChange: true, interval: 30, output: "Last check execution was 90240 seconds ago"},
			"db-01/keepalive": {status: 2, state: "failing", executed: fixtureNow - 10, occurrences: 3, wm: 3,
				history: append(zeros(16), 1, 1, 2, 2, 2), lastOK: fixtureNow - 160, id: "9b0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d",
				totalStateChange: 11, hasTotalStateChange: true, output: "No keepalive sent from client for 240 seconds"},
			// unknown (unmatched token), never OK
			"db-01/check-mysql-replication": {status: 3, state: "failing", executed: fixtureNow - 262, occurrences: 2880, wm: 2880,
				history: []uint32{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, id: "5d6e7f80-9a1b-4c2d-8e3f-405162738495",
				hasTotalStateChange: true, interval: 30, output: "Unmatched client token(s): mysql.password"},
			// silenced by the client's silence, client:win-01:* → entity:win-01:*
			"win-01/check-windows-disk": {status: 1, state: "failing", executed: fixtureNow - 45, occurrences: 2, wm: 2,
				history: append(zeros(19), 1, 1), lastOK: fixtureNow - 645, silenced: []string{"entity:win-01:*"},
				id: "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7", totalStateChange: 5, hasTotalStateChange: true, interval: 300, output: "CheckWindowsDisk WARNING"},
			// proxy client event
			"switch-x/check-snmp-if": {status: 2, state: "failing", executed: fixtureNow - 15, occurrences: 2, wm: 2,
				history: append(zeros(19), 2, 2), lastOK: fixtureNow - 135, id: "2f3e4d5c-6b7a-4980-a1b2-c3d4e5f60718",
				totalStateChange: 5, hasTotalStateChange: true, interval: 60, output: "CRITICAL: eth0 is down", entityClass: "proxy", proxyOf: "switch-x"},
			// results without an event: passing; occurrences are the run of equal statuses at the end
			"web-01/check-cpu": {status: 0, state: "passing", executed: fixtureNow - 40, occurrences: 4, wm: 4,
				history: append(append(zeros(11), 2, 2, 2, 2, 2, 2), 0, 0, 0, 0), lastOK: fixtureNow - 40, interval: 60, output: "CheckCPU TOTAL OK"},
			"db-01/check-ntp": {status: 0, state: "passing", executed: fixtureNow - 290, occurrences: 21, wm: 21,
				history: zeros(21), lastOK: fixtureNow - 290, interval: 300, output: "NTP OK"},
			"win-01/check-windows-service": {status: 0, state: "passing", executed: fixtureNow - 50, occurrences: 21, wm: 21,
				history: zeros(21), lastOK: fixtureNow - 50, interval: 60, output: "CheckWindowsService OK"},
			"web-01/metrics-cpu": {status: 0, state: "passing", executed: fixtureNow - 3, occurrences: 21, wm: 21,
				history: zeros(21), lastOK: fixtureNow - 3, interval: 10, output: "web-01.cpu.total.user 812"},
		}
		for name, want := range cases {
			t.Run(name, func(t *testing.T) {
				e := find[*resource.Event](t, p, "Event", name)
				c := e.Check
				if c.Status != want.status || c.State != want.state {
					t.Errorf("status %d state %q, want %d %q", c.Status, c.State, want.status, want.state)
				}
				if c.Executed != want.executed || c.Issued != want.executed {
					t.Errorf("executed %d issued %d, want %d", c.Executed, c.Issued, want.executed)
				}
				if e.Timestamp < c.Executed {
					t.Errorf("the event's timestamp %d is before its check's execution %d", e.Timestamp, c.Executed)
				}
				if c.Occurrences != want.occurrences || c.OccurrencesWatermark != want.wm {
					t.Errorf("occurrences %d watermark %d, want %d %d", c.Occurrences, c.OccurrencesWatermark, want.occurrences, want.wm)
				}
				// History: 1.x's statuses, with executed back-filled one
				// interval apart up to the last execution (keepalives have
				// no interval: only the order is checked).
				if len(c.History) != len(want.history) {
					t.Fatalf("history %+v, want statuses %v", c.History, want.history)
				}
				for i, h := range c.History {
					if h.Status != want.history[i] {
						t.Errorf("history[%d] = %+v, want status %d", i, h, want.history[i])
					}
					switch {
					case want.interval > 0:
						if wantExec := want.executed - int64(len(want.history)-1-i)*int64(want.interval); h.Executed != wantExec {
							t.Errorf("history[%d] = %+v, want executed %d", i, h, wantExec)
						}
					case i > 0 && h.Executed <= c.History[i-1].Executed:
						t.Errorf("history[%d] = %+v is not after history[%d] = %+v", i, h, i-1, c.History[i-1])
					}
				}
				if last := c.History[len(c.History)-1]; last.Executed != c.Executed {
					t.Errorf("the last history entry %+v is not the last execution %d", last, c.Executed)
				}
				if c.LastOK != want.lastOK {
					t.Errorf("last_ok %d, want %d", c.LastOK, want.lastOK)
				}
				if c.IsSilenced != (len(want.silenced) > 0) || !reflect.DeepEqual(c.Silenced, want.silenced) {
					t.Errorf("is_silenced %v silenced %q, want %q", c.IsSilenced, c.Silenced, want.silenced)
				}
				if want.id != "" && string(e.ID) != want.id {
					t.Errorf("id %q, want the stored event's %q", e.ID, want.id)
				}
				if want.hasTotalStateChange && c.TotalStateChange != want.totalStateChange {
					t.Errorf("total_state_change %d, want the stored event's %d", c.TotalStateChange, want.totalStateChange)
				}
				if !strings.HasPrefix(c.Output, want.output) {
					t.Errorf("output %q, want it to start with %q", c.Output, want.output)
				}
				client, check, _ := strings.Cut(name, "/")
				if c.Metadata.Name != check || e.Entity == nil || e.Entity.Metadata.Name != client {
					t.Fatalf("event %s is of check %q, entity %+v", name, c.Metadata.Name, e.Entity)
				}
				if want.entityClass != "" && e.Entity.EntityClass != want.entityClass {
					t.Errorf("entity_class %q, want %q", e.Entity.EntityClass, want.entityClass)
				}
				if c.ProxyEntityName != want.proxyOf {
					t.Errorf("proxy_entity_name %q, want %q", c.ProxyEntityName, want.proxyOf)
				}
			})
		}

		// IDs: stored events keep theirs, the others get a stable one.
		ids := map[string]string{}
		for _, r := range p.Resources {
			if e, ok := r.Object.(*resource.Event); ok {
				if prev, dup := ids[string(e.ID)]; dup {
					t.Errorf("events %s and %s share the id %s", prev, resource.StoreName(e), e.ID)
				}
				ids[string(e.ID)] = resource.StoreName(e)
			}
		}
		again, err := migrate.Translate(f.in, migrate.Options{Namespace: namespace, Now: f.translated})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"web-01/check-cpu", "win-01/keepalive"} {
			if a, b := find[*resource.Event](t, p, "Event", name).ID, find[*resource.Event](t, again, "Event", name).ID; a != b || a == "" {
				t.Errorf("%s: ids %q and %q: a rerun must write the same event", name, a, b)
			}
		}
	})

	// auto_resolve: false left the stored event of the last failure (one
	// hour old) while the newer latest result is OK: the newer wins, and the
	// event says so consistently (status, output, time and occurrences of
	// that result), keeping the stored event's id.
	t.Run("auto_resolve false: stored event older than the result", func(t *testing.T) {
		e := find[*resource.Event](t, p, "Event", "web-01/check-cert-expiry")
		c := e.Check
		if c.Status != 0 || c.State != "passing" || !strings.HasPrefix(c.Output, "check_ssl_cert OK") {
			t.Errorf("status %d state %q output %q, want the OK result", c.Status, c.State, c.Output)
		}
		if c.Executed != fixtureNow-30 || e.Timestamp != fixtureNow-30 {
			t.Errorf("executed %d timestamp %d, want both %d (the result's; the stored event is from %d)",
				c.Executed, e.Timestamp, fixtureNow-30, fixtureNow-3630)
		}
		if c.Occurrences != 1 {
			t.Errorf("occurrences %d, want 1: the first OK after a run of criticals (the stored event's 15 counted the criticals)", c.Occurrences)
		}
		if c.OccurrencesWatermark < c.Occurrences {
			t.Errorf("occurrences_watermark %d < occurrences %d", c.OccurrencesWatermark, c.Occurrences)
		}
		wantHistory := []uint32{0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0}
		var got []uint32
		for _, h := range c.History {
			got = append(got, h.Status)
		}
		if !reflect.DeepEqual(got, wantHistory) {
			t.Errorf("history %v, want the result's %v", got, wantHistory)
		}
		if c.LastOK != fixtureNow-30 {
			t.Errorf("last_ok %d, want %d", c.LastOK, fixtureNow-30)
		}
		if e.ID != "3a1f9e07-5d2b-4b8e-8f6c-71e0c9d4b2aa" {
			t.Errorf("id %s, want the stored event's", e.ID)
		}
		it := item(t, p.Report, "event", "web-01/check-cert-expiry")
		if !slices.Contains(it.Keys, "events:web-01") || !slices.Contains(it.Keys, "result:web-01:check-cert-expiry") || !notesContain(it, "stored event") {
			t.Errorf("the report item should name both sources and say which was used: %+v", it)
		}
	})

	t.Run("silences", func(t *testing.T) {
		want := []string{"*:check-disk", "entity:win-01:*", "linux:check-ntp"}
		if got := planned(p, "Silenced"); !reflect.DeepEqual(got, want) {
			t.Errorf("silences: got %q, want %q", got, want)
		}
		// The Redis TTL started when populate_redis.sh ran: the entry expires
		// at that time plus the TTL, never earlier, at most a few seconds later.
		checkExpiry := func(name string, ttl time.Duration, s *resource.Silenced) {
			t.Helper()
			earliest, latest := f.populatedFrom.Add(ttl).Unix(), f.populatedTo.Add(ttl+11*time.Second).Unix()
			if s.ExpireAt < earliest || s.ExpireAt > latest {
				t.Errorf("%s: expire_at %d, want between %d and %d (TTL %s set while populating)", name, s.ExpireAt, earliest, latest, ttl)
			}
			if s.Expire != s.ExpireAt-s.Begin {
				t.Errorf("%s: expire %d is not expire_at %d - begin %d", name, s.Expire, s.ExpireAt, s.Begin)
			}
		}
		disk := find[*resource.Silenced](t, p, "Silenced", "*:check-disk")
		if disk.Subscription != "" || disk.Check != "check-disk" || disk.Creator != "alice" || disk.Reason != "disk cleanup in progress" ||
			!disk.ExpireOnResolve || disk.Begin != fixtureNow-3600 {
			t.Errorf("*:check-disk: %+v (begin null: the creation time %d)", disk, fixtureNow-3600)
		}
		checkExpiry("*:check-disk", 82800*time.Second, disk)

		win := find[*resource.Silenced](t, p, "Silenced", "entity:win-01:*")
		if win.Subscription != "entity:win-01" || win.Check != "" || win.Expire != -1 || win.ExpireAt != 0 || win.ExpireOnResolve || win.Creator != "bob" {
			t.Errorf("entity:win-01:*: %+v, want subscription entity:win-01 that never expires", win)
		}
		if it := item(t, p.Report, "silence", "silence:client:win-01:*"); !slices.Contains(it.Resources, "core/v2.Silenced "+namespace+"/entity:win-01:*") {
			t.Errorf("silence:client:win-01:*: %+v", it)
		}

		ntp := find[*resource.Silenced](t, p, "Silenced", "linux:check-ntp")
		if ntp.Subscription != "linux" || ntp.Check != "check-ntp" || ntp.Begin != fixtureNow+7200 || ntp.Creator != "carol" {
			t.Errorf("linux:check-ntp: %+v (begins at %d)", ntp, fixtureNow+7200)
		}
		checkExpiry("linux:check-ntp", 10800*time.Second, ntp)
	})

	t.Run("stashes, aggregates and dangling members are reported", func(t *testing.T) {
		for _, path := range []string{"deploy/web-01", "silence/legacy-app-01", "silence/web-01/check-nginx"} {
			it := item(t, p.Report, "stash", "stash:"+path)
			if it.Outcome != migrate.NoEquivalent || it.Content == nil || !slices.Contains(it.Keys, "stash:"+path) {
				t.Errorf("stash %s: %+v", path, it)
			}
			if legacy := strings.HasPrefix(path, "silence/"); legacy != notesContain(it, "silence") {
				t.Errorf("stash %s: a stash-based silence (%v) should be pointed out: %q", path, legacy, it.Notes)
			}
		}
		for _, name := range []string{"check-http-frontend", "linux_baseline", "ntp"} {
			it := item(t, p.Report, "aggregate", "aggregates:"+name)
			if it.Outcome != migrate.NoEquivalent || it.Content == nil || !slices.Contains(it.Keys, "aggregates:"+name) {
				t.Errorf("aggregate %s: %+v", name, it)
			}
		}
		dangling := map[string]string{
			"aggregates:ntp decom-02:check-ntp":            "result:decom-02:check-ntp",
			"servers 1b2c3d4e-0000-4000-8000-aaaaaaaaaaaa": "server:1b2c3d4e-0000-4000-8000-aaaaaaaaaaaa",
			"silenced silence:old-sub:*":                   "silence:old-sub:*",
			"stashes maintenance/expired":                  "stash:maintenance/expired",
			"ttl decom-02:check-foo":                       "result:decom-02:check-foo",
		}
		var got []string
		for _, it := range p.Report.Items {
			if it.Kind == "dangling" {
				got = append(got, it.Source)
			}
		}
		if len(got) != len(dangling) {
			t.Errorf("dangling items %q, want %d", got, len(dangling))
		}
		for source, missing := range dangling {
			if it := item(t, p.Report, "dangling", source); it.Outcome != migrate.NoEquivalent || !notesContain(it, missing) {
				t.Errorf("dangling %s: %+v, want a note naming %s", source, it, missing)
			}
		}
		for _, key := range []string{"transport:0:list:keepalives", "tessen:install_id", "lock:task:client_monitor", "servers"} {
			if it := item(t, p.Report, "key", key); it.Outcome != migrate.NoEquivalent {
				t.Errorf("key %s: %+v", key, it)
			}
		}
	})

	t.Run("the report accounts for every Redis key", func(t *testing.T) {
		accounted := map[string]int{}
		for _, it := range p.Report.Items {
			for _, k := range it.Keys {
				accounted[k]++
			}
		}
		fixtureKeys := readFixtureKeys(t)
		if len(fixtureKeys) != 95 {
			t.Fatalf("redis_keys.txt has %d keys, want 95", len(fixtureKeys))
		}
		for _, k := range fixtureKeys {
			if accounted[k] == 0 {
				t.Errorf("key %s of redis_keys.txt is in no report item", k)
			}
		}
		for _, k := range f.snap.Keys {
			if accounted[k.Key] == 0 {
				t.Errorf("key %s (%s) read from Redis is in no report item", k.Key, k.Category)
			}
		}
		for k := range accounted {
			if !slices.Contains(fixtureKeys, k) {
				t.Errorf("the report names key %s, which is not in redis_keys.txt", k)
			}
		}
		// Every key is in exactly one item, except events:<client>, which
		// holds one event per check.
		for k, n := range accounted {
			if n > 1 && !strings.HasPrefix(k, "events:") {
				t.Errorf("key %s is in %d report items", k, n)
			}
		}
	})

	t.Run("the report accounts for every configuration definition", func(t *testing.T) {
		want := map[string]string{} // source → kind
		for _, cat := range sensu1config.Categories {
			for _, d := range f.in.Server.Definitions(cat) {
				want[cat+"."+d.Name] = strings.TrimSuffix(cat, "s")
			}
		}
		for scope := range f.in.Server.Data {
			if !slices.Contains(sensu1config.Categories, scope) {
				want[scope] = "scope"
			}
		}
		want["checks.check-nginx.hooks.non-zero"] = "hook"
		for _, c := range f.in.Clients {
			for _, d := range c.Settings.Definitions("checks") {
				want["client "+c.Settings.Client()["name"].(string)+" checks."+d.Name] = "check"
			}
		}
		if len(want) < 35 {
			t.Fatalf("only %d definitions found in the fixture: %v", len(want), want)
		}
		for source, kind := range want {
			it := item(t, p.Report, kind, source)
			if it.Outcome == migrate.Invalid {
				t.Errorf("%s %s is invalid: %q", kind, source, it.Notes)
			}
		}
	})

	// A client's configuration directory defines the client (client.json),
	// not only standalone checks: the report must say what became of that
	// definition (ClientConfig.Source names it) even when the Redis registry
	// has the same client and wins, e.g. that web-01's mysql.password, which
	// the registry holds REDACTED, was not taken from the directory.
	t.Run("the report accounts for every client configuration directory", func(t *testing.T) {
		for _, c := range f.in.Clients {
			mentioned := false
			for _, it := range p.Report.Items {
				if strings.Contains(it.Source, c.Source) || slices.Contains(it.Keys, c.Source) || notesContain(it, c.Source) {
					mentioned = true
				}
			}
			if !mentioned {
				t.Errorf("no report item mentions the client configuration %s (client %v)", c.Source, c.Settings.Client()["name"])
			}
		}
	})

	t.Run("report items and summary", func(t *testing.T) {
		outcomes := []string{migrate.Translated, migrate.TranslatedWithChanges, migrate.NoEquivalent, migrate.Invalid}
		counts := map[string]*migrate.SummaryRow{}
		for _, it := range p.Report.Items {
			if !slices.Contains(outcomes, it.Outcome) {
				t.Errorf("item %s %s: outcome %q", it.Kind, it.Source, it.Outcome)
			}
			if it.Outcome == migrate.Invalid {
				t.Errorf("fixture 07 is valid, yet %s %s is invalid: %q", it.Kind, it.Source, it.Notes)
			}
			if it.Outcome == migrate.TranslatedWithChanges && len(it.Notes) == 0 {
				t.Errorf("item %s %s changed without a note", it.Kind, it.Source)
			}
			if it.Outcome == migrate.NoEquivalent && len(it.Notes) == 0 {
				t.Errorf("item %s %s has no equivalent and no reason", it.Kind, it.Source)
			}
			row := counts[it.Kind]
			if row == nil {
				row = &migrate.SummaryRow{Kind: it.Kind}
				counts[it.Kind] = row
			}
			switch it.Outcome {
			case migrate.Translated:
				row.Translated++
			case migrate.TranslatedWithChanges:
				row.TranslatedWithChanges++
			case migrate.NoEquivalent:
				row.NoEquivalent++
			default:
				row.Invalid++
			}
		}
		if len(p.Report.Summary) != len(counts) {
			t.Errorf("summary has %d kinds, items %d", len(p.Report.Summary), len(counts))
		}
		for _, row := range p.Report.Summary {
			if c := counts[row.Kind]; c == nil || *c != row {
				t.Errorf("summary row %+v, items count %+v", row, c)
			}
		}
		// Every planned resource but the namespace comes from some item.
		fromItems := map[string]bool{}
		for _, it := range p.Report.Items {
			for _, r := range it.Resources {
				fromItems[r] = true
			}
		}
		for _, r := range p.Resources {
			name := resource.StoreName(r.Object)
			ref := fmt.Sprintf("%s %s/%s", r.Type.FullName(), namespace, name)
			if r.Type.Kind != "Namespace" && !fromItems[ref] && !strings.HasSuffix(name, "-severities") && name != "sensu1-not-flapping" {
				t.Errorf("planned %s is named by no report item", ref)
			}
		}
	})
}

// readFixtureKeys returns the keys of testdata/sensu1/redis_keys.txt.
func readFixtureKeys(t *testing.T) []string {
	t.Helper()
	fh, err := os.Open(filepath.Join("..", "..", "testdata", "sensu1", "redis_keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var keys []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			key, _, _ := strings.Cut(line, "\t")
			keys = append(keys, key)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestMigrateSilenceExpiryIsStable translates the same silence read at
// different moments of its life: its Redis TTL counts down as the wall clock
// advances, so the expiry (read time + TTL) is one instant, and a rerun must
// plan the same expire_at, or it would rewrite every silence. It must not be
// earlier than 1.x's expiry either.
func TestMigrateSilenceExpiryIsStable(t *testing.T) {
	const base = 1800000000 // a multiple of 10 s
	expiry := time.Unix(base, 0).Add(10*time.Second + 100*time.Millisecond)
	reads := []time.Duration{200 * time.Millisecond, 900 * time.Millisecond, time.Second, 1500 * time.Millisecond, 4 * time.Second}
	var first int64
	for i, after := range reads {
		now := time.Unix(base, 0).Add(after)
		snap := &sensu1redis.Snapshot{Silences: []sensu1redis.Silence{{
			ID:   "*:check-x",
			Data: map[string]any{"id": "*:check-x", "subscription": nil, "check": "check-x", "begin": nil, "timestamp": json.Number(fmt.Sprint(base - 60))},
			TTL:  expiry.Sub(now),
		}}}
		p, err := migrate.Translate(migrate.Input{Redis: snap}, migrate.Options{Namespace: namespace, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		s := find[*resource.Silenced](t, p, "Silenced", "*:check-x")
		if time.Unix(s.ExpireAt, 0).Before(expiry) {
			t.Errorf("read at base+%s with TTL %s: expire_at %s is before the Redis expiry %s",
				after, expiry.Sub(now), time.Unix(s.ExpireAt, 0).UTC().Format(time.RFC3339), expiry.UTC().Format(time.RFC3339Nano))
		}
		if i == 0 {
			first = s.ExpireAt
		} else if s.ExpireAt != first {
			t.Errorf("read at base+%s with TTL %s: expire_at %d, but %d when read at base+%s: a rerun would rewrite the silence",
				after, expiry.Sub(now), s.ExpireAt, first, reads[0])
		}
	}
}

// TestMigrateDefinitions translates small configurations written for one
// rule each.
func TestMigrateDefinitions(t *testing.T) {
	dir := t.TempDir()
	conf := `{
  "checks": {
    "to-one-client": {"command": "true", "interval": 60, "subscribers": ["client:db-01", "linux", "client:db-01"]},
    "rr": {"command": "true", "interval": 60, "subscribers": ["roundrobin:pollers"]},
    "standalone-on-server": {"command": "true", "interval": 60, "standalone": true}
  },
  "filters": {
    "high-occurrences": {"attributes": {"occurrences": "eval: value > 2"}},
    "not-low": {"negate": true, "attributes": {"check": {"status": "eval: value <= 1"}}},
    "named": {"attributes": {"client": {"name": "eval: value == 'db-01'"}}},
    "prefix": {"attributes": {"check": {"output": "eval: value =~ /^CRIT/"}}},
    "ruby": {"attributes": {"check": {"output": "eval: value.size > 10"}}}
  }
}`
	if err := os.WriteFile(filepath.Join(dir, "conf.json"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _, err := sensu1config.Load(sensu1config.Options{ConfigDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := migrate.Translate(migrate.Input{Server: s}, migrate.Options{Namespace: namespace, Now: time.Unix(fixtureNow, 0)})
	if err != nil {
		t.Fatal(err)
	}

	c := find[*resource.CheckConfig](t, p, "CheckConfig", "to-one-client")
	if want := []string{"entity:db-01", "linux"}; !reflect.DeepEqual(c.Subscriptions, want) || c.RoundRobin {
		t.Errorf("client:db-01 subscriber: subscriptions %q, want %q", c.Subscriptions, want)
	}
	rr := find[*resource.CheckConfig](t, p, "CheckConfig", "rr")
	if !rr.RoundRobin || !reflect.DeepEqual(rr.Subscriptions, []string{"pollers"}) {
		t.Errorf("roundrobin:pollers: round_robin %v subscriptions %q", rr.RoundRobin, rr.Subscriptions)
	}
	// Only a client runs a standalone check: defined on the server alone, it
	// has no subscription, and the report says so.
	sa := find[*resource.CheckConfig](t, p, "CheckConfig", "standalone-on-server")
	if len(sa.Subscriptions) != 0 {
		t.Errorf("standalone-on-server: subscriptions %q", sa.Subscriptions)
	}
	if it := item(t, p.Report, "check", "checks.standalone-on-server"); !notesContain(it, "standalone") {
		t.Errorf("standalone-on-server: %+v", it)
	}

	filters := map[string]struct {
		action string
		expr   string
	}{
		"high-occurrences": {"allow", "event.check.occurrences > 2"},
		"not-low":          {"deny", "event.check.status <= 1"},
		"named":            {"allow", `event.entity.metadata.name == "db-01"`},
		"prefix":           {"allow", "/^CRIT/.test(event.check.output)"},
	}
	for name, want := range filters {
		f := find[*resource.EventFilter](t, p, "EventFilter", name)
		if f.Action != want.action || !reflect.DeepEqual(f.Expressions, []string{want.expr}) {
			t.Errorf("filter %s: %s %q, want %s [%s]", name, f.Action, f.Expressions, want.action, want.expr)
		}
	}
	if it := item(t, p.Report, "filter", "filters.ruby"); it.Outcome != migrate.NoEquivalent || len(planned(p, "EventFilter")) != len(filters) {
		t.Errorf("a Ruby expression that is no simple comparison has no equivalent: %+v; filters %q", it, planned(p, "EventFilter"))
	}
}
