package sensuctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/migrate"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1config"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/output"
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
	warn := func(msg string) { fmt.Fprintf(f.IO.ErrOut, "sensuctl: warning: %s\n", msg) }
	progress := func(msg string) {
		if f.IO.ErrTerminal {
			fmt.Fprintf(f.IO.ErrOut, "\r\033[K%s", msg)
		}
	}
	defer progress("")

	in := migrate.Input{}
	if opts.ConfigFile != "" || len(opts.ConfigDirs) > 0 {
		progress("reading the configuration…")
		s, warnings, err := sensu1config.Load(sensu1config.Options{ConfigFile: opts.ConfigFile, ConfigDirs: opts.ConfigDirs})
		for _, w := range warnings {
			warn(w.String())
		}
		if err != nil {
			return fmt.Errorf("sensu 1.x configuration: %w", err)
		}
		in.Server = s
	}
	for _, dir := range opts.ClientConfigDirs {
		s, warnings, err := sensu1config.Load(sensu1config.Options{ConfigDirs: []string{dir}})
		for _, w := range warnings {
			warn(w.String())
		}
		if err != nil {
			return fmt.Errorf("client configuration %s: %w", dir, err)
		}
		in.Clients = append(in.Clients, migrate.ClientConfig{Source: dir, Settings: s})
	}
	if opts.RedisURL != "" {
		progress("reading Redis…")
		snap, err := sensu1redis.Read(ctx, sensu1redis.Options{URL: opts.RedisURL,
			Progress: func(done, total int) { progress(fmt.Sprintf("reading Redis: %d/%d keys…", done, total)) }})
		if err != nil {
			return err
		}
		in.Redis = snap
	}
	plan, err := migrate.Translate(in, migrate.Options{Namespace: f.Options.Namespace, Now: time.Now()})
	if err != nil {
		return usageError{err}
	}
	if opts.Report != "" {
		if err := writeJSONFile(opts.Report, plan.Report); err != nil {
			return err
		}
	}

	if opts.OutputDir != "" {
		n, err := migrate.WriteDir(opts.OutputDir, plan.Resources)
		if err != nil {
			return err
		}
		progress("")
		if err := printMigrateReport(f, plan.Report); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: wrote %s to %s\n", plural(n, "resource file"), opts.OutputDir)
		return nil
	}

	entries := make([]store.Entry, len(plan.Resources))
	for i, r := range plan.Resources {
		entries[i] = store.Entry{Type: r.Type, Object: r.Object, Where: r.Sources[0]}
	}
	st, conn, err := f.Store()
	if err != nil {
		return err
	}
	sum, err := st.Apply(ctx, entries, store.ApplyOptions{
		OnConflict: conflict, DryRun: opts.DryRun, Detail: opts.DryRun,
		Progress: func(done, total int) { progress(fmt.Sprintf("writing %d/%d resources…", done, total)) },
	}, warn)
	progress("")
	if perr := printMigrateReport(f, plan.Report); perr != nil && err == nil {
		err = perr
	}
	if sum != nil {
		if opts.DryRun && f.Printer().Format == output.FormatTable {
			// The plan lists what would change; unchanged resources are only
			// counted (-o json lists every entry).
			table := output.Table{Title: "Plan (dry run, nothing written): what would change", Headers: []string{"Action", "Type", "Key"}}
			for _, e := range sum.Entries {
				action := map[string]string{store.Created: "create", store.Updated: "update", store.Skipped: "skip"}[e.Outcome]
				if action != "" {
					table.Rows = append(table.Rows, []string{action, e.Type, e.Key})
				}
			}
			if len(table.Rows) > 0 {
				if perr := f.Printer().Print(output.Data{Table: table, Value: sum}); perr != nil && err == nil {
					err = perr
				}
			}
		}
		if perr := printSummary(f, "migrate", sum); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return conn.Explain(ctx, err, "migrate")
	}
	if n := sum.Total(store.Failed); n > 0 {
		return fmt.Errorf("%w: %d of %d resources failed; run the same command again", ErrPartial, n, len(entries))
	}
	return nil
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

// writeJSONFile writes v as indented JSON, atomically.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
