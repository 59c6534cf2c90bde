package sensuctl

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/migrate"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1config"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/resource"
	"github.com/sensu-etcd/sensu/internal/store"
)

func newMigrateCommand(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Import another monitoring installation (Sensu 1.x)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return usageError{errors.New("migrate needs a source: sensu1")} },
	}
	cmd.AddCommand(newMigrateSensu1Command(f))
	return cmd
}

type migrateOptions struct {
	ConfigFile       string
	ConfigDirs       []string
	ClientConfigDirs []string
	RedisURL         string
	DryRun           bool
	OutputDir        string
	Report           string
	OnConflict       string
}

func newMigrateSensu1Command(f *Factory) *cobra.Command {
	opts := &migrateOptions{}
	cmd := &cobra.Command{
		Use:   "sensu1 --config-dir DIR[,DIR] [--redis-url URL] [--dry-run | --output-dir DIR] [--report FILE]",
		Short: "One-shot import of a Sensu 1.x installation: JSON configuration and Redis state",
		Long: "Read a Sensu 1.x configuration (config.json and conf.d, merged as sensu-server does,\n" +
			"in sorted order) and, with --redis-url, its Redis state (clients, results, events,\n" +
			"silences; read-only commands only), translate everything to Sensu Go resources in\n" +
			"--namespace, and write them like 'sensuctl restore': validated first, in\n" +
			"transactions, idempotent (a rerun changes nothing, a rerun after an interruption\n" +
			"finishes the job).\n\n" +
			"--dry-run writes nothing and prints what would be created, updated or left\n" +
			"unchanged. --output-dir writes wrapped JSON files for 'sensuctl create -r -f DIR'\n" +
			"instead of writing to etcd. --report writes a JSON account of every source object\n" +
			"(translated, translated with changes, no equivalent, invalid) and why; the terminal\n" +
			"gets a summary. docs/migrate-sensu1.md explains every translation rule.",
		Example: "  sensuctl migrate sensu1 --config-dir /etc/sensu/conf.d --config-file /etc/sensu/config.json \\\n" +
			"    --redis-url redis://127.0.0.1:6379/0 --namespace legacy --dry-run --report plan.json\n" +
			"  sensuctl migrate sensu1 --config-dir /etc/sensu/conf.d --output-dir ./sensu-go",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMigrateSensu1(cmd.Context(), f, opts) },
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ConfigFile, "config-file", "", "the 1.x config.json (a missing file is a warning, as in 1.x)")
	fl.StringSliceVar(&opts.ConfigDirs, "config-dir", nil, "1.x configuration directories (conf.d), read recursively; repeatable or comma-separated")
	fl.StringSliceVar(&opts.ClientConfigDirs, "client-config-dir", nil, "a client's configuration directory (client.json and standalone checks); repeatable")
	fl.StringVar(&opts.RedisURL, "redis-url", "", "the 1.x Redis: redis://[user:password@]host:port/db (read-only commands only)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "write nothing; print what would be created, updated or unchanged")
	fl.StringVar(&opts.OutputDir, "output-dir", "", "write wrapped JSON files (one per resource) to this new directory instead of etcd")
	fl.StringVar(&opts.Report, "report", "", "write the full report (every source object and its outcome) as JSON to this file")
	fl.StringVar(&opts.OnConflict, "on-conflict", string(store.Overwrite), "when a resource exists with other content: overwrite, skip or fail")
	return cmd
}

