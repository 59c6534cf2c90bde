package migrate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1token"
	"github.com/sensu-etcd/sensu/internal/resource"
)

// clientSource is where a client's definition came from.
type clientSource struct {
	attrs  map[string]any
	source string
	keys   []string
	notes  []string
}

// clientConfig takes a per-client configuration directory: its client
// scope and its standalone checks.
func (t *translator) clientConfig(c ClientConfig) {
	client := c.Settings.Client()
	name, _ := str(client["name"])
	if name == "" {
		t.report.add(Item{Kind: "client", Source: c.Source, Outcome: Invalid, Notes: []string{"the client scope has no name"}})
		return
	}
	if _, dup := t.configClients[name]; !dup {
		t.configClients[name] = len(t.configSources)
	}
	t.configSources = append(t.configSources, clientSource{attrs: client, source: c.Source})
	t.checks(c.Settings, name)
}

// clientEntities turns the Redis clients of a part into entities; a client
// also configured in a directory gets a note (the registry's copy wins).
func (t *translator) clientEntities(part *sensu1redis.Snapshot) {
	for _, c := range part.Clients {
		keys := []string{"client:" + c.Name}
		if c.HasSignature {
			keys = append(keys, "client:"+c.Name+":signature")
		}
		src := clientSource{attrs: c.Data, source: "client:" + c.Name, keys: keys}
		if c.Signature == "invalidated" {
			src.notes = append(src.notes, "the 1.x client was deleted with invalidate=true (signature \"invalidated\"): migrated all the same; delete the entity if it should stay gone")
		} else if c.Signature != "" {
			src.notes = append(src.notes, "the client signature has no Sensu Go equivalent (agents authenticate with users)")
		}
		if !c.InClientsSet {
			src.notes = append(src.notes, "not in the clients set: 1.x did not list it")
		}
		for _, cs := range t.configSources {
			if name, _ := str(cs.attrs["name"]); name == c.Name {
				src.notes = append(src.notes, fmt.Sprintf("also configured in %s (client %s): the registry's copy, what the client last sent, is used", cs.source, c.Name))
			}
		}
		t.seenClients[c.Name] = true
		t.entity(c.Name, src)
	}
}

// configOnlyEntities makes the entities of configured clients that Redis
// did not have, from their first directory.
func (t *translator) configOnlyEntities() {
	byName := map[string]clientSource{}
	for _, cs := range t.configSources {
		name, _ := str(cs.attrs["name"])
		if t.seenClients[name] {
			continue
		}
		if src, ok := byName[name]; ok {
			src.notes = append(src.notes, fmt.Sprintf("also configured in %s: the first directory's copy is used", cs.source))
			byName[name] = src
			continue
		}
		byName[name] = clientSource{attrs: cs.attrs, source: cs.source + " (client " + name + ")",
			notes: []string{"not in the Redis registry: made from its configuration"}}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.entity(n, byName[n])
	}
}

