// Package migrate translates a Sensu 1.x installation — its JSON
// configuration and its Redis state — into Sensu Go resources, and says
// what became of every source object. It does no I/O of its own: the
// loaders (sensu1config, sensu1redis) read, store.Apply writes.
//
// Every decision is documented in docs/migrate-sensu1.md; the comments here
// say where a rule lives.
package migrate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1config"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/resource"
)

// Input is what was read from the 1.x installation.
type Input struct {
	// Server is the server's configuration (config.json + conf.d).
	Server *sensu1config.Settings
	// Clients are per-client configuration directories (client.json plus
	// standalone checks), keyed by the directory they came from.
	Clients []ClientConfig
	// Redis is the state; nil when no Redis was given.
	Redis *sensu1redis.Snapshot
}

// ClientConfig is one client's loaded configuration.
type ClientConfig struct {
	Source   string
	Settings *sensu1config.Settings
}

// Options control the translation.
type Options struct {
	// Namespace receives every namespaced resource.
	Namespace string
	// Now is the time silences' remaining lifetimes count from.
	Now time.Time
}

// Resource is one translated resource and the source objects it came from.
type Resource struct {
	Type    *resource.Type
	Object  resource.Object
	Sources []string
}

// Plan is the translation: resources to write and the report.
type Plan struct {
	Resources []Resource
	Report    *Report
}

// Outcomes of a source object.
const (
	Translated            = "translated"
	TranslatedWithChanges = "translated with changes"
	NoEquivalent          = "no equivalent"
	Invalid               = "invalid"
)

// translator holds the state of one translation.
type translator struct {
	opts   Options
	report *Report
	// out and index are the resources of the current step; kept are the
	// configuration's, which later steps look up.
	out   []Resource
	index map[string]int // resource key → position in out
	kept  map[string]Resource
	// configClients maps a configured client's name to its configSources
	// index; seenClients are the clients Redis had.
	configClients map[string]int
	seenClients   map[string]bool
	// configSources are the client scopes of configuration directories.
	configSources []clientSource
	// metricHandlers are handlers of metric checks, which 1.x gives OK results too.
	metricHandlers map[string]bool
	// historyNotes are the report notes on history times, by interval.
	historyNotes map[int64]string
}

// Translate builds the whole plan at once: the configuration, then the
// clients of the Redis snapshot, then the rest of it. Large installations
// go through a Translator part by part instead.
func Translate(in Input, opts Options) (*Plan, error) {
	tr, err := NewTranslator(opts)
	if err != nil {
		return nil, err
	}
	resources := tr.Config(in.Server, in.Clients)
	if in.Redis != nil {
		resources = append(resources, tr.Clients(in.Redis)...)
	}
	resources = append(resources, tr.Finish(in.Redis)...)
	return &Plan{Resources: resources, Report: tr.Report()}, nil
}

// Translator translates an installation in steps, so that the Redis state
// can be handled a part at a time: Config, then Clients for each part of
// sensu1redis.Stream, then Finish with the rest. Each step returns only the
// resources it made.
type Translator struct{ t *translator }

// NewTranslator starts a translation; the namespace resource comes with
// Config's resources.
func NewTranslator(opts Options) (*Translator, error) {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	t := &translator{opts: opts, report: &Report{}, index: map[string]int{}, metricHandlers: map[string]bool{},
		kept: map[string]Resource{}, configClients: map[string]int{}, seenClients: map[string]bool{}, historyNotes: map[int64]string{}}
	nsType := mustType("namespaces")
	ns := &resource.Namespace{Name: opts.Namespace}
	if err := resource.Prepare(nsType, ns, ""); err != nil {
		return nil, fmt.Errorf("--namespace %q: %w", opts.Namespace, err)
	}
	t.add(nsType, ns, "namespace of the migration")
	return &Translator{t}, nil
}

// SetReportSink sends each report item to fn as it is made, instead of
// keeping it: Report then only has the summary. For installations whose
// report would not fit in memory.
func (tr *Translator) SetReportSink(fn func(Item)) { tr.t.report.sink = fn }

