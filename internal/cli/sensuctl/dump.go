package sensuctl

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/resource"
	"github.com/sensu-etcd/sensu/internal/store"
)

type dumpOptions struct {
	Force          bool
	AllNamespaces  bool
	Omit           string
	File           string
	IncludeSecrets bool
}

func newDumpCommand(f *Factory) *cobra.Command {
	opts := &dumpOptions{}
	cmd := &cobra.Command{
		Use:   "dump [all|TYPE[,TYPE]...]",
		Short: "Write resources to stdout or a file, for backups and moving between clusters",
		Long: "Write every resource of the given types (default: all), read at one etcd\n" +
			"revision, in the wrapped type/api_version/metadata/spec format that 'sensuctl\n" +
			"restore' and Sensu Go's 'sensuctl create' read. Types are short names (checks),\n" +
			"kinds (CheckConfig) or fully qualified names (core/v2.CheckConfig); see\n" +
			"'sensuctl describe-type all'.\n\n" +
			"Formats (--format/-o): yaml (the default), wrapped-json, or json (one array).\n" +
			"The YAML starts with a comment giving the revision and cluster; every format\n" +
			"reports them on stderr. Cluster-wide types are always dumped in full; namespaced\n" +
			"types come from --namespace, or every namespace with --all-namespaces.\n\n" +
			"Secrets are left out unless --include-secrets: user password hashes (users are\n" +
			"then restored disabled) and API keys (whose names are the keys). Any read error\n" +
			"fails the dump; with -f the file appears only once the dump is complete, and an\n" +
			"existing file is only replaced with --force.",
		Example: "  sensuctl dump all --all-namespaces --include-secrets -f backup.yaml\n" +
			"  sensuctl dump checks,handlers -o wrapped-json\n" +
			"  sensuctl dump all --omit events,entities --all-namespaces",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			list := "all"
			if len(args) == 1 {
				list = args[0]
			}
			format, err := dumpFormat(f, cmd)
			if err != nil {
				return err
			}
			return runDump(cmd.Context(), f, list, format, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AllNamespaces, "all-namespaces", false, "dump namespaced types from every namespace")
	cmd.Flags().StringVar(&opts.Omit, "omit", "", "types to leave out, comma-separated")
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "write to this file (atomically, mode 0600) instead of stdout")
	cmd.Flags().BoolVar(&opts.IncludeSecrets, "include-secrets", false, "include user password hashes and API keys")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace the -f file if it exists")
	return cmd
}

// dumpFormat is --format, except that the table default means yaml; a table
// asked for on the command line is an error rather than silently yaml.
func dumpFormat(f *Factory, cmd *cobra.Command) (output.Format, error) {
	format := f.Printer().Format
	if format != output.FormatTable {
		return format, nil
	}
	if fl := cmd.Flags().Lookup("format"); fl != nil && fl.Changed {
		return "", usageError{fmt.Errorf("dump writes yaml, wrapped-json or json, not %s", f.Options.Format)}
	}
	return output.FormatYAML, nil
}

