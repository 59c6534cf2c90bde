package manifest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/dustin/go-humanize"
	"gopkg.in/yaml.v3"

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
	if field != "" && d.node == nil && d.yamlSource != nil {
		var n yaml.Node
		if yaml.Unmarshal(d.yamlSource, &n) == nil && len(n.Content) > 0 {
			d.node = n.Content[0]
		}
	}
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
	// CreatedBy, when set, is recorded as every resource's
	// metadata.created_by, as Sensu Go's API does on create.
	CreatedBy string
}

// MaxDocumentBytes is the largest resource accepted: etcd refuses a
// request over its --max-request-bytes, 1.5 MiB unless sensu-backend is
// started with another --etcd-max-request-bytes. Checking it while reading
// refuses the input before anything is written, with the document named.
const MaxDocumentBytes = 1536 * 1024

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
	type job struct {
		source string
		c      chunk
	}
	type decoded struct {
		doc      *Document
		item     Item
		warnings []string
		err      error
	}
	type result struct {
		docs []decoded
		err  error
	}
	var jobs []job
	for _, src := range sources {
		for _, c := range splitChunks(src.Data) {
			if _, at := firstContent(c.data); at >= 0 {
				jobs = append(jobs, job{src.Name, c})
			}
		}
	}
	// Parsing, decoding and validating dominate: chunks are parsed and
	// decoded in parallel. A chunk of many documents (a JSON file is one
	// chunk) is only parsed there; its documents are decoded in parallel
	// afterwards. A YAML chunk is decoded at once, so its node tree is
	// dropped early and memory stays near the size of the input.
	const decodeAtOnce = 16
	results := make([]result, len(jobs))
	decodeOne := func(d *decoded) {
		d.item, d.warnings, d.err = decode(d.doc, opts)
		if d.err == nil {
			d.doc.JSON, d.doc.node, d.doc.yamlSource = nil, nil, nil // only needed to explain errors
		}
	}
	parallel(len(jobs), func(i int) {
		docs, err := parseChunk(jobs[i].source, jobs[i].c)
		results[i] = result{err: err, docs: make([]decoded, len(docs))}
		for j, doc := range docs {
			results[i].docs[j].doc = doc
			if len(docs) <= decodeAtOnce {
				decodeOne(&results[i].docs[j])
			}
		}
	})
	var rest []*decoded
	for i := range results {
		if len(results[i].docs) > decodeAtOnce {
			for j := range results[i].docs {
				rest = append(rest, &results[i].docs[j])
			}
		}
	}
	parallel(len(rest), func(i int) { decodeOne(rest[i]) })

	problems := &Error{}
	var items []Item
	var warnings []string
	seen := map[string]*Document{}
	index, source := 0, ""
	for i, r := range results {
		if jobs[i].source != source {
			index, source = 0, jobs[i].source
		}
		if r.err != nil {
			problems.add(r.err.Error())
			continue
		}
		for _, d := range r.docs {
			index++
			d.doc.Index = index
			if d.err != nil {
				problems.add(located(d.doc, describe(d.item), d.err))
				continue
			}
			for _, w := range d.warnings {
				warnings = append(warnings, fmt.Sprintf("%s (%s): %s", d.doc.where(""), describe(d.item), w))
			}
			if first, dup := seen[d.item.Key]; dup {
				problems.add(fmt.Sprintf("%s (%s): duplicate of %s (same type, namespace and name)", d.item.Where(), describe(d.item), first.where("")))
				continue
			}
			seen[d.item.Key] = d.doc
			items = append(items, d.item)
		}
	}
	if len(problems.Problems) > 0 {
		return nil, warnings, problems
	}
	if len(items) == 0 {
		return nil, warnings, ErrNoResources
	}
	return items, warnings, nil
}

// parallel calls fn(0..n-1) on every CPU.
func parallel(n int, fn func(int)) {
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// decode turns a document into an item. The item has its Type and Object
// even when validation fails, so the error can say what it is about.
func decode(doc *Document, opts Options) (Item, []string, error) {
	if len(doc.JSON) > MaxDocumentBytes {
		return Item{Doc: doc}, nil, fmt.Errorf("the resource is %s as JSON: more than one etcd request carries (%s, the default of sensu-backend's --etcd-max-request-bytes, as in Sensu Go)",
			humanize.IBytes(uint64(len(doc.JSON))), humanize.IBytes(MaxDocumentBytes))
	}
	d, err := resource.Decode(doc.JSON)
	if err != nil {
		return Item{Doc: doc}, nil, err
	}
	it := Item{Type: d.Type, Object: d.Object, Doc: doc}
	if opts.Label[0] != "" {
		resource.SetLabel(d.Object, opts.Label[0], opts.Label[1])
	}
	if opts.CreatedBy != "" {
		resource.SetCreatedBy(d.Object, opts.CreatedBy)
	}
	if err := resource.Prepare(d.Type, d.Object, opts.DefaultNamespace); err != nil {
		return it, nil, err
	}
	it.Key = d.Type.KeyOf(d.Object)
	return it, d.Warnings, nil
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
	// A name may be what is wrong (too long): keep messages one line.
	if len(name) > 60 {
		name = name[:60] + "…"
	}
	if len(m.Namespace) > 60 {
		m.Namespace = m.Namespace[:60] + "…"
	}
	if m.Namespace != "" {
		return fmt.Sprintf("%s %s/%s", it.Type.Kind, m.Namespace, name)
	}
	if name == "" {
		return it.Type.Kind
	}
	return it.Type.Kind + " " + name
}
