// Command resgen writes a realistic Sensu data set for the resource dump and
// restore benchmark (bench/resources.sh): multi-document YAML in the wrapped
// type/api_version/metadata/spec format that 'sensuctl restore' and
// 'sensuctl create' read and Sensu Go's 'sensuctl dump' writes.
//
//	go run ./bench/resgen -o big.yaml                # the full set
//	go run ./bench/resgen -scale 0.25 -o quarter.yaml
//	go run ./bench/resgen -checks 100 -entities 100 -handlers 50 -events 20
//
// At -scale 1 it is the set Sensu Go 6.12 was measured with: 10 namespaces,
// 8,000 CheckConfigs, 8,000 Entities and 4,000 Handlers spread evenly over
// the namespaces, plus 2,000 Events (one for each of the first 2,000 entities,
// for a check of the entity's namespace). -scale multiplies the resource
// counts; the number of namespaces stays as given. Explicit counts win over
// -scale.
//
// Documents come in Sensu's dump order: namespaces first, then checks,
// entities, events and handlers. Checks name handlers of their namespace,
// agent entities carry system information (hostname, OS, platform, network
// interfaces with addresses), and events embed their entity and check with a
// result (status, output, a history of a few runs). The output depends only
// on the flags (-seed picks the variations).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Base counts, at -scale 1.
const (
	baseChecks   = 8000
	baseEntities = 8000
	baseHandlers = 4000
	baseEvents   = 2000
)

// Counts is the size of a data set.
type Counts struct {
	Namespaces, Checks, Entities, Handlers, Events int
}

func (c Counts) total() int {
	return c.Namespaces + c.Checks + c.Entities + c.Handlers + c.Events
}

func main() {
	scale := flag.Float64("scale", 1, "multiplies the base counts (8000 checks, 8000 entities, 4000 handlers, 2000 events)")
	namespaces := flag.Int("namespaces", 10, "namespaces (not scaled)")
	checks := flag.Int("checks", -1, "CheckConfigs (default: 8000 × scale)")
	entities := flag.Int("entities", -1, "Entities (default: 8000 × scale)")
	handlers := flag.Int("handlers", -1, "Handlers (default: 4000 × scale)")
	events := flag.Int("events", -1, "Events, one per entity for the first entities (default: 2000 × scale, at most -entities)")
	seed := flag.Uint64("seed", 1, "seed of the variations")
	out := flag.String("o", "-", "output file, - for stdout")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(2, "unexpected arguments: %v", flag.Args())
	}
	if *scale <= 0 {
		fail(2, "-scale must be greater than 0")
	}
	scaled := func(n, base int) int {
		if n >= 0 {
			return n
		}
		return int(float64(base)**scale + 0.5)
	}
	c := Counts{
		Namespaces: *namespaces,
		Checks:     scaled(*checks, baseChecks),
		Entities:   scaled(*entities, baseEntities),
		Handlers:   scaled(*handlers, baseHandlers),
		Events:     scaled(*events, baseEvents),
	}
	if c.Namespaces < 1 {
		fail(2, "-namespaces must be at least 1")
	}
	if c.Events > c.Entities {
		if *events >= 0 {
			fail(2, "-events (%d) cannot exceed -entities (%d): one event per entity", c.Events, c.Entities)
		}
		c.Events = c.Entities
	}
	if c.Events > 0 && c.Checks < c.Namespaces {
		fail(2, "events need a check in every namespace: -checks must be at least -namespaces")
	}

	var w io.Writer = os.Stdout
	var f *os.File
	if *out != "-" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fail(1, "%v", err)
		}
		w = f
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	if err := generate(bw, c, *seed); err != nil {
		fail(1, "%v", err)
	}
	if err := bw.Flush(); err != nil {
		fail(1, "%v", err)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			fail(1, "%v", err)
		}
	}
	fmt.Fprintf(os.Stderr, "resgen: %d resources (%d namespaces, %d checks, %d entities, %d events, %d handlers), %d bytes\n",
		c.total(), c.Namespaces, c.Checks, c.Entities, c.Events, c.Handlers, cw.n)
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "resgen: "+format+"\n", args...)
	os.Exit(code)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// doc is one wrapped resource; maps come out with sorted keys, as in Sensu
// Go's dumps.
type doc struct {
	Type       string         `yaml:"type"`
	APIVersion string         `yaml:"api_version"`
	Metadata   map[string]any `yaml:"metadata"`
	Spec       map[string]any `yaml:"spec"`
}

type m = map[string]any

