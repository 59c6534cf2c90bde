package migrate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1config"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1token"
	"github.com/sensu-etcd/sensu/internal/resource"
)

// Annotations the translation writes, as sensu-translator does.
const (
	jsonAttributesAnnotation = "sensu.io.json_attributes"
	fatigueOccurrences       = "fatigue_check/occurrences"
	fatigueInterval          = "fatigue_check/interval"
)

// checks translates the checks of a settings tree. client is "" for the
// server's checks, or the client whose directory defines standalone checks.
func (t *translator) checks(s *sensu1config.Settings, client string) {
	for _, d := range s.Definitions("checks") {
		source := "checks." + d.Name
		if client != "" {
			source = "client " + client + " checks." + d.Name
		}
		t.check(d.Name, d.Attrs, client, source)
	}
}

// roundRobinPrefix removes the prefix 1.x gives a round-robin
// subscription (roundrobin: or, before 0.26, direct:) and reports whether
// there was one.
func roundRobinPrefix(sub string) (string, bool) {
	for _, prefix := range []string{"roundrobin:", "direct:"} {
		if rest, ok := strings.CutPrefix(sub, prefix); ok {
			return rest, true
		}
	}
	return sub, false
}

func (t *translator) check(name string, attrs map[string]any, client, source string) {
	item := Item{Kind: "check", Source: source}
	a := copyMap(attrs)
	delete(a, "name")
	c := &resource.CheckConfig{}
	c.Metadata = resource.ObjectMeta{Name: name, Namespace: t.opts.Namespace}
	note := func(format string, args ...any) { item.Notes = append(item.Notes, fmt.Sprintf(format, args...)) }
	invalid := func(msg string) {
		item.Outcome = Invalid
		item.Notes = append(item.Notes, msg)
		t.report.add(item)
	}

	if cmd, ok := str(a["command"]); ok {
		out, problems := sensu1token.Translate(cmd)
		c.Command = out
		if out != cmd {
			note("command tokens %s", describeTokens(cmd, out))
		}
		for _, p := range problems {
			note("command: %s", p)
		}
		delete(a, "command")
	} else if _, ok := a["extension"]; ok {
		invalid("check extensions run Ruby code inside sensu-client; Sensu Go has no equivalent")
		return
	}

	// Subscriptions.
	standalone, _ := boolean(a["standalone"])
	delete(a, "standalone")
	subscribers, _ := strings_(a["subscribers"])
	delete(a, "subscribers")
	for _, sub := range subscribers {
		plain, roundRobin := roundRobinPrefix(sub)
		switch {
		case roundRobin:
			c.RoundRobin = true
			note("subscriber %q: subscription %q with round_robin", sub, plain)
			sub = plain
		case strings.HasPrefix(sub, "client:"):
			sub = "entity:" + strings.TrimPrefix(sub, "client:")
		}
		if !contains(c.Subscriptions, sub) {
			c.Subscriptions = append(c.Subscriptions, sub)
		}
	}
	if c.RoundRobin && len(c.Subscriptions) > 1 {
		note("round robin applies to every subscription of a Sensu Go check, not only the roundrobin: ones")
	}
	if standalone || client != "" {
		if client != "" {
			c.Subscriptions = appendUnique(c.Subscriptions, "entity:"+client)
			note("standalone check of client %s: scheduled on its entity subscription entity:%s", client, client)
		} else {
			note("standalone check defined only in the server configuration: no client runs it, so it has no subscriptions")
		}
	}
	if c.Subscriptions == nil {
		c.Subscriptions = []string{}
	}

	// Scheduling.
	c.Publish = true
	if p, ok := boolean(a["publish"]); ok {
		c.Publish = p
		delete(a, "publish")
	}
	if v, ok := integer(a["interval"]); ok && v > 0 {
		c.Interval = uint32(v)
		delete(a, "interval")
	}
	if cron, ok := str(a["cron"]); ok {
		c.Cron = cron
		delete(a, "cron")
	}
	if c.Interval == 0 && c.Cron == "" {
		if c.Publish {
			invalid("neither interval nor cron: 1.x would refuse this check too")
			return
		}
		c.Interval = 60
		note("publish false and no interval: interval 60 so that Sensu Go accepts it (it is not scheduled)")
	}
	if v, ok := num(a["timeout"]); ok {
		c.Timeout = uint32(math.Ceil(v))
		if float64(c.Timeout) != v {
			note("timeout %v rounded up to %d seconds", v, c.Timeout)
		}
		delete(a, "timeout")
	}
	if v, ok := integer(a["ttl"]); ok {
		c.Ttl = v
		delete(a, "ttl")
		if c.Ttl <= int64(c.Interval) && c.Cron == "" {
			note("ttl %d is not greater than the interval %d, as Sensu Go requires: ttl dropped", c.Ttl, c.Interval)
			c.Ttl = 0
		}
	}
	if b, ok := boolean(a["stdin"]); ok {
		c.Stdin = b
		delete(a, "stdin")
	}
	if v, ok := integer(a["low_flap_threshold"]); ok {
		c.LowFlapThreshold = uint32(v)
		delete(a, "low_flap_threshold")
	}
	if v, ok := integer(a["high_flap_threshold"]); ok {
		c.HighFlapThreshold = uint32(v)
		delete(a, "high_flap_threshold")
	}

	// Handlers: "handlers" wins over "handler"; 1.x's implicit handler is "default".
	if hs, ok := strings_(a["handlers"]); ok {
		c.Handlers = hs
	} else if h, ok := str(a["handler"]); ok {
		c.Handlers = []string{h}
	} else {
		c.Handlers = []string{"default"}
		note(`no handler: 1.x used the handler named "default", kept as such (Sensu Go has no implicit default handler)`)
	}
	delete(a, "handlers")
	delete(a, "handler")

	if src, ok := str(a["source"]); ok {
		if strings.Contains(src, ":::") {
			note("source %q has tokens, which Sensu Go's proxy_entity_name does not take: left out", src)
		} else {
			c.ProxyEntityName = src
			delete(a, "source")
		}
	}
	if pr, ok := hash(a["proxy_requests"]); ok {
		c.ProxyRequests = proxyRequests(pr, note)
		delete(a, "proxy_requests")
	}
	if hooks, ok := hash(a["hooks"]); ok {
		c.CheckHooks = t.hooks(name, hooks, source)
		delete(a, "hooks")
	}
	if typ, _ := str(a["type"]); typ == "metric" {
		note("type metric: metric events are handled whatever the status in Sensu Go only through output_metric_handlers, which need output_metric_format; set them by hand (kept in %s)", jsonAttributesAnnotation)
	} else if typ == "standard" {
		delete(a, "type")
	}

	// Everything left goes into the annotation, as sensu-translator does.
	annotations := map[string]string{}
	if occ, ok := a["occurrences"]; ok {
		annotations[fatigueOccurrences] = fmt.Sprint(occ)
	}
	if refresh, ok := a["refresh"]; ok {
		annotations[fatigueInterval] = fmt.Sprint(refresh)
	}
	if len(a) > 0 {
		annotations[jsonAttributesAnnotation] = jsonString(a)
		note("no Sensu Go field for %s: kept in annotation %s", strings.Join(sortedKeys(a), ", "), jsonAttributesAnnotation)
	}
	if len(annotations) > 0 {
		c.Metadata.Annotations = annotations
	}
	checkType := mustType("checks")
	if err := resource.Prepare(checkType, c, t.opts.Namespace); err != nil {
		invalid(err.Error())
		return
	}
	if typ, _ := str(attrs["type"]); typ == "metric" {
		for _, h := range c.Handlers {
			t.metricHandlers[h] = true
		}
	}
	if !t.add(checkType, c, source) {
		first := t.planned(checkType, t.opts.Namespace, name).(*resource.CheckConfig)
		if client != "" {
			first.Subscriptions = appendUnique(first.Subscriptions, "entity:"+client)
			note("also defined by another client or the server: its entity subscription is added to the first definition, whose other attributes are used")
		} else {
			note("also defined elsewhere: the first definition is used")
		}
		item.Outcome = TranslatedWithChanges
	}
	item.Resources = append(item.Resources, ref(checkType, c))
	for _, h := range c.CheckHooks {
		for _, hn := range h.Hooks {
			item.Resources = append(item.Resources, ref(mustType("hooks"), t.planned(mustType("hooks"), t.opts.Namespace, hn)))
		}
	}
	t.report.add(item)
}

