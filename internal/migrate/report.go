package migrate

import (
	"sort"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// Report says what became of every source object: each configuration
// definition and scope, and every Redis key.
type Report struct {
	Items   []Item       `json:"items"`
	Summary []SummaryRow `json:"summary"`

	// sink, when set, receives the items instead of Items; counts keeps
	// the summary.
	sink   func(Item)
	counts map[string]*SummaryRow
}

// Item is one source object.
type Item struct {
	// Kind is check, handler, filter, mutator, extension, scope, client,
	// result, event, silence, stash, aggregate or key.
	Kind string `json:"kind"`
	// Source names it: "checks.check-disk" or the Redis key.
	Source  string `json:"source"`
	Outcome string `json:"outcome"`
	// Resources are what it became, as "core/v2.CheckConfig default/check-disk".
	Resources []string `json:"resources,omitempty"`
	// Notes say what changed, or why there is no equivalent.
	Notes []string `json:"notes,omitempty"`
	// Keys are the Redis keys it was read from.
	Keys []string `json:"keys,omitempty"`
	// Content is kept for objects with no equivalent, so nothing is lost.
	Content any `json:"content,omitempty"`
}

// SummaryRow counts the outcomes of one kind.
type SummaryRow struct {
	Kind                  string `json:"kind"`
	Translated            int    `json:"translated"`
	TranslatedWithChanges int    `json:"translated_with_changes"`
	NoEquivalent          int    `json:"no_equivalent"`
	Invalid               int    `json:"invalid"`
}

func (r *Report) add(it Item) {
	if it.Outcome == "" {
		it.Outcome = Translated
		if len(it.Notes) > 0 {
			it.Outcome = TranslatedWithChanges
		}
	}
	if r.sink != nil {
		r.count(it)
		r.sink(it)
		return
	}
	r.Items = append(r.Items, it)
}

// flush hands the kept items to the sink (the configuration's items are
// kept until checkReferences has added its notes).
func (r *Report) flush() {
	if r.sink == nil {
		return
	}
	for _, it := range r.Items {
		r.count(it)
		r.sink(it)
	}
	r.Items = nil
}

func (r *Report) count(it Item) {
	if r.counts == nil {
		r.counts = map[string]*SummaryRow{}
	}
	row := r.counts[it.Kind]
	if row == nil {
		row = &SummaryRow{Kind: it.Kind}
		r.counts[it.Kind] = row
	}
	switch it.Outcome {
	case Translated:
		row.Translated++
	case TranslatedWithChanges:
		row.TranslatedWithChanges++
	case NoEquivalent:
		row.NoEquivalent++
	default:
		row.Invalid++
	}
}

// kindOrder is the order of the summary.
var kindOrder = []string{"scope", "check", "hook", "handler", "filter", "mutator", "extension", "client", "result", "event", "silence", "stash", "aggregate", "dangling", "key"}

func (r *Report) finish() {
	sort.SliceStable(r.Items, func(i, j int) bool {
		if r.Items[i].Kind != r.Items[j].Kind {
			return kindRank(r.Items[i].Kind) < kindRank(r.Items[j].Kind)
		}
		return r.Items[i].Source < r.Items[j].Source
	})
	// Outcomes may change after an item was added (checkReferences): count
	// the kept items again; with a sink the counts made on the way stand.
	if r.sink == nil {
		r.counts = nil
		for _, it := range r.Items {
			r.count(it)
		}
	}
	r.Summary = nil
	for _, k := range kindOrder {
		if row := r.counts[k]; row != nil {
			r.Summary = append(r.Summary, *row)
		}
	}
}

func kindRank(k string) int {
	for i, o := range kindOrder {
		if o == k {
			return i
		}
	}
	return len(kindOrder)
}

// Count returns how many items have the outcome.
func (r *Report) Count(outcome string) int {
	n := 0
	for _, it := range r.Items {
		if it.Outcome == outcome {
			n++
		}
	}
	return n
}

// ref names a resource in the report.
func ref(t *resource.Type, o resource.Object) string {
	m := o.Meta()
	name := resource.StoreName(o)
	if t.Namespaced {
		return t.FullName() + " " + m.Namespace + "/" + name
	}
	return t.FullName() + " " + name
}