func runMigrateSensu1(ctx context.Context, f *Factory, opts *migrateOptions) error {
	if opts.ConfigFile == "" && len(opts.ConfigDirs) == 0 && len(opts.ClientConfigDirs) == 0 && opts.RedisURL == "" {
		return usageError{errors.New("nothing to migrate: give --config-dir, --config-file, --client-config-dir or --redis-url")}
	}
	if opts.DryRun && opts.OutputDir != "" {
		return usageError{errors.New("--dry-run and --output-dir do not go together (--output-dir writes no etcd key anyway)")}
	}
	conflict, err := store.ParseConflict(opts.OnConflict)
	if err != nil {
		return usageError{fmt.Errorf("--on-conflict: %w", err)}
	}
	// Warnings and progress come from the Redis reader and the parts being
	// written, each in its own goroutine.
	var errOut sync.Mutex
	warn := func(msg string) {
		errOut.Lock()
		defer errOut.Unlock()
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: warning: %s\n", msg)
	}
	progress := func(msg string) {
		if f.IO.ErrTerminal {
			errOut.Lock()
			defer errOut.Unlock()
			fmt.Fprintf(f.IO.ErrOut, "\r\033[K%s", msg)
		}
	}
	defer progress("")

	var server *sensu1config.Settings
	if opts.ConfigFile != "" || len(opts.ConfigDirs) > 0 {
		progress("reading the configuration…")
		s, warnings, err := sensu1config.Load(sensu1config.Options{ConfigFile: opts.ConfigFile, ConfigDirs: opts.ConfigDirs})
		for _, w := range warnings {
			warn(w.String())
		}
		if err != nil {
			return fmt.Errorf("sensu 1.x configuration: %w", err)
		}
		server = s
	}
	var clients []migrate.ClientConfig
	for _, dir := range opts.ClientConfigDirs {
		s, warnings, err := sensu1config.Load(sensu1config.Options{ConfigDirs: []string{dir}})
		for _, w := range warnings {
			warn(w.String())
		}
		if err != nil {
			return fmt.Errorf("client configuration %s: %w", dir, err)
		}
		clients = append(clients, migrate.ClientConfig{Source: dir, Settings: s})
	}
	if opts.RedisURL != "" {
		// Nothing is written unless Redis can be read.
		progress("connecting to Redis…")
		if err := sensu1redis.Check(ctx, sensu1redis.Options{URL: opts.RedisURL}); err != nil {
			return err
		}
	}
	tr, err := migrate.NewTranslator(migrate.Options{Namespace: f.Options.Namespace, Now: time.Now()})
	if err != nil {
		return usageError{err}
	}
	// The report goes to its file item by item, so that memory does not
	// grow with the installation; only the counts stay.
	var report *reportFile
	if opts.Report != "" {
		if report, err = createReportFile(opts.Report); err != nil {
			return err
		}
		defer report.abort()
		tr.SetReportSink(report.item)
	} else {
		tr.SetReportSink(func(migrate.Item) {})
	}

	// Each step's resources are written (or planned) before the next step
	// is read: the configuration, each part of the clients, the rest.
	var write func([]migrate.Resource) error
	var parts *partWriter
	var dir *migrate.DirWriter
	total := &store.Summary{DryRun: opts.DryRun}
	var st *store.Store
	var conn *etcdconn.Conn
	if opts.OutputDir != "" {
		render := func(w *resource.Wrapped) ([]byte, error) {
			return output.AppendResource(nil, output.FormatWrappedJSON, wrappedJSON(w), 0)
		}
		if dir, err = migrate.NewDirWriter(opts.OutputDir, render); err != nil {
			return err
		}
		write = dir.Write
	} else {
		if st, conn, err = f.Store(); err != nil {
			return err
		}
		written := 0
		var mu sync.Mutex // total and written, shared by the parts in flight
		apply := func(resources []migrate.Resource) error {
			entries := make([]store.Entry, len(resources))
			for i, r := range resources {
				entries[i] = store.Entry{Type: r.Type, Object: r.Object, Where: r.Sources[0]}
			}
			aopts := store.ApplyOptions{OnConflict: conflict, DryRun: opts.DryRun, Detail: opts.DryRun}
			if opts.DryRun {
				// The first step plans the namespace; the next ones use it.
				aopts.AssumeNamespaces = []string{f.Options.Namespace}
			}
			sum, err := st.Apply(ctx, entries, aopts, warn)
			if sum != nil {
				mu.Lock()
				mergeSummary(total, sum, opts.DryRun)
				written += len(entries)
				n := written
				mu.Unlock()
				progress(fmt.Sprintf("%s %d resources…", map[bool]string{false: "written", true: "planned"}[opts.DryRun], n))
			}
			return err
		}
		write = apply
		if !opts.DryRun {
			// Parts of the clients touch disjoint keys: the next part is
			// translated and written while the last one's transactions
			// commit, so that neither the backend nor sensuctl waits for
			// the other at every part. The plan of a dry run keeps its order.
			parts = newPartWriter(apply, partsInFlight)
		}
	}
	err = write(tr.Config(server, clients))
	var rest *sensu1redis.Snapshot
	if err == nil && opts.RedisURL != "" {
		progress("reading Redis…")
		writePart := write
		if parts != nil {
			writePart = parts.write
		}
		rest, err = sensu1redis.Stream(ctx, sensu1redis.Options{URL: opts.RedisURL,
			Progress: func(done, all int) { progress(fmt.Sprintf("reading Redis: %d/%d keys…", done, all)) }},
			clientsPerPart, func(part *sensu1redis.Snapshot) error { return writePart(tr.Clients(part)) })
		if parts != nil {
			// A failed write also ends Stream with its error: keep one.
			if werr := parts.wait(); err == nil {
				err = werr
			}
		}
	}
	if err == nil {
		err = write(tr.Finish(rest))
	}
	progress("")
	if err != nil && conn != nil {
		err = conn.Explain(ctx, err, "migrate")
	}
	if err != nil && !errors.Is(err, ErrPartial) && total.Revision == 0 && len(total.Types) == 0 {
		return err
	}
	rep := tr.Report()
	if report != nil {
		if cerr := report.close(rep.Summary); cerr != nil && err == nil {
			err = cerr
		}
	}
	if perr := printMigrateReport(f, rep); perr != nil && err == nil {
		err = perr
	}
	if dir != nil {
		if err == nil {
			fmt.Fprintf(f.IO.ErrOut, "sensuctl: wrote %s to %s\n", plural(dir.Count(), "resource file"), opts.OutputDir)
		}
		return err
	}
	if opts.DryRun && f.Printer().Format == output.FormatTable {
		// The plan lists what would change; unchanged resources are only
		// counted (-o json lists every entry).
		table := output.Table{Title: "Plan (dry run, nothing written): what would change", Headers: []string{"Action", "Type", "Key"}}
		for _, e := range total.Entries {
			if action := map[string]string{store.Created: "create", store.Updated: "update", store.Skipped: "skip"}[e.Outcome]; action != "" {
				table.Rows = append(table.Rows, []string{action, e.Type, e.Key})
			}
		}
		if len(table.Rows) > 0 {
			if perr := f.Printer().Print(output.Data{Table: table, Value: total}); perr != nil && err == nil {
				err = perr
			}
		}
	}
	if perr := printSummary(f, "migrate", total); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if n := total.Total(store.Failed); n > 0 {
		return fmt.Errorf("%w: %d resources failed; run the same command again", ErrPartial, n)
	}
	return nil
}