// hooks turns a 1.x check's hooks into HookConfigs named <check>-<key>.
func (t *translator) hooks(check string, hooks map[string]any, source string) []resource.HookList {
	var lists []resource.HookList
	for _, key := range sortedKeys(hooks) {
		item := Item{Kind: "hook", Source: source + ".hooks." + key}
		def, ok := hash(hooks[key])
		cmd, hasCmd := str(def["command"])
		if !ok || !hasCmd {
			item.Outcome, item.Notes = Invalid, []string{"a hook needs a command"}
			t.report.add(item)
			continue
		}
		h := &resource.HookConfig{Timeout: 60, RuntimeAssets: nil}
		h.Metadata = resource.ObjectMeta{Name: check + "-" + strings.ReplaceAll(key, "_", "-"), Namespace: t.opts.Namespace}
		out, problems := sensu1token.Translate(cmd)
		h.Command = out
		item.Notes = append(item.Notes, problems...)
		if v, ok := num(def["timeout"]); ok {
			h.Timeout = uint32(math.Max(1, math.Ceil(v)))
		}
		if b, ok := boolean(def["stdin"]); ok {
			h.Stdin = b
		}
		if t.place(&item, "hooks", h, item.Source) {
			lists = append(lists, resource.HookList{Type: key, Hooks: []string{h.Metadata.Name}})
		}
		t.report.add(item)
	}
	return lists
}

// proxyRequests maps client_attributes to entity_attributes expressions.
func proxyRequests(pr map[string]any, note func(string, ...any)) *resource.ProxyRequests {
	out := &resource.ProxyRequests{}
	if attrs, ok := hash(pr["client_attributes"]); ok {
		exprs, problems := attributeExpressions(attrs, "client")
		out.EntityAttributes = exprs
		for _, p := range problems {
			note("proxy_requests: %s", p)
		}
	}
	if b, ok := boolean(pr["splay"]); ok {
		out.Splay = b
	}
	if v, ok := integer(pr["splay_coverage"]); ok {
		out.SplayCoverage = uint32(v)
	}
	return out
}

func describeTokens(before, after string) string {
	return fmt.Sprintf("%q became %q", before, after)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func appendUnique(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

// quoteJS writes a JavaScript literal for a JSON scalar.
func quoteJS(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "null", true
	}
	if f, ok := num(v); ok {
		return strconv.FormatFloat(f, 'g', -1, 64), true
	}
	return "", false
}
