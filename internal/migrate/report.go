package migrate

import (
	"fmt"
	"sort"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// Report says what became of every source object: each configuration
// definition and scope, and every Redis key.
type Report struct {
	Items   []Item       `json:"items"`
	Summary []SummaryRow `json:"summary"`
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
	r.Items = append(r.Items, it)
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
	rows := map[string]*SummaryRow{}
	for _, it := range r.Items {
		row := rows[it.Kind]
		if row == nil {
			row = &SummaryRow{Kind: it.Kind}
			rows[it.Kind] = row
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
	r.Summary = nil
	for _, k := range kindOrder {
		if row := rows[k]; row != nil {
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
		return fmt.Sprintf("%s %s/%s", t.FullName(), m.Namespace, name)
	}
	return fmt.Sprintf("%s %s", t.FullName(), name)
}