func runDump(ctx context.Context, f *Factory, list string, format output.Format, opts *dumpOptions) error {
	types, err := resource.ParseTypes(list, opts.Omit)
	if err != nil {
		return usageError{err}
	}
	explicit := list != "all" && !strings.Contains(","+list+",", ",all,")
	var skippedSecret []*resource.Type
	kept := types[:0]
	for _, t := range types {
		if t.Secret && !opts.IncludeSecrets {
			if explicit {
				return usageError{fmt.Errorf("%s are secrets (the name is the key): add --include-secrets to dump them", t.ShortName)}
			}
			skippedSecret = append(skippedSecret, t)
			continue
		}
		kept = append(kept, t)
	}
	types = kept
	if len(types) == 0 {
		return usageError{fmt.Errorf("no types left to dump")}
	}
	namespace := f.Options.Namespace
	if opts.AllNamespaces {
		namespace = ""
	}

	st, conn, err := f.Store()
	if err != nil {
		return err
	}
	rev, clusterID, err := st.Head(ctx)
	if err != nil {
		return conn.Explain(ctx, err, "dump")
	}

	var out io.Writer = f.IO.Out
	var file *atomicFile
	if opts.File != "" && !opts.Force {
		if _, err := os.Stat(opts.File); err == nil {
			return usageError{fmt.Errorf("%s exists: use --force to replace it", opts.File)}
		}
	}
	if opts.File != "" {
		if file, err = createAtomic(opts.File); err != nil {
			return err
		}
		defer file.Abort()
		out = file
	}
	scope := "namespace " + namespace
	if namespace == "" {
		scope = "all namespaces"
	}
	comment := fmt.Sprintf("sensuctl dump of cluster %s at etcd revision %d, %s, %s\ntypes: %s",
		orDash(clusterID, "(not initialized)"), rev, scope, time.Now().UTC().Format(time.RFC3339), typeNames(types))
	stream, err := output.NewStream(out, format, comment)
	if err != nil {
		return usageError{err}
	}
	// A dump allocates much and keeps little: collect less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	counts := map[*resource.Type]int{}
	render := func(kv store.KV, dst []byte, index int) ([]byte, error) {
		w, err := resource.Wrap(kv.Type, kv.Value, resource.WrapOptions{IncludeSecrets: opts.IncludeSecrets})
		if err != nil {
			return dst, fmt.Errorf("%s: %w", kv.Key, err)
		}
		if format == output.FormatYAML {
			return output.AppendResource(dst, format, wrappedYAML(w), index)
		}
		return output.AppendResource(dst, format, wrappedJSON(w), index)
	}
	pipe := newRenderPipeline(render, stream)
	_, err = st.Scan(ctx, types, namespace, rev, func(kv store.KV) error {
		counts[kv.Type]++
		return pipe.add(kv)
	})
	if perr := pipe.close(); err == nil {
		err = perr
	}
	if err != nil {
		return conn.Explain(ctx, err, "dump")
	}
	if err := stream.Close(); err != nil {
		return fmt.Errorf("write the dump: %w", err)
	}
	if file != nil {
		if err := file.Commit(); err != nil {
			return err
		}
	}
	var parts []string
	for _, t := range types {
		if counts[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[t], t.ShortName))
		}
	}
	dest := "stdout"
	if opts.File != "" {
		dest = opts.File
	}
	fmt.Fprintf(f.IO.ErrOut, "sensuctl: dumped %s at revision %d of cluster %s to %s",
		plural(stream.Count(), "resource"), rev, orDash(clusterID, "(not initialized)"), dest)
	if len(parts) > 0 {
		fmt.Fprintf(f.IO.ErrOut, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(f.IO.ErrOut)
	for _, t := range skippedSecret {
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: note: %s left out (secrets); add --include-secrets to dump them\n", t.ShortName)
	}
	if opts.IncludeSecrets && counts[mustType("entities")]+counts[mustType("events")] > 0 {
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: note: --include-secrets: entity labels and annotations named in redact are shown in clear, not as REDACTED\n")
	}
	if !opts.IncludeSecrets && counts[mustType("users")] > 0 {
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: note: user password hashes left out; restored users will be disabled unless they exist (use --include-secrets)\n")
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

func typeNames(types []*resource.Type) string {
	if len(types) == len(resource.All) {
		return "all"
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.ShortName
	}
	return strings.Join(names, ",")
}

// renderPipeline turns resources into text on every CPU while keeping their
// order: batches go to workers, and the writer takes them back in sequence.
// Memory is bounded by the batches in flight, not by the store.
type renderPipeline struct {
	render  func(store.KV, []byte, int) ([]byte, error)
	stream  *output.Stream
	batch   *renderBatch
	next    int // index of the next resource
	work    chan *renderBatch
	ordered chan *renderBatch
	wg      sync.WaitGroup
	written chan error
}

type renderBatch struct {
	kvs   []store.KV
	first int
	out   []byte
	err   error
	done  chan struct{}
}

const renderBatchSize = 256

func newRenderPipeline(render func(store.KV, []byte, int) ([]byte, error), stream *output.Stream) *renderPipeline {
	workers := runtime.GOMAXPROCS(0)
	p := &renderPipeline{render: render, stream: stream, work: make(chan *renderBatch, workers),
		ordered: make(chan *renderBatch, 2*workers), written: make(chan error, 1)}
	for range workers {
		p.wg.Go(func() {
			for b := range p.work {
				for i, kv := range b.kvs {
					if b.out, b.err = p.render(kv, b.out, b.first+i); b.err != nil {
						break
					}
				}
				b.kvs = nil
				close(b.done)
			}
		})
	}
	go func() {
		var err error
		for b := range p.ordered {
			<-b.done
			if err == nil {
				err = b.err
			}
			if err == nil {
				err = stream.WriteRendered(b.out, b.count())
			}
		}
		p.written <- err
	}()
	return p
}

func (b *renderBatch) count() int { return cap(b.done) }

func (p *renderPipeline) add(kv store.KV) error {
	if p.batch == nil {
		p.batch = &renderBatch{first: p.next, kvs: make([]store.KV, 0, renderBatchSize)}
	}
	p.batch.kvs = append(p.batch.kvs, kv)
	p.next++
	if len(p.batch.kvs) == renderBatchSize {
		p.flush()
	}
	return nil
}

func (p *renderPipeline) flush() {
	if p.batch == nil {
		return
	}
	b := p.batch
	p.batch = nil
	b.done = make(chan struct{}, len(b.kvs)) // capacity records the count
	p.ordered <- b
	p.work <- b
}

// close renders what is left and waits for the writer.
func (p *renderPipeline) close() error {
	p.flush()
	close(p.work)
	close(p.ordered)
	p.wg.Wait()
	return <-p.written
}

// wrappedYAML orders a wrapped resource as Sensu Go's YAML dumps do: type,
// api_version, metadata, spec, with sorted keys inside metadata and spec.
func wrappedYAML(w *resource.Wrapped) output.OrderedMap {
	md := map[string]any{}
	m := w.Metadata
	if m.Name != "" {
		md["name"] = m.Name
	}
	if m.Namespace != "" {
		md["namespace"] = m.Namespace
	}
	if len(m.Labels) > 0 {
		md["labels"] = m.Labels
	}
	if len(m.Annotations) > 0 {
		md["annotations"] = m.Annotations
	}
	if m.CreatedBy != "" {
		md["created_by"] = m.CreatedBy
	}
	return output.OrderedMap{{Key: "type", Value: w.Type}, {Key: "api_version", Value: w.APIVersion}, {Key: "metadata", Value: md}, {Key: "spec", Value: w.Spec}}
}

// wrappedJSON is the same in the order Sensu Go's wrapped-json uses: metadata
// in its field order, spec keys sorted.
func wrappedJSON(w *resource.Wrapped) output.OrderedMap {
	m := w.Metadata
	var md output.OrderedMap
	for _, kv := range []output.KeyValue{{Key: "name", Value: m.Name}, {Key: "namespace", Value: m.Namespace}, {Key: "created_by", Value: m.CreatedBy}} {
		if kv.Value != "" {
			md = append(md, kv)
		}
		if kv.Key == "namespace" {
			if len(m.Labels) > 0 {
				md = append(md, output.KeyValue{Key: "labels", Value: m.Labels})
			}
			if len(m.Annotations) > 0 {
				md = append(md, output.KeyValue{Key: "annotations", Value: m.Annotations})
			}
		}
	}
	return output.OrderedMap{{Key: "type", Value: w.Type}, {Key: "api_version", Value: w.APIVersion}, {Key: "metadata", Value: md}, {Key: "spec", Value: w.Spec}}
}

// atomicFile is written beside its destination and renamed over it only
// when complete, so an interrupted dump never leaves a truncated file.
type atomicFile struct {
	*os.File
	dest string
	done bool
}

func createAtomic(dest string) (*atomicFile, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", dest, err)
	}
	return &atomicFile{File: tmp, dest: dest}, nil
}

func (a *atomicFile) Commit() error {
	if err := a.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", a.dest, err)
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("write %s: %w", a.dest, err)
	}
	if err := os.Rename(a.Name(), a.dest); err != nil {
		return fmt.Errorf("write %s: %w", a.dest, err)
	}
	a.done = true
	// The rename is durable once the directory is synced.
	if dir, err := os.Open(filepath.Dir(a.dest)); err == nil {
		defer dir.Close()
		if err := dir.Sync(); err != nil {
			return fmt.Errorf("sync the directory of %s: %w", a.dest, err)
		}
	}
	return nil
}

func (a *atomicFile) Abort() {
	if !a.done {
		a.Close()
		os.Remove(a.Name())
	}
}
