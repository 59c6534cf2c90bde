package migrate

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1config"
	"github.com/sensu-etcd/sensu/internal/resource"
)

// Built-in Sensu Go filters and the filters this translation adds.
const (
	isIncidentFilter  = "is_incident"  // built into Sensu Go
	notSilencedFilter = "not_silenced" // built into Sensu Go
	notFlappingFilter = "sensu1-not-flapping"
)

func (t *translator) handlers(s *sensu1config.Settings) {
	defs := s.Definitions("handlers")
	for _, d := range defs {
		t.handler(d.Name, d.Attrs)
	}
}

func (t *translator) handler(name string, attrs map[string]any) {
	source := "handlers." + name
	item := Item{Kind: "handler", Source: source}
	note := func(format string, args ...any) { item.Notes = append(item.Notes, fmt.Sprintf(format, args...)) }
	a := copyMap(attrs)
	delete(a, "name")
	h := &resource.Handler{}
	h.Metadata = resource.ObjectMeta{Name: name, Namespace: t.opts.Namespace}
	typ, _ := str(a["type"])
	delete(a, "type")
	switch typ {
	case "pipe":
		h.Type = "pipe"
		h.Command, _ = str(a["command"])
		delete(a, "command")
	case "tcp", "udp":
		h.Type = typ
		if sock, ok := hash(a["socket"]); ok {
			h.Socket = &resource.HandlerSocket{}
			h.Socket.Host, _ = str(sock["host"])
			if p, ok := integer(sock["port"]); ok {
				h.Socket.Port = uint32(p)
			}
		}
		delete(a, "socket")
	case "set":
		h.Type = "set"
		h.Handlers, _ = strings_(a["handlers"])
		delete(a, "handlers")
	case "transport":
		item.Outcome = NoEquivalent
		note("transport handlers publish to the 1.x message transport; Sensu Go has no transport")
		item.Content = attrs
		t.report.add(item)
		return
	default:
		item.Outcome = Invalid
		note("unknown handler type %q", typ)
		t.report.add(item)
		return
	}
	if v, ok := num(a["timeout"]); ok {
		h.Timeout = uint32(math.Ceil(v))
		if float64(h.Timeout) != v {
			note("timeout %v rounded up to %d seconds", v, h.Timeout)
		}
		delete(a, "timeout")
	}
	if m, ok := str(a["mutator"]); ok {
		switch m {
		case "json":
			note(`mutator "json" (1.x's default) dropped: Sensu Go sends JSON without one`)
		case "ruby_hash":
			note(`mutator "ruby_hash" is a 1.x extension with no Sensu Go equivalent: dropped`)
		default:
			h.Mutator = m
		}
		delete(a, "mutator")
	}
	filters, ok := strings_(a["filters"])
	if !ok {
		if f, ok := str(a["filter"]); ok {
			filters = []string{f}
		}
	}
	delete(a, "filters")
	delete(a, "filter")
	for _, f := range filters {
		switch f {
		case "occurrences":
			note(`filter "occurrences" is a 1.x extension: use the fatigue check filter asset (the checks carry %s/%s)`, fatigueOccurrences, fatigueInterval)
		case "check_dependencies":
			note(`filter "check_dependencies" is a 1.x extension: use the sensu-dependencies-filter asset`)
		default:
			h.Filters = appendUnique(h.Filters, f)
		}
	}
	if sev, ok := strings_(a["severities"]); ok {
		fname := name + "-severities"
		if t.severityFilter(fname, sev, source) {
			h.Filters = appendUnique(h.Filters, fname)
			note("severities %v: filter %s", sev, fname)
		}
		delete(a, "severities")
	}
	if h.Type != "set" && !t.metricHandlers[name] {
		// 1.x handles failures, resolutions and flapping, not every OK
		// result as Sensu Go would: is_incident does the same.
		if !contains(h.Filters, isIncidentFilter) {
			h.Filters = append([]string{isIncidentFilter}, h.Filters...)
		}
	} else if t.metricHandlers[name] {
		note("used by a metric check: OK results are handled too (no is_incident filter), as in 1.x")
	}
	if b, _ := boolean(a["handle_silenced"]); !b && h.Type != "set" {
		h.Filters = appendUnique(h.Filters, notSilencedFilter)
	}
	delete(a, "handle_silenced")
	if b, _ := boolean(a["handle_flapping"]); !b && h.Type != "set" {
		t.notFlappingFilter(source)
		h.Filters = appendUnique(h.Filters, notFlappingFilter)
	}
	delete(a, "handle_flapping")
	if len(a) > 0 {
		note("no Sensu Go field for %s: kept in annotation %s", strings.Join(sortedKeys(a), ", "), jsonAttributesAnnotation)
		h.Metadata.Annotations = map[string]string{jsonAttributesAnnotation: jsonString(a)}
	}
	t.place(&item, "handlers", h, source)
	t.report.add(item)
}

