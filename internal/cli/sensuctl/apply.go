package sensuctl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/manifest"
	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/resource"
	"github.com/sensu-etcd/sensu/internal/store"
)

// applyOptions are shared by create and restore.
type applyOptions struct {
	Paths      []string
	Recursive  bool
	DryRun     bool
	OnConflict string
	// StampManaged adds sensu.io/managed_by=sensuctl, as Sensu's create does.
	StampManaged bool
	Verb         string
}

func addApplyFlags(cmd *cobra.Command, opts *applyOptions) {
	cmd.Flags().BoolVarP(&opts.Recursive, "recursive", "r", false, "read the .yaml, .yml and .json files of subdirectories too")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check everything and print the summary, but write nothing")
	cmd.Flags().StringVar(&opts.OnConflict, "on-conflict", string(store.Overwrite), "when a resource exists with other content: overwrite, skip, or fail (write nothing)")
}

const inputFormatsHelp = "Input: multi-document YAML (documents separated by lines starting with ---),\n" +
	"concatenated wrapped JSON objects (Sensu's wrapped-json), or a JSON array of them,\n" +
	"in the type/api_version/metadata/spec format that 'sensuctl dump' writes.\n\n" +
	"Everything is read and validated before the first write: any error (it names the\n" +
	"file, line, document and field) means nothing is written. Namespaces must exist or\n" +
	"be in the input. Writes go in type order (namespaces first) in transactions that\n" +
	"check the namespace exists. Users without a password hash are created disabled.\n"

func newCreateCommand(f *Factory) *cobra.Command {
	opts := &applyOptions{StampManaged: true, Verb: "create"}
	cmd := &cobra.Command{
		Use:   "create [-f FILE|DIR|-]... [-r]",
		Short: "Create or replace resources from files or stdin",
		Long: "Create or replace resources, labelled sensu.io/managed_by=sensuctl as Sensu Go does.\n" +
			"With no -f, reads stdin.\n\n" + inputFormatsHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"-"}
			}
			return runApply(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Paths, "file", "f", nil, "file, directory, or - for stdin (repeatable, or comma-separated)")
	addApplyFlags(cmd, opts)
	return cmd
}

func newRestoreCommand(f *Factory) *cobra.Command {
	opts := &applyOptions{Verb: "restore"}
	cmd := &cobra.Command{
		Use:   "restore FILE|DIR|- [FILE|DIR|-]...",
		Short: "Restore resources from a dump, idempotently, with a summary",
		Long: "Restore resources exactly as dumped (no labels added). Running it again changes\n" +
			"nothing: the summary counts created, updated, unchanged, skipped and failed\n" +
			"resources per type.\n\n" + inputFormatsHelp,
		Example: "  sensuctl dump all --all-namespaces --include-secrets -f backup.yaml\n" +
			"  sensuctl restore --dry-run backup.yaml\n" +
			"  sensuctl restore backup.yaml",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			return runApply(cmd.Context(), f, opts)
		},
	}
	addApplyFlags(cmd, opts)
	return cmd
}

func runApply(ctx context.Context, f *Factory, opts *applyOptions) error {
	conflict, err := store.ParseConflict(opts.OnConflict)
	if err != nil {
		return usageError{fmt.Errorf("--on-conflict: %w", err)}
	}
	sources, err := manifest.ReadPaths(opts.Paths, opts.Recursive, f.IO.In)
	if err != nil {
		return err
	}
	lopts := manifest.Options{DefaultNamespace: f.Options.Namespace}
	writer := resource.Writer{User: writerName(f), Now: time.Now()}
	if opts.StampManaged {
		lopts.Label = [2]string{resource.ManagedByLabel, "sensuctl"}
		lopts.CreatedBy = writer.User
	}
	items, warnings, err := manifest.Load(sources, lopts)
	for _, w := range warnings {
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: warning: %s\n", w)
	}
	if errors.Is(err, manifest.ErrNoResources) {
		// An empty dump (say, of a namespace with nothing in it) restores
		// to nothing; say so, but it is not an error.
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: warning: no resources in %s; nothing to do\n", strings.Join(opts.Paths, ", "))
		return printSummary(f, opts.Verb, &store.Summary{DryRun: opts.DryRun})
	}
	if err != nil {
		return err
	}
	entries := make([]store.Entry, len(items))
	for i, it := range items {
		entries[i] = store.Entry{Type: it.Type, Object: it.Object, Where: it.Where()}
	}
	st, conn, err := f.Store()
	if err != nil {
		return err
	}
	warn := func(msg string) { fmt.Fprintf(f.IO.ErrOut, "sensuctl: warning: %s\n", msg) }
	sum, err := st.Apply(ctx, entries, store.ApplyOptions{OnConflict: conflict, DryRun: opts.DryRun, Writer: writer}, warn)
	if sum != nil {
		if perr := printSummary(f, opts.Verb, sum); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return conn.Explain(ctx, err, opts.Verb)
	}
	if n := sum.Total(store.Failed); n > 0 {
		for i, msg := range sum.Failures {
			if i == maxFailuresShown {
				fmt.Fprintf(f.IO.ErrOut, "sensuctl: … and %d more failures (-o json lists them all)\n", len(sum.Failures)-i)
				break
			}
			fmt.Fprintf(f.IO.ErrOut, "sensuctl: failed: %s\n", msg)
		}
		return fmt.Errorf("%w: %d of %d resources failed", ErrPartial, n, len(entries))
	}
	return nil
}

// maxFailuresShown caps the failures printed on stderr.
const maxFailuresShown = 20

func printSummary(f *Factory, verb string, sum *store.Summary) error {
	title := strings.ToUpper(verb[:1]) + verb[1:] + " summary"
	if sum.DryRun {
		title = "Dry run: nothing was written. What " + verb + " would do"
	}
	table := output.Table{Title: title, Headers: []string{"Type", "Created", "Updated", "Unchanged", "Skipped", "Failed"}}
	total := store.TypeSummary{Type: "total"}
	for _, t := range sum.Types {
		table.Rows = append(table.Rows, summaryRow(t))
		total.Created += t.Created
		total.Updated += t.Updated
		total.Unchanged += t.Unchanged
		total.Skipped += t.Skipped
		total.Failed += t.Failed
	}
	table.Rows = append(table.Rows, summaryRow(total))
	if sum.DisabledUsers == nil {
		sum.DisabledUsers = []string{}
	}
	if sum.Failures == nil {
		sum.Failures = []string{}
	}
	if err := f.Printer().Print(output.Data{Table: table, Value: sum}); err != nil {
		return err
	}
	if n := len(sum.DisabledUsers); n > 0 && f.Printer().Format == output.FormatTable {
		what := "created"
		if sum.DryRun {
			what = "would be created"
		}
		fmt.Fprintf(f.IO.Out, "%s %s disabled (no password hash in the input).\n", plural(n, "user"), what)
	}
	return nil
}

func summaryRow(t store.TypeSummary) []string {
	return []string{t.Type, strconv.Itoa(t.Created), strconv.Itoa(t.Updated), strconv.Itoa(t.Unchanged), strconv.Itoa(t.Skipped), strconv.Itoa(t.Failed)}
}

// plural writes "1 user", "2 users".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// writerName is who Sensu Go would record as a resource's created_by and a
// silence's creator: the etcd user sensuctl authenticates as, or, without
// authentication, "admin", the cluster administrator Sensu Go names.
func writerName(f *Factory) string {
	if f.Options.User != "" {
		return f.Options.User
	}
	return "admin"
}