// namespaceNames are the first namespaces; more are ns-NN.
var namespaceNames = []string{"production", "staging", "development", "payments", "platform", "data", "team-a", "team-b", "team-c", "edge"}

func nsName(i int) string {
	if i < len(namespaceNames) {
		return namespaceNames[i]
	}
	return fmt.Sprintf("ns-%02d", i)
}

// spread gives the i-th of n items to a namespace and its index there.
func spread(i, namespaces int) (ns, local int) { return i % namespaces, i / namespaces }

type gen struct {
	c   Counts
	rnd *rand.Rand
	w   io.Writer
	n   int // documents written
	// handlerNames[ns] are the handlers of a namespace, for checks to name.
	handlerNames [][]string
	// checks[ns] are the checks of a namespace, for events.
	checks [][]m
	// entities are kept (spec and metadata) for the events.
	entities []entityDoc
}

type entityDoc struct {
	ns       int
	name     string
	metadata m
	spec     m
}

func generate(w io.Writer, c Counts, seed uint64) error {
	g := &gen{c: c, rnd: rand.New(rand.NewPCG(seed, 0x5e25)), w: w}
	fmt.Fprintf(w, "# bench/resgen: %d resources: %d namespaces, %d checks, %d entities, %d events, %d handlers (seed %d)\n",
		c.total(), c.Namespaces, c.Checks, c.Entities, c.Events, c.Handlers, seed)

	g.handlerNames = make([][]string, c.Namespaces)
	for i := range c.Handlers {
		ns, local := spread(i, c.Namespaces)
		g.handlerNames[ns] = append(g.handlerNames[ns], handlerName(local))
	}
	g.checks = make([][]m, c.Namespaces)

	for i := range c.Namespaces {
		if err := g.put("Namespace", m{}, m{"name": nsName(i)}); err != nil {
			return err
		}
	}
	for i := range c.Checks {
		ns, local := spread(i, c.Namespaces)
		md, spec := g.check(ns, local)
		g.checks[ns] = append(g.checks[ns], m{"metadata": md, "spec": spec})
		if err := g.put("CheckConfig", md, spec); err != nil {
			return err
		}
	}
	for i := range c.Entities {
		ns, local := spread(i, c.Namespaces)
		e := g.entity(ns, local)
		if i < c.Events {
			g.entities = append(g.entities, e)
		}
		if err := g.put("Entity", e.metadata, e.spec); err != nil {
			return err
		}
	}
	for i := range c.Events {
		md, spec := g.event(i, g.entities[i])
		if err := g.put("Event", md, spec); err != nil {
			return err
		}
	}
	for i := range c.Handlers {
		ns, local := spread(i, c.Namespaces)
		md, spec := g.handler(ns, local)
		if err := g.put("Handler", md, spec); err != nil {
			return err
		}
	}
	return nil
}

// put writes one document. Each has its own encoder: one yaml.v3 Encoder
// for the whole stream keeps every document in memory.
func (g *gen) put(kind string, md, spec m) error {
	var buf bytes.Buffer
	if g.n > 0 {
		buf.WriteString("---\n")
	}
	g.n++
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc{Type: kind, APIVersion: "core/v2", Metadata: md, Spec: spec}); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := g.w.Write(buf.Bytes())
	return err
}

func (g *gen) pick(list ...string) string { return list[g.rnd.IntN(len(list))] }

func (g *gen) chance(p float64) bool { return g.rnd.Float64() < p }

// checkTemplate is one kind of check, with its usual command.
type checkTemplate struct {
	name, command string
	subscription  string
	assets        []string
	metrics       bool
	envVars       []string
	secrets       []m
}