// clientsPerPart is how many 1.x clients are read, translated and written
// at a time: memory depends on it, not on the installation. partsInFlight
// of them are written at once.
const (
	clientsPerPart = 125
	partsInFlight  = 2
)

// partWriter runs up to n writes at once; write returns the first error of
// an earlier write, or waits for a free slot and starts this one. A failed
// write does not cancel the others: their outcome must be known.
type partWriter struct {
	g      *errgroup.Group
	failed context.Context // done once a write failed
	fn     func([]migrate.Resource) error
}

func newPartWriter(fn func([]migrate.Resource) error, n int) *partWriter {
	g, failed := errgroup.WithContext(context.Background())
	g.SetLimit(n)
	return &partWriter{g: g, failed: failed, fn: fn}
}

func (w *partWriter) write(resources []migrate.Resource) error {
	if w.failed.Err() != nil {
		return context.Cause(w.failed)
	}
	w.g.Go(func() error { return w.fn(resources) })
	return nil
}

// wait waits for the writes in flight and returns the first error.
func (w *partWriter) wait() error { return w.g.Wait() }

// mergeSummary adds one step's summary to the total, with every entry's
// outcome when detail (the dry run's plan: about 100 bytes a resource).
func mergeSummary(total, s *store.Summary, detail bool) {
	for _, ts := range s.Types {
		i := slices.IndexFunc(total.Types, func(t store.TypeSummary) bool { return t.Type == ts.Type })
		if i < 0 {
			total.Types = append(total.Types, store.TypeSummary{Type: ts.Type})
			i = len(total.Types) - 1
		}
		t := &total.Types[i]
		t.Created += ts.Created
		t.Updated += ts.Updated
		t.Unchanged += ts.Unchanged
		t.Skipped += ts.Skipped
		t.Failed += ts.Failed
	}
	slices.SortStableFunc(total.Types, func(a, b store.TypeSummary) int { return typeRank(a.Type) - typeRank(b.Type) })
	total.DisabledUsers = append(total.DisabledUsers, s.DisabledUsers...)
	total.Failures = append(total.Failures, s.Failures...)
	total.Revision = max(total.Revision, s.Revision)
	if detail {
		total.Entries = append(total.Entries, s.Entries...)
	}
}