func (t *translator) entity(name string, src clientSource) {
	item := Item{Kind: "client", Source: src.source, Keys: src.keys, Notes: src.notes}
	note := func(format string, args ...any) { item.Notes = append(item.Notes, fmt.Sprintf(format, args...)) }
	a := src.attrs
	e := &resource.Entity{EntityClass: "agent", Deregistration: resource.Deregistration{}}
	e.Metadata = resource.ObjectMeta{Name: name, Namespace: t.opts.Namespace}
	typ, _ := str(a["type"])
	keepalives, hasKeepalives := boolean(a["keepalives"])
	if typ == "proxy" || hasKeepalives && !keepalives {
		e.EntityClass = "proxy"
	}
	subs, _ := strings_(a["subscriptions"])
	for _, s := range subs {
		switch {
		case strings.HasPrefix(s, "client:"):
			s = "entity:" + strings.TrimPrefix(s, "client:")
		default:
			// Checks lose the prefix (round_robin instead): so do entities.
			s, _ = roundRobinPrefix(s)
		}
		e.Subscriptions = appendUnique(e.Subscriptions, s)
	}
	e.Subscriptions = appendUnique(e.Subscriptions, "entity:"+name)
	labels, skipped := sensu1token.Flatten(a)
	for k, v := range labels {
		if v == "REDACTED" {
			delete(labels, k)
			note("attribute %s is REDACTED in the 1.x registry: not copied (set it on the agent)", k)
		}
	}
	if len(labels) > 0 {
		e.Metadata.Labels = labels
	}
	for _, s := range skipped {
		if !entityFieldAttrs[strings.SplitN(s.Path, ".", 2)[0]] {
			note("attribute %s: %s", s.Path, s.Reason)
		}
	}
	// Labels hold every attribute, secrets included, because check commands
	// read them through tokens; the redact list makes Sensu Go hide them.
	redact := defaultRedact
	if r, ok := strings_(a["redact"]); ok {
		redact = r
	}
	e.Redact = append([]string(nil), redact...)
	// Sensu Go redacts whole label keys: add the flattened keys of secrets.
	for k := range labels {
		last := k[strings.LastIndex(k, ".")+1:]
		if k != last && contains(redact, last) {
			e.Redact = appendUnique(e.Redact, k)
		}
	}
	sort.Strings(e.Redact[len(redact):])
	if b, ok := boolean(a["deregister"]); ok {
		e.Deregister = b
	}
	if d, ok := hash(a["deregistration"]); ok {
		e.Deregistration.Handler, _ = str(d["handler"])
	}
	if k, ok := hash(a["keepalive"]); ok {
		if hs, ok := strings_(k["handlers"]); ok {
			e.KeepaliveHandlers = hs
		} else if h, ok := str(k["handler"]); ok {
			e.KeepaliveHandlers = []string{h}
		}
		if _, ok := k["thresholds"]; ok {
			note("keepalive thresholds are agent settings in Sensu Go (keepalive-warning-timeout, keepalive-critical-timeout)")
		}
	}
	e.SensuAgentVersion, _ = str(a["version"])
	if ts, ok := integer(a["timestamp"]); ok {
		e.LastSeen = ts
	}
	t.place(&item, "entities", e, src.source)
	t.report.add(item)
}

// defaultRedact is the list of attribute names 1.x redacts by default.
var defaultRedact = []string{"password", "passwd", "pass", "api_key", "api_token", "access_key", "secret_key",
	"private_key", "secret", "routing_key", "access_token_read", "access_token_write", "access_token_path",
	"webhook_url", "nickserv_password", "channel_password", "community", "keystore_password",
	"truststore_password", "proxy_password", "access_key_id", "secret_access_key"}

// entityFieldAttrs are client attributes that became entity fields, not labels.
var entityFieldAttrs = map[string]bool{
	"name": true, "subscriptions": true, "redact": true, "version": true, "timestamp": true,
	"type": true, "keepalive": true, "keepalives": true, "deregister": true, "deregistration": true,
	"signature": true, "registration": true, "socket": true, "http_socket": true, "safe_mode": true,
}

// clientState translates a part's results and events, and reports its
// invalid values, dangling result-set members and the client keys no item
// used.
func (t *translator) clientState(part *sensu1redis.Snapshot) {
	accounted := map[string]bool{}
	add := func(it Item) {
		for _, k := range it.Keys {
			accounted[k] = true
		}
		t.report.add(it)
	}
	for _, c := range part.Clients {
		accounted["client:"+c.Name] = true
		if c.HasSignature {
			accounted["client:"+c.Name+":signature"] = true
		}
	}
	for _, inv := range part.Invalid {
		if sensu1redis.ClientScoped(sensu1redis.KeyCategory(inv.Key)) {
			add(invalidItem(inv))
		}
	}
	t.events(part, add)
	for _, d := range part.Dangling {
		if strings.HasPrefix(d.Set, "result:") {
			add(danglingItem(d))
		}
	}
	t.leftoverKeys(part.Keys, accounted, true)
}

// globalState translates silences and reports stashes, aggregates,
// invalid values, dangling members and the other keys.
func (t *translator) globalState(s *sensu1redis.Snapshot) {
	accounted := map[string]bool{}
	add := func(it Item) {
		for _, k := range it.Keys {
			accounted[k] = true
		}
		t.report.add(it)
	}
	for _, inv := range s.Invalid {
		if !sensu1redis.ClientScoped(sensu1redis.KeyCategory(inv.Key)) {
			add(invalidItem(inv))
		}
	}
	for _, sil := range s.Silences {
		add(t.silence(sil))
	}
	for _, st := range s.Stashes {
		it := Item{Kind: "stash", Source: "stash:" + st.Path, Keys: []string{"stash:" + st.Path}, Outcome: NoEquivalent, Content: st.Data,
			Notes: []string{"stashes (the 1.x key-value store) have no Sensu Go equivalent"}}
		if st.Legacy {
			it.Notes = append(it.Notes, "a stash-based silence of 1.x before 0.26: create a silence instead if it is still wanted")
		}
		add(it)
	}
	for _, ag := range s.Aggregates {
		add(Item{Kind: "aggregate", Source: "aggregates:" + ag.Name, Keys: []string{"aggregates:" + ag.Name}, Outcome: NoEquivalent, Content: ag.Members,
			Notes: []string{"aggregates: use the sensu-aggregate-check asset and entity labels in Sensu Go"}})
	}
	for _, d := range s.Dangling {
		if !strings.HasPrefix(d.Set, "result:") {
			add(danglingItem(d))
		}
	}
	t.leftoverKeys(s.Keys, accounted, false)
}