var checkTemplates = []checkTemplate{
	{name: "cpu", command: "check-cpu-usage -w 75 -c 90 --interval 1", subscription: "linux", assets: []string{"sensu/check-cpu-usage:0.2.2"}},
	{name: "memory", command: "check-memory-usage -w 80 -c 95", subscription: "linux", assets: []string{"sensu/check-memory-usage:0.2.2"}},
	{name: "disk", command: "check-disk-usage -w {{ .labels.disk_warning | default 85 }} -c {{ .labels.disk_critical | default 95 }} --exclude-fs-type tmpfs,overlay,squashfs", subscription: "linux", assets: []string{"sensu/check-disk-usage:0.6.0"}},
	{name: "load", command: "check-load.rb -w 4,3,2 -c 8,6,4 --per-core", subscription: "linux", assets: []string{"sensu-plugins/sensu-plugins-load-checks:5.0.0", "sensu/sensu-ruby-runtime:0.1.0"}},
	{name: "ntp", command: "check-ntp.rb -w 1 -c 2 --unsynced-status critical", subscription: "linux", assets: []string{"sensu-plugins/sensu-plugins-ntp:3.1.0", "sensu/sensu-ruby-runtime:0.1.0"}},
	{name: "http", command: `http-check --url "https://{{ .labels.fqdn | default \"localhost\" }}/health" --timeout 10 --expected-status 200`, subscription: "web", assets: []string{"sensu/http-checks:0.7.0"}},
	{name: "nginx-process", command: "check-process.rb -p nginx -W 1 -C 1 -t 'master process'", subscription: "web", assets: []string{"sensu-plugins/sensu-plugins-process-checks:4.1.0", "sensu/sensu-ruby-runtime:0.1.0"}},
	{name: "postgres-alive", command: "check-postgres-alive.rb -h $PG_HOST -u sensu -d postgres -P 5432", subscription: "postgres", assets: []string{"sensu-plugins/sensu-plugins-postgres:4.2.0", "sensu/sensu-ruby-runtime:0.1.0"},
		envVars: []string{"PG_HOST=127.0.0.1", "PGCONNECT_TIMEOUT=5"}, secrets: []m{{"name": "PGPASSWORD", "secret": "postgres-sensu-password"}}},
	{name: "redis-ping", command: "check-redis-ping.rb -h localhost -p 6379", subscription: "redis", assets: []string{"sensu-plugins/sensu-plugins-redis:4.1.0", "sensu/sensu-ruby-runtime:0.1.0"}},
	{name: "metrics-cpu", command: "system-profile-linux --interval 1", subscription: "linux", assets: []string{"sensu/system-profile-linux:0.2.0"}, metrics: true},
	{name: "metrics-netif", command: "metrics-netif.rb --scheme {{ .name }}.netif", subscription: "linux", assets: []string{"sensu-plugins/sensu-plugins-network-checks:5.0.0", "sensu/sensu-ruby-runtime:0.1.0"}, metrics: true},
	{name: "tls-cert", command: "check-ssl-cert.rb -c 7 -w 21 -h {{ .labels.fqdn | default \"localhost\" }} -p 443", subscription: "web", assets: []string{"sensu-plugins/sensu-plugins-ssl:3.0.1", "sensu/sensu-ruby-runtime:0.1.0"}},
}

var tiers = []string{"web", "db", "cache", "app", "worker", "lb"}

func handlerName(local int) string {
	kinds := []string{"slack", "pagerduty", "email", "logstash", "statsd", "notify-all", "jira", "influxdb"}
	return fmt.Sprintf("%s-%03d", kinds[local%len(kinds)], local/len(kinds))
}

func checkName(local int) string {
	t := checkTemplates[local%len(checkTemplates)]
	return fmt.Sprintf("check-%s-%04d", t.name, local/len(checkTemplates))
}