// severityFilter passes events whose status is one of the severities, and
// resolutions of events whose history had one, as 1.x does.
func (t *translator) severityFilter(name string, severities []string, source string) bool {
	codes := map[string]string{"ok": "0", "warning": "1", "critical": "2"}
	var conds []string
	for _, s := range severities {
		if c, ok := codes[s]; ok {
			conds = append(conds, "s == "+c)
		} else if s == "unknown" {
			conds = append(conds, "s > 2")
		}
	}
	if len(conds) == 0 {
		return false
	}
	match := "function(s) { return " + strings.Join(conds, " || ") + "; }"
	expr := fmt.Sprintf("(%s)(event.check.status) || (event.check.status == 0 && (event.check.history || []).some(function(h) { return (%s)(h.status); }))", match, match)
	f := &resource.EventFilter{Action: "allow", Expressions: []string{expr}}
	f.Metadata = resource.ObjectMeta{Name: name, Namespace: t.opts.Namespace}
	t.add(mustType("filters"), f, source+".severities")
	return true
}

func (t *translator) notFlappingFilter(source string) {
	f := &resource.EventFilter{Action: "deny", Expressions: []string{`event.check.state == "flapping"`}}
	f.Metadata = resource.ObjectMeta{Name: notFlappingFilter, Namespace: t.opts.Namespace,
		Annotations: map[string]string{"sensu.io/description": "1.x handlers drop flapping events unless handle_flapping is true"}}
	t.add(mustType("filters"), f, source+".handle_flapping")
}

func (t *translator) mutators(s *sensu1config.Settings) {
	for _, d := range s.Definitions("mutators") {
		source := "mutators." + d.Name
		item := Item{Kind: "mutator", Source: source}
		m := &resource.Mutator{Type: "pipe"}
		m.Metadata = resource.ObjectMeta{Name: d.Name, Namespace: t.opts.Namespace}
		m.Command, _ = str(d.Attrs["command"])
		if v, ok := num(d.Attrs["timeout"]); ok {
			m.Timeout = uint32(math.Ceil(v))
		}
		for _, k := range sortedKeys(d.Attrs) {
			if k != "command" && k != "timeout" && k != "name" {
				item.Notes = append(item.Notes, fmt.Sprintf("attribute %s has no Sensu Go field: dropped", k))
			}
		}
		t.place(&item, "mutators", m, source)
		t.report.add(item)
	}
}

func (t *translator) filters(s *sensu1config.Settings) {
	for _, d := range s.Definitions("filters") {
		source := "filters." + d.Name
		item := Item{Kind: "filter", Source: source}
		attrs, ok := hash(d.Attrs["attributes"])
		if !ok {
			item.Outcome, item.Notes = Invalid, []string{"a filter needs attributes"}
			t.report.add(item)
			continue
		}
		exprs, problems := attributeExpressions(attrs, "event")
		item.Notes = append(item.Notes, problems...)
		f := &resource.EventFilter{Action: "allow", Expressions: exprs}
		if neg, _ := boolean(d.Attrs["negate"]); neg {
			f.Action = "deny"
		}
		f.Metadata = resource.ObjectMeta{Name: d.Name, Namespace: t.opts.Namespace}
		if when, ok := d.Attrs["when"]; ok {
			item.Notes = append(item.Notes, "when (time windows) has no Sensu Go equivalent: the filter applies at all times; the windows are kept in annotation "+jsonAttributesAnnotation)
			f.Metadata.Annotations = map[string]string{jsonAttributesAnnotation: jsonString(map[string]any{"when": when})}
		}
		if len(problems) > 0 && len(exprs) == 0 {
			item.Outcome = NoEquivalent
			item.Content = d.Attrs
			t.report.add(item)
			continue
		}
		t.place(&item, "filters", f, source)
		t.report.add(item)
	}
}

