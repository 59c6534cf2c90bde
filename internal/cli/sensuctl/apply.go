package sensuctl

import (
	"context"
	"fmt"
	"strconv"

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
	if opts.StampManaged {
		lopts.Label = [2]string{resource.ManagedByLabel, "sensuctl"}
	}
	items, warnings, err := manifest.Load(sources, lopts)
	for _, w := range warnings {
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	entries := make([]store.Entry, len(items))
	for i, it := range items {
		entries[i] = store.Entry{Type: it.Type, Object: it.Object, Where: it.Where()}
	}
	conn, err := f.Conn()
	if err != nil {
		return err
	}
	st := store.New(conn.Client, conn.Config().DialTimeout+conn.Config().CommandTimeout)
	warn := func(msg string) { fmt.Fprintf(f.IO.ErrOut, "sensuctl: warning: %s\n", msg) }
	sum, err := st.Apply(ctx, entries, store.ApplyOptions{OnConflict: conflict, DryRun: opts.DryRun}, warn)
	if sum != nil {
		if perr := printSummary(f, sum); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return conn.Explain(ctx, err, opts.Verb)
	}
	if n := sum.Total(store.Failed); n > 0 {
		for _, msg := range sum.Failures {
			fmt.Fprintf(f.IO.ErrOut, "sensuctl: failed: %s\n", msg)
		}
		return fmt.Errorf("%w: %d of %d resources failed", ErrPartial, n, len(entries))
	}
	return nil
}

func printSummary(f *Factory, sum *store.Summary) error {
	title := "Restore summary"
	if sum.DryRun {
		title = "Dry run: nothing was written. What would happen"
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
		fmt.Fprintf(f.IO.Out, "%d user(s) created disabled (no password hash in the input).\n", n)
	}
	return nil
}

func summaryRow(t store.TypeSummary) []string {
	return []string{t.Type, strconv.Itoa(t.Created), strconv.Itoa(t.Updated), strconv.Itoa(t.Unchanged), strconv.Itoa(t.Skipped), strconv.Itoa(t.Failed)}
}