func (g *gen) check(ns, local int) (m, m) {
	t := checkTemplates[local%len(checkTemplates)]
	name := checkName(local)
	tier := tiers[local%len(tiers)]
	labels := m{"tier": tier, "team": nsName(ns), "sensu.io/managed_by": "sensuctl"}
	if g.chance(0.3) {
		labels["severity"] = g.pick("page", "ticket", "info")
	}
	md := m{"name": name, "namespace": nsName(ns), "labels": labels, "created_by": "admin"}
	if g.chance(0.5) {
		md["annotations"] = m{
			"runbook":         "https://wiki.example.com/runbooks/" + t.name,
			"sensu.io/plugin": t.assets[0],
		}
	}

	var handlers []any
	if hs := g.handlerNames[ns]; len(hs) > 0 && !t.metrics {
		for n := 1 + g.rnd.IntN(2); n > 0; n-- {
			h := hs[g.rnd.IntN(len(hs))]
			if len(handlers) == 0 || handlers[0] != h {
				handlers = append(handlers, h)
			}
		}
	}
	if handlers == nil {
		handlers = []any{}
	}
	interval := []int{10, 30, 60, 60, 60, 300}[g.rnd.IntN(6)]
	spec := m{
		"check_hooks":            nil,
		"command":                t.command,
		"env_vars":               nil,
		"handlers":               handlers,
		"high_flap_threshold":    0,
		"interval":               interval,
		"low_flap_threshold":     0,
		"output_metric_format":   "",
		"output_metric_handlers": nil,
		"pipelines":              []any{},
		"proxy_entity_name":      "",
		"publish":                true,
		"round_robin":            false,
		"runtime_assets":         strs(t.assets),
		"secrets":                nil,
		"stdin":                  false,
		"subdue":                 nil,
		"subscriptions":          []any{t.subscription, tier},
		"timeout":                []int{10, 20, 30}[g.rnd.IntN(3)],
		"ttl":                    0,
	}
	if t.metrics {
		spec["output_metric_format"] = "influxdb_line"
		if hs := g.handlerNames[ns]; len(hs) > 0 {
			spec["output_metric_handlers"] = []any{hs[g.rnd.IntN(len(hs))]}
		}
		spec["output_metric_tags"] = []any{m{"name": "namespace", "value": nsName(ns)}, m{"name": "entity", "value": "{{ .name }}"}}
	}
	if t.envVars != nil {
		spec["env_vars"] = strs(t.envVars)
	}
	if t.secrets != nil {
		spec["secrets"] = toAny(t.secrets)
	}
	switch {
	case local%20 == 19: // a few run on a schedule
		spec["interval"] = 0
		spec["cron"] = g.pick("*/5 * * * *", "0 */6 * * *", "CRON_TZ=Europe/Paris 30 2 * * *")
	case g.chance(0.2):
		spec["ttl"] = interval*3 + 30
	}
	if g.chance(0.25) {
		spec["high_flap_threshold"], spec["low_flap_threshold"] = 60, 20
	}
	if g.chance(0.1) {
		spec["check_hooks"] = []any{m{"critical": []any{"process-tree", "dmesg-tail"}}, m{"warning": []any{"process-tree"}}}
	}
	if g.chance(0.05) {
		spec["round_robin"] = true
		spec["proxy_requests"] = m{"entity_attributes": []any{`entity.entity_class == "proxy"`, `entity.labels.tier == "` + tier + `"`}, "splay": true, "splay_coverage": 90}
	}
	return md, spec
}

var platforms = []struct{ platform, family, version, kernel string }{
	{"ubuntu", "debian", "22.04", "5.15.0-112-generic"},
	{"ubuntu", "debian", "24.04", "6.8.0-45-generic"},
	{"debian", "debian", "12.6", "6.1.0-23-amd64"},
	{"rocky", "rhel", "9.4", "5.14.0-427.13.1.el9_4.x86_64"},
	{"centos", "rhel", "7.9.2009", "3.10.0-1160.119.1.el7.x86_64"},
	{"amazon", "rhel", "2023", "6.1.97-104.177.amzn2023.x86_64"},
}

var redact = []any{"password", "passwd", "pass", "api_key", "api_token", "access_key", "secret_key", "private_key", "secret"}