func (t *translator) extensions(s *sensu1config.Settings) {
	for _, d := range s.Definitions("extensions") {
		t.report.add(Item{Kind: "extension", Source: "extensions." + d.Name, Outcome: NoEquivalent, Content: d.Attrs,
			Notes: []string{"1.x extensions are Ruby code loaded by the server; Sensu Go has assets and pipelines instead"}})
	}
}

// otherScopes reports the top-level scopes that are not definitions.
func (t *translator) otherScopes(s *sensu1config.Settings) {
	why := map[string]string{
		"client":    "the server's client scope is not a client: clients come from --client-config-dir and Redis",
		"api":       "the 1.x API; Sensu Go backends serve their own",
		"redis":     "1.x state store; its content is read with --redis-url",
		"transport": "1.x message transport; Sensu Go has none",
		"rabbitmq":  "1.x message transport; Sensu Go has none",
		"sensu":     "1.x daemon settings (keepalive thresholds go to agents' keepalive-warning/critical-timeout)",
		"tessen":    "call-home settings",
	}
	categories := map[string]bool{"checks": true, "handlers": true, "filters": true, "mutators": true, "extensions": true}
	for _, k := range sortedKeys(s.Data) {
		if categories[k] {
			continue
		}
		reason, ok := why[k]
		if !ok {
			reason = "settings for handler plugins or extensions (read by the plugins through their own configuration in Sensu Go)"
		}
		t.report.add(Item{Kind: "scope", Source: k, Outcome: NoEquivalent, Notes: []string{reason}})
	}
}

// attributeExpressions turns 1.x filter attributes (a partial event, or a
// partial client for proxy requests) into Sensu Go JavaScript expressions.
// Leaves compare with ==; "eval:" leaves are translated when they are a
// simple comparison of value.
func attributeExpressions(attrs map[string]any, root string) (exprs, problems []string) {
	var walk func(path []string, v any)
	walk = func(path []string, v any) {
		if m, ok := hash(v); ok && (len(m) > 0 || len(path) == 0) {
			for _, k := range sortedKeys(m) {
				walk(append(append([]string(nil), path...), k), m[k])
			}
			return
		}
		dotted := strings.Join(path, ".")
		accessor, stringValued, ok := goPath(path, root)
		if !ok {
			problems = append(problems, fmt.Sprintf("attribute %s has no Sensu Go equivalent", dotted))
			return
		}
		if s, isStr := str(v); isStr && strings.HasPrefix(s, "eval:") {
			e, ok := evalExpression(strings.TrimSpace(strings.TrimPrefix(s, "eval:")), accessor)
			if !ok {
				problems = append(problems, fmt.Sprintf("attribute %s: Ruby expression %q is not a simple comparison: translate it to JavaScript by hand", dotted, s))
				return
			}
			exprs = append(exprs, e)
			return
		}
		if path[len(path)-1] == "action" && root == "event" && len(path) == 1 {
			if s, ok := str(v); ok {
				if state, ok := actionStates[s]; ok {
					exprs = append(exprs, fmt.Sprintf("%s == %q", accessor, state))
					return
				}
			}
		}
		if root == "client" && dotted == "keepalives" {
			if b, ok := boolean(v); ok {
				op := "=="
				if b {
					op = "!="
				}
				exprs = append(exprs, fmt.Sprintf(`entity.entity_class %s "proxy"`, op))
				return
			}
		}
		if stringValued {
			if _, isHash := hash(v); !isHash {
				if _, isList := v.([]any); !isList {
					exprs = append(exprs, fmt.Sprintf("%s == %q", accessor, fmt.Sprint(v)))
					return
				}
			}
		}
		lit, ok := quoteJS(v)
		if !ok {
			problems = append(problems, fmt.Sprintf("attribute %s compares a list or mapping, which has no Sensu Go expression", dotted))
			return
		}
		exprs = append(exprs, fmt.Sprintf("%s == %s", accessor, lit))
	}
	if len(attrs) == 0 {
		// 1.x matches every event (or client) against empty attributes.
		return []string{"true"}, nil
	}
	walk(nil, attrs)
	sort.Strings(exprs)
	return slices.Compact(exprs), problems
}

// actionStates maps a 1.x event action to a Sensu Go check state.
var actionStates = map[string]string{"create": "failing", "resolve": "passing", "flapping": "flapping"}

// clientFields are the client attributes that are entity fields in Sensu Go.
var clientFields = map[string]string{
	"name":          "metadata.name",
	"subscriptions": "subscriptions",
	"type":          "entity_class",
	"redact":        "redact",
	"version":       "sensu_agent_version",
	"timestamp":     "last_seen",
}

