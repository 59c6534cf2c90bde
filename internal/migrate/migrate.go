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
	in     Input
	report *Report
	out    []Resource
	index  map[string]int // resource key → position in out
	// configSources are the client scopes of configuration directories.
	configSources []clientSource
	// metricHandlers are handlers of metric checks, which 1.x gives OK results too.
	metricHandlers map[string]bool
}

// Translate builds the plan. It never fails on a bad source object: the
// object is reported Invalid (or NoEquivalent) and left out.
func Translate(in Input, opts Options) (*Plan, error) {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	t := &translator{opts: opts, in: in, report: &Report{}, index: map[string]int{}, metricHandlers: map[string]bool{}}
	nsType := mustType("namespaces")
	ns := &resource.Namespace{Name: opts.Namespace}
	if err := resource.Prepare(nsType, ns, ""); err != nil {
		return nil, fmt.Errorf("--namespace %q: %w", opts.Namespace, err)
	}
	t.add(nsType, ns, "namespace of the migration")

	if in.Server != nil {
		t.checks(in.Server, "")
		t.handlers(in.Server)
		t.mutators(in.Server)
		t.filters(in.Server)
		t.extensions(in.Server)
		t.otherScopes(in.Server)
		t.checkReferences()
	}
	for _, c := range in.Clients {
		t.clientConfig(c)
	}
	t.entities()
	if in.Redis != nil {
		t.redisState(in.Redis)
	}
	t.report.finish()
	return &Plan{Resources: t.out, Report: t.report}, nil
}

// add appends a resource, or merges its sources when the same key is
// already planned (the first definition wins).
func (t *translator) add(typ *resource.Type, o resource.Object, source string) bool {
	key := typ.KeyOf(o)
	if i, ok := t.index[key]; ok {
		t.out[i].Sources = append(t.out[i].Sources, source)
		return false
	}
	t.index[key] = len(t.out)
	t.out = append(t.out, Resource{Type: typ, Object: o, Sources: []string{source}})
	return true
}

// planned returns the planned resource with this key, if any.
func (t *translator) planned(typ *resource.Type, namespace, name string) resource.Object {
	if i, ok := t.index[typ.Key(namespace, name)]; ok {
		return t.out[i].Object
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
	name := ""
	for _, p := range parts {
		name += p + "\x00"
	}
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("sensu1:"+name)).String()
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