func (g *gen) entity(ns, local int) entityDoc {
	tier := tiers[local%len(tiers)]
	host := fmt.Sprintf("%s-%05d", tier, local)
	name := host + "." + nsName(ns) + ".example.com"
	region := g.pick("eu-west-1", "eu-central-1", "us-east-1", "us-west-2")
	labels := m{"env": nsName(ns), "region": region, "role": tier, "fqdn": name}
	if tier == "db" {
		labels["disk_warning"] = "80"
	}
	md := m{"name": name, "namespace": nsName(ns), "labels": labels}
	if g.chance(0.3) {
		md["annotations"] = m{"owner": nsName(ns) + "-oncall@example.com", "cmdb_id": fmt.Sprintf("CI%07d", g.rnd.IntN(10000000))}
	}
	subs := []any{"linux", tier, "entity:" + name}
	switch tier {
	case "db":
		subs = append(subs, "postgres")
	case "cache":
		subs = append(subs, "redis")
	}
	spec := m{
		"deregister":          false,
		"deregistration":      m{},
		"entity_class":        "agent",
		"last_seen":           1754000000 + local*7 + ns,
		"redact":              redact,
		"sensu_agent_version": "6.12.0",
		"subscriptions":       subs,
		"user":                "agent",
	}
	if local%25 == 24 { // a few proxy entities: no agent, no system information
		spec["entity_class"] = "proxy"
		spec["last_seen"] = 0
		spec["sensu_agent_version"] = ""
		spec["subscriptions"] = []any{"entity:" + name}
		delete(spec, "user")
		delete(spec, "redact")
		spec["system"] = m{"cloud_provider": "", "libc_type": "", "network": m{"interfaces": nil}, "processes": nil, "vm_role": "", "vm_system": ""}
		return entityDoc{ns: ns, name: name, metadata: md, spec: spec}
	}
	p := platforms[g.rnd.IntN(len(platforms))]
	arch := "amd64"
	if g.chance(0.15) {
		arch = "arm64"
	}
	ip := fmt.Sprintf("10.%d.%d.%d", 10+ns, local/250%256, local%250+2)
	mac := func() string {
		return fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", g.rnd.IntN(256), g.rnd.IntN(256), g.rnd.IntN(256), g.rnd.IntN(256))
	}
	ifaces := []any{
		m{"name": "lo", "addresses": []any{"127.0.0.1/8", "::1/128"}},
		m{"name": "eth0", "mac": mac(), "addresses": []any{ip + "/16", fmt.Sprintf("fe80::42:%xff:fe%02x:%04x/64", g.rnd.IntN(256), g.rnd.IntN(256), g.rnd.IntN(65536))}},
	}
	if g.chance(0.3) {
		ifaces = append(ifaces, m{"name": "docker0", "mac": mac(), "addresses": []any{"172.17.0.1/16"}})
	}
	cloud := g.pick("aws", "aws", "gcp", "")
	spec["system"] = m{
		"arch":             arch,
		"cloud_provider":   cloud,
		"float_type":       "",
		"hostname":         host,
		"libc_type":        "glibc",
		"network":          m{"interfaces": ifaces},
		"os":               "linux",
		"platform":         p.platform,
		"platform_family":  p.family,
		"platform_version": p.version,
		"processes":        nil,
		"vm_role":          "guest",
		"vm_system":        "kvm",
	}
	if arch == "arm64" {
		spec["system"].(m)["arm_version"] = 8
	}
	if g.chance(0.2) {
		spec["keepalive_handlers"] = []any{g.handlerOr(ns, "keepalive")}
	}
	return entityDoc{ns: ns, name: name, metadata: md, spec: spec}
}

func (g *gen) handlerOr(ns int, fallback string) string {
	if hs := g.handlerNames[ns]; len(hs) > 0 {
		return hs[g.rnd.IntN(len(hs))]
	}
	return fallback
}

var outputs = [][]string{
	{"CheckCPU OK: total=%d.%02d user=11.20 system=3.05 iowait=0.41", "CheckCPU WARNING: total=%d.%02d above 75", "CheckCPU CRITICAL: total=%d.%02d above 90"},
	{"CheckMemory OK: %d.%02d%% used (6.1 GiB of 15.6 GiB)", "CheckMemory WARNING: %d.%02d%% used", "CheckMemory CRITICAL: %d.%02d%% used"},
	{"CheckDisk OK: / %d.%02d%% used, /var 40.11%% used", "CheckDisk WARNING: /var %d.%02d%% used", "CheckDisk CRITICAL: /var %d.%02d%% used, 1.2 GiB free"},
}

func (g *gen) event(i int, e entityDoc) (m, m) {
	ns := e.ns
	checks := g.checks[ns]
	chk := checks[(i/g.c.Namespaces)%len(checks)]
	cmd, cspec := chk["metadata"].(m), chk["spec"].(m)

	status := 0
	switch r := g.rnd.Float64(); {
	case r < 0.05:
		status = 2
	case r < 0.15:
		status = 1
	case r < 0.17:
		status = 3
	}
	now := 1754000000 + i*3
	interval := cspec["interval"].(int)
	if interval == 0 {
		interval = 300
	}
	history := make([]any, 0, 5)
	for k := 4; k >= 0; k-- {
		s := 0
		if k == 0 || (status != 0 && k < 2) {
			s = status
		}
		history = append(history, m{"status": s, "executed": now - k*interval})
	}
	o := outputs[i%len(outputs)]
	out := fmt.Sprintf(o[min(status, 2)], 20+g.rnd.IntN(75), g.rnd.IntN(100)) + "\n"
	if status == 3 {
		out = "UNKNOWN: plugin timed out after 10s\n"
	}
	state, lastOK, occ := "passing", now, 1+g.rnd.IntN(500)
	if status != 0 {
		state, lastOK, occ = "failing", now-2*interval, 1+g.rnd.IntN(3)
	}

	check := m{}
	for k, v := range cspec {
		check[k] = v
	}
	check["metadata"] = m{"name": cmd["name"], "namespace": cmd["namespace"], "labels": cmd["labels"]}
	check["duration"] = float64(g.rnd.IntN(900000)+1000) / 1e6
	check["executed"] = now
	check["history"] = history
	check["issued"] = now
	check["output"] = out
	check["state"] = state
	check["status"] = status
	check["total_state_change"] = []int{0, 0, 0, 7, 14}[g.rnd.IntN(5)]
	check["last_ok"] = lastOK
	check["occurrences"] = occ
	check["occurrences_watermark"] = occ + g.rnd.IntN(3)
	check["is_silenced"] = false
	check["scheduler"] = "memory"
	check["processed_by"] = e.name

	entity := m{}
	for k, v := range e.spec {
		entity[k] = v
	}
	entity["metadata"] = e.metadata

	var id [16]byte
	for k := range id {
		id[k] = byte(g.rnd.IntN(256))
	}
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	spec := m{
		"check":     check,
		"entity":    entity,
		"id":        fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16]),
		"pipelines": nil,
		"sequence":  1 + g.rnd.IntN(20000),
		"timestamp": now,
	}
	return m{"namespace": nsName(ns)}, spec
}