// Config translates the server's configuration and the clients'
// configuration directories (whose entities are made by Clients or Finish).
func (tr *Translator) Config(server *sensu1config.Settings, clients []ClientConfig) []Resource {
	t := tr.t
	sink := t.report.sink
	t.report.sink = nil // checkReferences amends the items: keep them until then
	defer func() { t.report.sink = sink; t.report.flush() }()
	if server != nil {
		t.checks(server, "")
		t.handlers(server)
		t.mutators(server)
		t.filters(server)
		t.extensions(server)
		t.otherScopes(server)
		t.checkReferences()
	}
	for _, c := range clients {
		t.clientConfig(c)
	}
	return t.take(true)
}

// Clients translates the clients of a snapshot (a part of sensu1redis.Stream,
// or a whole snapshot): their entities, events, invalid values, dangling
// result-set members and leftover keys.
func (tr *Translator) Clients(part *sensu1redis.Snapshot) []Resource {
	t := tr.t
	t.clientEntities(part)
	t.clientState(part)
	return t.take(false)
}

// Finish translates what is not a client's: silences, stashes, aggregates,
// the other keys (rest may be nil without Redis), and the entities of
// configured clients that Redis did not have.
func (tr *Translator) Finish(rest *sensu1redis.Snapshot) []Resource {
	t := tr.t
	if rest != nil {
		t.globalState(rest)
	}
	t.configOnlyEntities()
	return t.take(false)
}

// Report returns the report; call it after Finish.
func (tr *Translator) Report() *Report {
	tr.t.report.finish()
	return tr.t.report
}

// take returns the resources made since the last call. Kept ones (the
// configuration's) stay known for lookups; the others are forgotten, so
// memory does not grow with the parts.
func (t *translator) take(keep bool) []Resource {
	out := t.out
	for key, i := range t.index {
		if keep {
			t.kept[key] = out[i]
		}
	}
	t.out, t.index = nil, map[string]int{}
	return out
}

// add appends a resource, or merges its sources when the same key is
// already planned (the first definition wins).
func (t *translator) add(typ *resource.Type, o resource.Object, source string) bool {
	key := typ.KeyOf(o)
	if r, ok := t.kept[key]; ok {
		r.Sources = append(r.Sources, source)
		t.kept[key] = r
		return false
	}
	if i, ok := t.index[key]; ok {
		t.out[i].Sources = append(t.out[i].Sources, source)
		return false
	}
	t.index[key] = len(t.out)
	t.out = append(t.out, Resource{Type: typ, Object: o, Sources: []string{source}})
	return true
}

// place validates o and plans it, recording on item the resource, or the
// reason it is Invalid. It reports whether o was planned.
func (t *translator) place(item *Item, typeName string, o resource.Object, source string) bool {
	typ := mustType(typeName)
	if err := resource.Prepare(typ, o, t.opts.Namespace); err != nil {
		item.Outcome, item.Notes = Invalid, append(item.Notes, err.Error())
		return false
	}
	t.add(typ, o, source)
	item.Resources = append(item.Resources, ref(typ, o))
	return true
}

// planned returns the planned resource with this key, if any.
func (t *translator) planned(typ *resource.Type, namespace, name string) resource.Object {
	key := typ.Key(namespace, name)
	if i, ok := t.index[key]; ok {
		return t.out[i].Object
	}
	if r, ok := t.kept[key]; ok {
		return r.Object
	}
	return nil
}

func mustType(name string) *resource.Type {
	t, err := resource.Lookup(name)
	if err != nil {
		panic(err)
	}
	return t
}

// deterministicID gives a stable UUID for a 1.x object that has none, so a
// rerun writes the same event.
func deterministicID(parts ...string) string {
	name := []byte("sensu1:")
	for _, p := range parts {
		name = append(append(name, p...), 0)
	}
	return uuid.NewSHA1(uuid.NameSpaceURL, name).String()
}

// Value helpers for decoded JSON (numbers are json.Number).

func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		f, err := n.Float64()
		return int64(f), err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	f, ok := num(v)
	return int64(f), ok
}

func boolean(v any) (bool, bool) {
	b, ok := v.(bool)
	return b, ok
}

func strings_(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func hash(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}

// copyMap is a shallow copy, so consumed keys can be deleted.
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonString is compact JSON, for annotations.
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