func invalidItem(inv sensu1redis.InvalidValue) Item {
	source := inv.Key
	if inv.Field != "" {
		source += " " + inv.Field
	}
	it := Item{Kind: "key", Source: source, Keys: []string{inv.Key}, Outcome: Invalid, Notes: []string{inv.Error}}
	if inv.Field != "" {
		it.Keys = nil // the hash's other fields are translated
	}
	return it
}

func danglingItem(d sensu1redis.Dangling) Item {
	return Item{Kind: "dangling", Source: d.Set + " " + d.Member, Outcome: NoEquivalent,
		Notes: []string{fmt.Sprintf("member of %s whose key %s is missing (expired or deleted): 1.x ignores it too", d.Set, d.MissingKey)}}
}

// leftoverKeys reports the keys of one side (client-scoped or not) that no
// item used.
func (t *translator) leftoverKeys(keys []sensu1redis.Key, accounted map[string]bool, clientSide bool) {
	why := map[string]string{
		"clients-set": "index of clients: each member is reported as a client", "result-set": "index of results: each result is reported",
		"silenced-set": "index of silences: each silence is reported", "ttl-set": "index of TTL-monitored results (Sensu Go checks carry ttl)",
		"aggregates-set": "index of aggregates: each aggregate is reported", "stashes-set": "index of stashes: each stash is reported",
		"servers-set": "1.x server registry", "server": "1.x server registry entry (expires after 30 s)",
		"task": "1.x server task ownership", "task-lock": "1.x server task election lock", "tessen": "1.x call-home install ID",
		"transport": "in-flight messages of the 1.x Redis transport", "legacy": "key of a 1.x version before 0.29",
		"unknown": "not a Sensu 1.9 key (another application, or Sensu Enterprise)",
	}
	for _, k := range keys {
		if accounted[k.Key] || sensu1redis.ClientScoped(k.Category) != clientSide {
			continue
		}
		reason, ok := why[k.Category]
		outcome := NoEquivalent
		if strings.HasSuffix(k.Category, "-set") && k.Category != "servers-set" {
			outcome = Translated
		}
		if !ok {
			// A client, result or event key that no item used: what it
			// belongs to is gone (a 1.x deletion finished part way, or expired).
			reason = "a " + k.Category + " key whose client or result is missing: nothing to attach it to"
		}
		t.report.add(Item{Kind: "key", Source: k.Key, Keys: []string{k.Key}, Outcome: outcome, Notes: []string{reason}})
	}
}

type pair struct{ client, check string }

// events turns every client/check pair with a result or a stored event
// into an Event. When both exist and disagree, the newer by executed wins.
func (t *translator) events(s *sensu1redis.Snapshot, add func(Item)) {
	results := map[pair]*sensu1redis.Result{}
	stored := map[pair]*sensu1redis.Event{}
	var pairs []pair
	for i := range s.Results {
		r := &s.Results[i]
		p := pair{r.Client, r.Check}
		results[p] = r
		pairs = append(pairs, p)
	}
	for i := range s.Events {
		e := &s.Events[i]
		p := pair{e.Client, e.Check}
		stored[p] = e
		if _, ok := results[p]; !ok {
			pairs = append(pairs, p)
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].client != pairs[j].client {
			return pairs[i].client < pairs[j].client
		}
		return pairs[i].check < pairs[j].check
	})
	for _, p := range pairs {
		add(t.event(p, results[p], stored[p]))
	}
}