func (g *gen) handler(ns, local int) (m, m) {
	name := handlerName(local)
	kind := strings.SplitN(name, "-", 2)[0]
	if strings.HasPrefix(name, "notify-all") {
		kind = "notify-all"
	}
	md := m{"name": name, "namespace": nsName(ns), "labels": m{"sensu.io/managed_by": "sensuctl", "team": nsName(ns)}, "created_by": "admin"}
	spec := m{
		"env_vars":       nil,
		"filters":        []any{"is_incident", "not_silenced"},
		"handlers":       nil,
		"runtime_assets": nil,
		"secrets":        nil,
		"timeout":        []int{10, 30, 60}[g.rnd.IntN(3)],
		"type":           "pipe",
	}
	switch kind {
	case "slack":
		spec["command"] = fmt.Sprintf("sensu-slack-handler --channel '#%s-alerts' --username sensu --description-template '{{ .Check.Output }}'", nsName(ns))
		spec["runtime_assets"] = []any{"sensu/sensu-slack-handler:1.5.0"}
		spec["secrets"] = []any{m{"name": "SLACK_WEBHOOK_URL", "secret": "slack-webhook-" + nsName(ns)}}
	case "pagerduty":
		spec["command"] = "sensu-pagerduty-handler --dedup-key-template '{{.Entity.Name}}-{{.Check.Name}}' --status-map '{\"info\":[0],\"warning\":[1],\"critical\":[2],\"error\":[3]}'"
		spec["runtime_assets"] = []any{"sensu/sensu-pagerduty-handler:2.3.0"}
		spec["secrets"] = []any{m{"name": "PAGERDUTY_TOKEN", "secret": "pagerduty-routing-key"}}
	case "email":
		spec["command"] = "sensu-email-handler -f sensu@example.com -t " + nsName(ns) + "-oncall@example.com -s smtp.example.com -P 587 -u sensu"
		spec["runtime_assets"] = []any{"sensu/sensu-email-handler:1.2.2"}
		spec["env_vars"] = []any{"SMTP_TLS=starttls"}
		spec["secrets"] = []any{m{"name": "SMTP_PASSWORD", "secret": "smtp-password"}}
	case "jira":
		spec["command"] = "sensu-jira-handler --url https://jira.example.com --project OPS --issue-type Incident"
		spec["runtime_assets"] = []any{"betorvs/sensu-jira-handler:0.1.6"}
		spec["filters"] = []any{"is_incident", "not_silenced", "fatigue_check"}
	case "influxdb":
		spec["command"] = "sensu-influxdb-handler -d sensu --addr http://influxdb.example.com:8086"
		spec["runtime_assets"] = []any{"sensu/sensu-influxdb-handler:3.7.0"}
		spec["filters"] = []any{"has_metrics"}
		spec["mutator"] = "only_check_output"
	case "logstash":
		spec["type"] = "tcp"
		spec["socket"] = m{"host": "logstash.example.com", "port": 5514}
		spec["filters"] = nil
	case "statsd":
		spec["type"] = "udp"
		spec["socket"] = m{"host": "127.0.0.1", "port": 8125}
		spec["filters"] = []any{"has_metrics"}
	case "notify-all":
		spec["type"] = "set"
		spec["filters"] = nil
		var hs []any
		for _, h := range g.handlerNames[ns] {
			if strings.HasPrefix(h, "slack-") || strings.HasPrefix(h, "pagerduty-") {
				hs = append(hs, h)
				if len(hs) == 2 {
					break
				}
			}
		}
		spec["handlers"] = hs
	}
	return md, spec
}

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func toAny[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