func typeRank(fullName string) int {
	for i, t := range resource.All {
		if t.FullName() == fullName {
			return i
		}
	}
	return len(resource.All)
}

// reportFile writes the report as it is made: {"items": [...], "summary": [...]},
// to a temporary file renamed into place when complete.
type reportFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
	n    int
	err  error
}

func createReportFile(path string) (*reportFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	r := &reportFile{path: path, f: f, w: bufio.NewWriter(f)}
	r.w.WriteString("{\n  \"items\": [")
	return r, nil
}

func (r *reportFile) item(it migrate.Item) {
	if r.err != nil {
		return
	}
	b, err := json.MarshalIndent(it, "    ", "  ")
	if err != nil {
		r.err = err
		return
	}
	if r.n > 0 {
		r.w.WriteString(",")
	}
	r.w.WriteString("\n    ")
	_, r.err = r.w.Write(b)
	r.n++
}

func (r *reportFile) close(summary []migrate.SummaryRow) error {
	if r.err != nil {
		return fmt.Errorf("write %s: %w", r.path, r.err)
	}
	b, err := json.MarshalIndent(summary, "  ", "  ")
	if err != nil {
		return err
	}
	r.w.WriteString("\n  ],\n  \"summary\": ")
	r.w.Write(b)
	r.w.WriteString("\n}\n")
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	if err := os.Rename(r.f.Name(), r.path); err != nil {
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	r.f = nil
	return nil
}

func (r *reportFile) abort() {
	if r.f != nil {
		r.f.Close()
		os.Remove(r.f.Name())
	}
}

func printMigrateReport(f *Factory, r *migrate.Report) error {
	if f.Printer().Format != output.FormatTable {
		return nil // scripts read --report or the summary's JSON
	}
	table := output.Table{Title: "Sources", Headers: []string{"Kind", "Translated", "With Changes", "No Equivalent", "Invalid"}}
	for _, row := range r.Summary {
		table.Rows = append(table.Rows, []string{row.Kind, strconv.Itoa(row.Translated), strconv.Itoa(row.TranslatedWithChanges),
			strconv.Itoa(row.NoEquivalent), strconv.Itoa(row.Invalid)})
	}
	return f.Printer().Print(output.Data{Table: table, Value: r.Summary})
}