func (t *translator) event(p pair, r *sensu1redis.Result, se *sensu1redis.Event) Item {
	item := Item{Kind: "result", Source: p.client + "/" + p.check, Keys: make([]string, 0, 4)}
	note := func(format string, args ...any) { item.Notes = append(item.Notes, fmt.Sprintf(format, args...)) }
	var check, evData map[string]any
	if r != nil {
		check = r.Data
		history := "history:" + p.client + ":" + p.check
		item.Keys = append(item.Keys, "result:"+p.client+":"+p.check, history)
		if r.HasLastOK {
			item.Keys = append(item.Keys, history+":last_ok")
		}
	}
	// A stored event is kept while 1.x handles a problem; the latest result
	// can be newer (auto_resolve false leaves an old event behind). The
	// newer wins; on a tie the event, which carries more.
	useEvent := false
	if se != nil {
		item.Kind = "event"
		item.Keys = append(item.Keys, "events:"+p.client)
		if ec, ok := hash(se.Data["check"]); ok {
			re, _ := integer(check["executed"])
			ee, _ := integer(ec["executed"])
			switch {
			case check == nil || ee >= re:
				check, useEvent = ec, true
			default:
				note("the stored event (executed %d, status %v) is older than the latest result (executed %d, status %v): the result is used, the event's occurrences and silencing are not", ee, ec["status"], re, check["status"])
			}
		}
		if useEvent {
			evData = se.Data
		}
	}
	// The stored event's ID names the event whichever data wins.
	var storedID string
	if se != nil {
		storedID, _ = str(se.Data["id"])
	}
	entity, _ := t.planned(mustType("entities"), t.opts.Namespace, p.client).(*resource.Entity)
	if entity == nil {
		entity = &resource.Entity{EntityClass: "proxy", Subscriptions: []string{"entity:" + p.client}}
		entity.Metadata = resource.ObjectMeta{Name: p.client, Namespace: t.opts.Namespace}
		t.add(mustType("entities"), entity, item.Source)
		note("client %s is not in the registry: a proxy entity was created for its events", p.client)
	}
	c := &resource.Check{}
	c.Metadata = resource.ObjectMeta{Name: p.check, Namespace: t.opts.Namespace}
	c.Command, _ = str(check["command"])
	subs, _ := strings_(check["subscribers"])
	for _, sub := range subs {
		sub, _ = roundRobinPrefix(sub)
		if strings.HasPrefix(sub, "client:") {
			sub = "entity:" + strings.TrimPrefix(sub, "client:")
		}
		c.Subscriptions = appendUnique(c.Subscriptions, sub)
	}
	if c.Subscriptions == nil {
		c.Subscriptions = []string{}
	}
	if v, ok := integer(check["interval"]); ok && v > 0 {
		c.Interval = uint32(v)
	}
	if hs, ok := strings_(check["handlers"]); ok {
		c.Handlers = hs
	} else if h, ok := str(check["handler"]); ok {
		c.Handlers = []string{h}
	}
	if v, ok := integer(check["status"]); ok && v >= 0 {
		c.Status = uint32(v)
	}
	c.Output, _ = str(check["output"])
	c.Executed, _ = integer(check["executed"])
	c.Issued, _ = integer(check["issued"])
	if d, ok := num(check["duration"]); ok {
		c.Duration = d
	}
	if src, ok := str(check["source"]); ok && !strings.Contains(src, ":::") {
		c.ProxyEntityName = src
	}
	if v, ok := integer(check["total_state_change"]); ok {
		c.TotalStateChange = uint32(v)
	}
	// A result without an interval (keepalives, results sent by hand) was
	// not scheduled: Sensu Go refuses a published check without one.
	c.Publish = c.Interval > 0
	// History: 1.x keeps statuses only; executed is back-filled one interval apart.
	var history []int
	if r != nil {
		history = r.History
		if r.HasLastOK {
			c.LastOK = r.LastOK
		}
	}
	if c.LastOK == 0 && evData != nil {
		c.LastOK, _ = integer(evData["last_ok"])
	}
	if _, ok := hash(check["hooks"]); ok {
		note("hook results (check.hooks) are not carried over: Sensu Go events keep hook results of its own agents")
	}
	if len(history) == 0 {
		if hs, ok := check["history"].([]any); ok {
			for _, h := range hs {
				if v, ok := integer(h); ok {
					history = append(history, int(v))
				}
			}
		}
	}
	step := int64(c.Interval)
	if step == 0 {
		step = 60
	}
	if len(history) > 0 {
		c.History = make([]resource.CheckHistory, len(history))
		for i, st := range history {
			c.History[i] = resource.CheckHistory{Status: uint32(st), Executed: c.Executed - int64(len(history)-1-i)*step}
		}
		item.Notes = append(item.Notes, t.historyNote(step))
	}
	// Occurrences: the stored event's, else the run of equal statuses at the end.
	run := 1
	for i := len(history) - 1; i > 0 && history[i-1] == history[i]; i-- {
		run++
	}
	c.Occurrences, c.OccurrencesWatermark = int64(run), int64(run)
	ev := &resource.Event{Entity: entity, Check: c}
	ev.Metadata = resource.ObjectMeta{Namespace: t.opts.Namespace}
	c.State = "passing"
	if c.Status != 0 {
		c.State = "failing"
	}
	ev.Timestamp = c.Executed
	if evData != nil {
		if v, ok := integer(evData["occurrences"]); ok {
			c.Occurrences = v
		}
		if v, ok := integer(evData["occurrences_watermark"]); ok {
			c.OccurrencesWatermark = v
		}
		if a, _ := str(evData["action"]); a == "flapping" {
			c.State = "flapping"
		}
		if b, ok := boolean(evData["silenced"]); ok {
			c.IsSilenced = b
		}
		if by, ok := strings_(evData["silenced_by"]); ok {
			for _, id := range by {
				c.Silenced = append(c.Silenced, silenceName(id))
			}
		}
		if ts, ok := integer(evData["timestamp"]); ok {
			ev.Timestamp = ts
		}
	}
	if _, err := uuid.Parse(storedID); err == nil {
		ev.ID = resource.EventID(storedID)
	}
	if ev.ID == "" {
		ev.ID = resource.EventID(deterministicID(p.client, p.check))
	}
	for _, k := range []string{"handle", "auto_resolve", "ttl_status", "aggregate", "aggregates", "type", "origin"} {
		if v, ok := check[k]; ok && k != "type" || ok && fmt.Sprint(v) != "standard" {
			note("check attribute %s=%v has no field in a Sensu Go event: dropped", k, v)
		}
	}
	t.place(&item, "events", ev, item.Source)
	return item
}

