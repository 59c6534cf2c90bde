package manifest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// Item is one decoded, validated resource and where it came from.
type Item struct {
	Type   *resource.Type
	Object resource.Object
	Key    string
	Doc    *Document
}

// Where names the item's location: "file:line: document N".
func (it Item) Where() string { return it.Doc.where("") }

func (d *Document) where(field string) string {
	line := d.Line
	if field != "" && d.node != nil {
		if l := fieldLine(d.node, field); l > 0 {
			line = l + d.lineOffset
		}
	}
	return fmt.Sprintf("%s:%d: document %d", d.Source, line, d.Index)
}

// Options control Load.
type Options struct {
	// DefaultNamespace is given to namespaced resources that name none.
	DefaultNamespace string
	// Label, when set, is added to every resource's labels (key=value),
	// as sensuctl create stamps sensu.io/managed_by=sensuctl.
	Label [2]string
}

// maxProblems caps the problems listed in one error.
const maxProblems = 20

// Error lists every problem found in the input.
type Error struct {
	Problems []string
	// More counts problems not listed.
	More int
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the input, nothing was written:", len(e.Problems)+e.More)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", e.More)
	}
	return b.String()
}

// ErrNoResources is returned for input with no documents at all.
var ErrNoResources = errors.New("no resources found in the input")

func (e *Error) add(p string) {
	if len(e.Problems) < maxProblems {
		e.Problems = append(e.Problems, p)
	} else {
		e.More++
	}
}

// Load splits, decodes and validates every document of every source, in
// parallel, and checks that no resource appears twice. It returns the items
// in input order, warnings (unknown spec fields), and an *Error listing
// every problem.
func Load(sources []Source, opts Options) ([]Item, []string, error) {
	var docs []*Document
	problems := &Error{}
	for _, src := range sources {
		d, err := Split(src)
		if err != nil {
			problems.add(err.Error())
			continue
		}
		docs = append(docs, d...)
	}
	if len(problems.Problems) > 0 {
		return nil, nil, problems
	}
	if len(docs) == 0 {
		return nil, nil, ErrNoResources
	}

	type result struct {
		item     Item
		warnings []string
		err      string
	}
	results := make([]result, len(docs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	next := make(chan int, workers)
	for range workers {
		wg.Go(func() {
			for i := range next {
				item, warnings, err := decode(docs[i], opts)
				results[i] = result{item, warnings, err}
			}
		})
	}
	for i := range docs {
		next <- i
	}
	close(next)
	wg.Wait()

	var items []Item
	var warnings []string
	seen := map[string]*Document{}
	for _, r := range results {
		for _, w := range r.warnings {
			warnings = append(warnings, w)
		}
		if r.err != "" {
			problems.add(r.err)
			continue
		}
		if first, dup := seen[r.item.Key]; dup {
			problems.add(fmt.Sprintf("%s (%s): duplicate of %s (same type, namespace and name)", r.item.Where(), describe(r.item), first.where("")))
			continue
		}
		seen[r.item.Key] = r.item.Doc
		items = append(items, r.item)
	}
	if len(problems.Problems) > 0 {
		return nil, warnings, problems
	}
	return items, warnings, nil
}

func decode(doc *Document, opts Options) (Item, []string, string) {
	d, err := resource.Decode(doc.JSON)
	if err != nil {
		return Item{}, nil, located(doc, "", err)
	}
	it := Item{Type: d.Type, Object: d.Object, Doc: doc}
	var warnings []string
	for _, w := range d.Warnings {
		warnings = append(warnings, fmt.Sprintf("%s (%s): %s", doc.where(""), describe(it), w))
	}
	if opts.Label[0] != "" {
		resource.SetLabel(d.Object, opts.Label[0], opts.Label[1])
	}
	if err := resource.Prepare(d.Type, d.Object, opts.DefaultNamespace); err != nil {
		return Item{}, nil, located(doc, describe(it), err)
	}
	it.Key = d.Type.KeyOf(d.Object)
	return it, warnings, ""
}

func located(doc *Document, what string, err error) string {
	var fe *resource.FieldError
	field := ""
	if errors.As(err, &fe) {
		field = fe.Field
	}
	if what != "" {
		return fmt.Sprintf("%s (%s): %v", doc.where(field), what, err)
	}
	return fmt.Sprintf("%s: %v", doc.where(field), err)
}

func describe(it Item) string {
	if it.Type == nil {
		return ""
	}
	m := it.Object.Meta()
	name := resource.StoreName(it.Object)
	if m.Namespace != "" {
		return fmt.Sprintf("%s %s/%s", it.Type.Kind, m.Namespace, name)
	}
	if name == "" {
		return it.Type.Kind
	}
	return it.Type.Kind + " " + name
}