// checkFields are 1.x check result attributes with the same meaning in Sensu Go.
var checkFields = map[string]string{
	"name": "metadata.name", "command": "command", "status": "status", "output": "output",
	"interval": "interval", "issued": "issued", "executed": "executed", "duration": "duration",
	"occurrences": "occurrences", "occurrences_watermark": "occurrences_watermark",
	"total_state_change": "total_state_change", "ttl": "ttl", "timeout": "timeout",
	"subscribers": "subscriptions", "handlers": "handlers", "source": "proxy_entity_name",
}

// goPath maps a 1.x path to a JavaScript accessor. stringValued is true
// for labels, which hold strings.
func goPath(path []string, root string) (accessor string, stringValued, ok bool) {
	clientPath := func(p []string, prefix string) (string, bool, bool) {
		if f, ok := clientFields[p[0]]; ok && len(p) == 1 {
			return prefix + "." + f, false, true
		}
		return fmt.Sprintf("%s.metadata.labels[%q]", prefix, strings.Join(p, ".")), true, true
	}
	if root == "client" {
		return clientPath(path, "entity")
	}
	switch path[0] {
	case "client":
		if len(path) < 2 {
			return "", false, false
		}
		return clientPath(path[1:], "event.entity")
	case "check":
		if len(path) == 2 {
			if f, ok := checkFields[path[1]]; ok {
				return "event.check." + f, false, true
			}
		}
		return "", false, false
	case "occurrences", "occurrences_watermark":
		if len(path) == 1 {
			return "event.check." + path[0], false, true
		}
	case "action":
		return "event.check.state", false, true
	case "timestamp", "id":
		return "event." + path[0], false, true
	case "silenced":
		return "event.check.is_silenced", false, true
	}
	return "", false, false
}

var simpleEval = regexp.MustCompile(`^value\s*(==|!=|>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?|'[^'\\]*'|"[^"\\]*")$`)
var regexEval = regexp.MustCompile(`^value\s*=~\s*/((?:[^/\\]|\\.)*)/$`)

// evalExpression translates "value <op> literal" and "value =~ /re/".
func evalExpression(expr, accessor string) (string, bool) {
	if m := simpleEval.FindStringSubmatch(expr); m != nil {
		lit := m[2]
		if strings.HasPrefix(lit, "'") {
			lit = fmt.Sprintf("%q", strings.Trim(lit, "'"))
		}
		return fmt.Sprintf("%s %s %s", accessor, m[1], lit), true
	}
	if m := regexEval.FindStringSubmatch(expr); m != nil {
		return fmt.Sprintf("/%s/.test(%s)", m[1], accessor), true
	}
	return "", false
}

// builtinFilters exist in every Sensu Go namespace.
var builtinFilters = map[string]bool{"is_incident": true, "not_silenced": true, "has_metrics": true}

// checkReferences notes handlers whose filters, mutator or set members were
// not translated, so the operator knows what to create by hand.
func (t *translator) checkReferences() {
	ft, ht, mt := mustType("filters"), mustType("handlers"), mustType("mutators")
	for i := range t.report.Items {
		it := &t.report.Items[i]
		if it.Kind != "handler" || it.Outcome == Invalid || it.Outcome == NoEquivalent {
			continue
		}
		h, ok := t.planned(ht, t.opts.Namespace, strings.TrimPrefix(it.Source, "handlers.")).(*resource.Handler)
		if !ok {
			continue
		}
		for _, f := range h.Filters {
			if !builtinFilters[f] && t.planned(ft, t.opts.Namespace, f) == nil {
				it.Notes = append(it.Notes, fmt.Sprintf("filter %s is not translated (see its own item): create it in Sensu Go or remove it from the handler", f))
			}
		}
		if h.Mutator != "" && h.Mutator != "only_check_output" && t.planned(mt, t.opts.Namespace, h.Mutator) == nil {
			it.Notes = append(it.Notes, fmt.Sprintf("mutator %s is not defined in the configuration", h.Mutator))
		}
		for _, member := range h.Handlers {
			if t.planned(ht, t.opts.Namespace, member) == nil {
				it.Notes = append(it.Notes, fmt.Sprintf("handler %s of the set is not translated", member))
			}
		}
		if it.Outcome == Translated && len(it.Notes) > 0 {
			it.Outcome = TranslatedWithChanges
		}
	}
}