// historyNote is the report's note on back-filled history times, made once
// per interval: most events share a few.
func (t *translator) historyNote(step int64) string {
	n, ok := t.historyNotes[step]
	if !ok {
		n = fmt.Sprintf("history: 1.x keeps statuses only; their times are back-filled %d s apart from the last execution", step)
		t.historyNotes[step] = n
	}
	return n
}

// silenceName maps a 1.x silence id to the Sensu Go name.
func silenceName(id string) string {
	if strings.HasPrefix(id, "client:") {
		return "entity:" + strings.TrimPrefix(id, "client:")
	}
	return id
}

// expiryGranularity rounds expire_at, so that a rerun a few seconds later
// computes the same value and changes nothing.
const expiryGranularity = 10

func (t *translator) silence(s sensu1redis.Silence) Item {
	item := Item{Kind: "silence", Source: "silence:" + s.ID, Keys: []string{"silence:" + s.ID}}
	sil := &resource.Silenced{}
	sil.Subscription, _ = str(s.Data["subscription"])
	if strings.HasPrefix(sil.Subscription, "client:") {
		sil.Subscription = "entity:" + strings.TrimPrefix(sil.Subscription, "client:")
		item.Notes = append(item.Notes, "client subscription "+s.ID+" became "+sil.Subscription)
	}
	sil.Check, _ = str(s.Data["check"])
	sil.Reason, _ = str(s.Data["reason"])
	sil.Creator, _ = str(s.Data["creator"])
	if b, ok := boolean(s.Data["expire_on_resolve"]); ok {
		sil.ExpireOnResolve = b
	}
	created, _ := integer(s.Data["timestamp"])
	if b, ok := integer(s.Data["begin"]); ok {
		sil.Begin = b
	} else {
		sil.Begin = created
	}
	if s.TTL < 0 {
		sil.Expire = -1
	} else {
		// The expiry instant does not move while the TTL counts down: the
		// reader measured it when the reply came (ExpiresAt); rounded up to
		// whole 10 s it is the same on a rerun.
		expires := s.ExpiresAt
		if expires.IsZero() {
			expires = t.opts.Now.Add(s.TTL)
		}
		atMs := expires.UnixMilli()
		at := (atMs + expiryGranularity*1000 - 1) / (expiryGranularity * 1000) * expiryGranularity
		sil.ExpireAt = at
		sil.Expire = at - sil.Begin
		item.Notes = append(item.Notes, fmt.Sprintf("expires at %s (the Redis TTL, %s left, rounded up to %d s)",
			time.Unix(at, 0).UTC().Format(time.RFC3339), s.TTL.Round(time.Second), expiryGranularity))
	}
	sil.Metadata = resource.ObjectMeta{Name: resource.SilencedName(sil.Subscription, sil.Check), Namespace: t.opts.Namespace}
	t.place(&item, "silenced", sil, item.Source)
	return item
}
