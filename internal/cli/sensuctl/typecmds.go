package sensuctl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/resource"
	"github.com/sensu-etcd/sensu/internal/store"
)

// newTypeCommands returns one command per resource type (sensuctl check,
// sensuctl entity, …), each with list, info and delete.
func newTypeCommands(f *Factory) []*cobra.Command {
	var cmds []*cobra.Command
	for _, t := range resource.All {
		cmd := &cobra.Command{
			Use:     t.Singular,
			Short:   fmt.Sprintf("List, show and delete %s (%s)", t.ShortName, t.FullName()),
			GroupID: groupTypes,
			Args:    cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return usageError{fmt.Errorf("%s needs a subcommand: list, info or delete", t.Singular)}
			},
		}
		if t.ShortName != t.Singular {
			cmd.Aliases = []string{t.ShortName}
		}
		cmd.AddCommand(newListCommand(f, t), newInfoCommand(f, t), newDeleteCommand(f, t))
		cmds = append(cmds, cmd)
	}
	return cmds
}

// nameArgs is how a type's resources are named on the command line.
func nameArgs(t *resource.Type) string {
	switch {
	case t.Singleton:
		return ""
	case t.Kind == "Event":
		return "ENTITY/CHECK"
	case t.Kind == "Silenced":
		return "SUBSCRIPTION:CHECK"
	}
	return "NAME"
}

// nameFromArgs accepts NAME, or for events ENTITY/CHECK or ENTITY CHECK.
func nameFromArgs(t *resource.Type, args []string) (string, error) {
	switch {
	case t.Singleton:
		if len(args) > 0 {
			return "", usageError{fmt.Errorf("%s takes no name", t.Singular)}
		}
		return "", nil
	case t.Kind == "Event" && len(args) == 2:
		return args[0] + "/" + args[1], nil
	case len(args) != 1:
		return "", usageError{fmt.Errorf("give one %s", nameArgs(t))}
	case t.Kind == "Event" && strings.Count(args[0], "/") != 1:
		return "", usageError{fmt.Errorf("name an event as ENTITY/CHECK or ENTITY CHECK, not %q", args[0])}
	}
	return args[0], nil
}

type listOptions struct {
	AllNamespaces bool
	LabelSelector string
	FieldSelector string
}

func newListCommand(f *Factory, t *resource.Type) *cobra.Command {
	opts := &listOptions{}
	fields, example := listFieldsHelp(t)
	if t.Kind == "Event" {
		fields = "--label-selector matches an event on its own labels, or on those of its entity\nand check together (the check's winning on a shared key), as in Sensu Go.\n\n" + fields
	}
	cmd := &cobra.Command{
		Use:   "list",
		Short: fmt.Sprintf("List %s", t.ShortName),
		Long: fmt.Sprintf("List %s. -o json prints the resources as stored (an array); -o yaml and\n"+
			"-o wrapped-json print them in the wrapped format that 'sensuctl restore' reads.\n\n"+
			"--label-selector and --field-selector keep the resources that match, in Sensu Go's\n"+
			"syntax: statements joined with &&, each one of key == value, key != value,\n"+
			"key in [a, b], key notin [a, b], key matches \"text\" (a substring), or\n"+
			"value in field / value notin field for a list-valued field. Quote values that\n"+
			"are not plain words (\"us-west-1\", \"1b04\").\n\n%s", t.ShortName, fields),
		Example: listExample(t, example),
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runList(cmd.Context(), f, t, opts) },
	}
	if t.Namespaced {
		cmd.Flags().BoolVar(&opts.AllNamespaces, "all-namespaces", false, "list from every namespace")
	}
	cmd.Flags().StringVarP(&opts.LabelSelector, "label-selector", "l", "", `only resources whose labels match, e.g. 'team == "web" && tier in [frontend, api]'`)
	fieldUsage := "only resources whose fields match (there are none for " + t.ShortName + ")"
	if example != "" {
		fieldUsage = "only resources whose fields match, e.g. '" + example + "'"
	}
	cmd.Flags().StringVar(&opts.FieldSelector, "field-selector", "", fieldUsage)
	return cmd
}

// listFieldsHelp names the fields a field selector can use for t (core/v2's,
// as Sensu Go computes them), and gives an example selector, "" when t has
// no fields.
func listFieldsHelp(t *resource.Type) (help, example string) {
	names, labelPrefix, err := resource.FieldNames(t)
	if err != nil || len(names) == 0 {
		return "There are no fields to select on for " + t.ShortName + ".", ""
	}
	list := strings.Join(names, ", ")
	if labelPrefix != "" {
		list += ", " + labelPrefix + "KEY (a label)"
	}
	var parts []string
	for _, n := range names {
		if strings.HasSuffix(n, ".name") || strings.HasSuffix(n, ".username") {
			parts = append(parts, n+` matches "web"`)
			break
		}
	}
	for _, n := range names {
		if strings.HasSuffix(n, ".subscriptions") {
			parts = append(parts, "linux in "+n)
			break
		}
	}
	if len(parts) == 0 {
		parts = append(parts, names[0]+` == "x"`)
	}
	return output.Wrap("Fields of "+t.ShortName+": "+list+".", 80), strings.Join(parts, " && ")
}

func listExample(t *resource.Type, fieldExample string) string {
	ex := fmt.Sprintf("  sensuctl %s list --label-selector 'team == \"web\" && tier in [frontend, api]'", t.Singular)
	if fieldExample != "" {
		ex += fmt.Sprintf("\n  sensuctl %s list --field-selector '%s'", t.Singular, fieldExample)
	}
	return ex
}

func runList(ctx context.Context, f *Factory, t *resource.Type, opts *listOptions) error {
	labels, err := resource.ParseLabelSelector(opts.LabelSelector)
	if err != nil {
		return usageError{err}
	}
	fields, err := resource.ParseFieldSelector(opts.FieldSelector)
	if err != nil {
		return usageError{err}
	}
	if err := fields.CheckFields(t); err != nil {
		return usageError{err}
	}
	namespace := f.Options.Namespace
	if opts.AllNamespaces {
		namespace = ""
	}
	st, conn, err := f.Store()
	if err != nil {
		return err
	}
	kept := []resource.Object{}
	_, err = st.Scan(ctx, []*resource.Type{t}, namespace, 0, func(kv store.KV) error {
		o, err := resource.DecodeStored(t, kv.Value)
		if err != nil {
			return fmt.Errorf("%s: %w", kv.Key, err)
		}
		if !labels.MatchesLabels(o) {
			return nil
		}
		if !fields.Empty() {
			set, err := resource.CoreFields(t, kv.Value)
			if err != nil {
				return fmt.Errorf("%s: %w", kv.Key, err)
			}
			if !fields.Matches(set) {
				return nil
			}
		}
		kept = append(kept, redact(o))
		return nil
	})
	if err != nil {
		return conn.Explain(ctx, err, "list "+t.ShortName)
	}
	return printObjects(f, t, kept)
}

// redact drops what list and info never show, as Sensu Go's API: password
// hashes, and the values of an entity's (or an event's entity's) labels and
// annotations named in its redact list.
func redact(o resource.Object) resource.Object {
	if u, ok := o.(*resource.User); ok {
		u.PasswordHash, u.Password = "", ""
	}
	return resource.Redacted(o)
}

func printObjects(f *Factory, t *resource.Type, objs []resource.Object) error {
	cols := columnsFor(t)
	table := output.Table{Headers: cols.headers}
	wrapped := make([]any, 0, len(objs))
	for _, o := range objs {
		table.Rows = append(table.Rows, cols.row(o))
		w, err := resource.WrapObject(t, o, resource.WrapOptions{})
		if err != nil {
			return err
		}
		wrapped = append(wrapped, w)
	}
	return printResources(f, output.Data{Table: table, Value: objs, Wrapped: wrapped})
}

// printResources prints like Printer.Print, except that yaml is the wrapped
// multi-document form, as Sensu Go's sensuctl prints resources (and as
// 'sensuctl restore' reads them).
func printResources(f *Factory, d output.Data) error {
	p := f.Printer()
	if p.Format != output.FormatYAML {
		return p.Print(d)
	}
	stream, err := output.NewStream(p.Out, output.FormatYAML, "")
	if err != nil {
		return err
	}
	for _, w := range d.Wrapped {
		if err := stream.Write(wrappedYAML(w.(*resource.Wrapped))); err != nil {
			return err
		}
	}
	return stream.Close()
}

func newInfoCommand(f *Factory, t *resource.Type) *cobra.Command {
	return &cobra.Command{
		Use:   strings.TrimSpace("info " + nameArgs(t)),
		Short: fmt.Sprintf("Show one %s", t.Singular),
		Args:  cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameFromArgs(t, args)
			if err != nil {
				return err
			}
			st, conn, err := f.Store()
			if err != nil {
				return err
			}
			o, err := st.Get(cmd.Context(), t, f.Options.Namespace, name)
			if err != nil {
				return conn.Explain(cmd.Context(), err, "get "+t.Singular)
			}
			o = redact(o)
			w, err := resource.WrapObject(t, o, resource.WrapOptions{})
			if err != nil {
				return err
			}
			cols := columnsFor(t)
			table := output.Table{Headers: []string{"Field", "Value"}}
			for i, v := range cols.row(o) {
				table.Rows = append(table.Rows, []string{cols.headers[i], v})
			}
			return printResources(f, output.Data{Table: table, Value: o, Wrapped: []any{w}})
		},
	}
}

type deleteOptions struct{ Yes bool }

func newDeleteCommand(f *Factory, t *resource.Type) *cobra.Command {
	opts := &deleteOptions{}
	long := fmt.Sprintf("Delete one %s. Asks for confirmation on a terminal; needs --yes otherwise.", t.Singular)
	if t.Kind == "Namespace" {
		long += "\nA namespace that still holds resources is not deleted (exit 3)."
	}
	cmd := &cobra.Command{
		Use:   strings.TrimSpace("delete " + nameArgs(t)),
		Short: fmt.Sprintf("Delete one %s", t.Singular),
		Long:  long,
		Args:  cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameFromArgs(t, args)
			if err != nil {
				return err
			}
			return runDelete(cmd.Context(), f, t, name, opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation (required when stdin is not a terminal)")
	return cmd
}

func runDelete(ctx context.Context, f *Factory, t *resource.Type, name string, opts *deleteOptions) error {
	namespace := ""
	if t.Namespaced {
		namespace = f.Options.Namespace
	}
	what := strings.TrimSpace(t.Singular + " " + name)
	if namespace != "" {
		what += " in namespace " + namespace
	}
	if !opts.Yes {
		if !f.IO.InTerminal {
			return usageError{fmt.Errorf("deleting %s needs confirmation and stdin is not a terminal: pass --yes", what)}
		}
		ok := false
		if err := survey.AskOne(&survey.Confirm{Message: "Delete " + what + "?"}, &ok, f.surveyStdio()); err != nil {
			if errors.Is(err, terminal.InterruptErr) {
				return errInterrupted
			}
			return err
		}
		if !ok {
			return errors.New("not deleted")
		}
	}
	st, conn, err := f.Store()
	if err != nil {
		return err
	}
	if err := st.Delete(ctx, t, namespace, name); err != nil {
		return conn.Explain(ctx, err, "delete "+what)
	}
	fmt.Fprintf(f.IO.ErrOut, "Deleted %s.\n", what)
	return nil
}

// columns is how a type is shown as a table.
type columns struct {
	headers []string
	row     func(resource.Object) []string
}

func columnsFor(t *resource.Type) columns {
	base := func(o resource.Object) []string {
		m := o.Meta()
		if t.Namespaced {
			return []string{resource.StoreName(o), m.Namespace}
		}
		return []string{resource.StoreName(o)}
	}
	headers := []string{"Name"}
	if t.Namespaced {
		headers = append(headers, "Namespace")
	}
	extra, cells := typeColumns(t)
	return columns{
		headers: append(headers, extra...),
		row:     func(o resource.Object) []string { return append(base(o), cells(o)...) },
	}
}

func join(s []string) string { return strings.Join(s, ",") }

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func unixTime(sec int64) string {
	if sec <= 0 {
		return ""
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}

// typeColumns are the columns after name and namespace.
func typeColumns(t *resource.Type) ([]string, func(resource.Object) []string) {
	none := func(resource.Object) []string { return nil }
	switch t.Kind {
	case "ClusterRole", "Role":
		return []string{"Rules"}, func(o resource.Object) []string {
			var rules []resource.Rule
			if r, ok := o.(*resource.ClusterRole); ok {
				rules = r.Rules
			} else {
				rules = o.(*resource.Role).Rules
			}
			var parts []string
			for _, r := range rules {
				parts = append(parts, join(r.Verbs)+" on "+join(r.Resources))
			}
			return []string{strings.Join(parts, "; ")}
		}
	case "ClusterRoleBinding", "RoleBinding":
		return []string{"Role", "Subjects"}, func(o resource.Object) []string {
			var ref resource.RoleRef
			var subjects []resource.Subject
			if b, ok := o.(*resource.ClusterRoleBinding); ok {
				ref, subjects = b.RoleRef, b.Subjects
			} else {
				b := o.(*resource.RoleBinding)
				ref, subjects = b.RoleRef, b.Subjects
			}
			var s []string
			for _, sub := range subjects {
				s = append(s, sub.Type+":"+sub.Name)
			}
			return []string{ref.Type + ":" + ref.Name, join(s)}
		}
	case "User":
		return []string{"Groups", "Enabled"}, func(o resource.Object) []string {
			u := o.(*resource.User)
			return []string{join(u.Groups), strconv.FormatBool(!u.Disabled)}
		}
	case "APIKey":
		return []string{"Username", "Created"}, func(o resource.Object) []string {
			k := o.(*resource.APIKey)
			return []string{k.Username, unixTime(k.CreatedAt)}
		}
	case "TessenConfig":
		return []string{"Opt-Out"}, func(o resource.Object) []string {
			return []string{strconv.FormatBool(o.(*resource.TessenConfig).OptOut)}
		}
	case "Asset":
		return []string{"URL", "Builds"}, func(o resource.Object) []string {
			a := o.(*resource.Asset)
			return []string{a.URL, strconv.Itoa(len(a.Builds))}
		}
	case "CheckConfig":
		return []string{"Command", "Interval", "Cron", "Timeout", "TTL", "Subscriptions", "Handlers", "Publish"}, func(o resource.Object) []string {
			c := o.(*resource.CheckConfig)
			return []string{c.Command, u32(c.Interval), c.Cron, u32(c.Timeout), strconv.FormatInt(c.Ttl, 10), join(c.Subscriptions), join(c.Handlers), strconv.FormatBool(c.Publish)}
		}
	case "Entity":
		return []string{"Class", "OS", "Subscriptions", "Last Seen"}, func(o resource.Object) []string {
			e := o.(*resource.Entity)
			return []string{e.EntityClass, e.System.OS, join(e.Subscriptions), unixTime(e.LastSeen)}
		}
	case "Event":
		return []string{"Entity", "Check", "Status", "Output", "Last Seen"}, func(o resource.Object) []string {
			e := o.(*resource.Event)
			var entity, check, status, out string
			if e.Entity != nil {
				entity = e.Entity.Metadata.Name
			}
			if e.Check != nil {
				check, status = e.Check.Metadata.Name, u32(e.Check.Status)
				out = strings.TrimSpace(e.Check.Output)
				if i := strings.IndexByte(out, '\n'); i >= 0 {
					out = out[:i] + " …"
				}
			}
			return []string{entity, check, status, out, unixTime(e.Timestamp)}
		}
	case "EventFilter":
		return []string{"Action", "Expressions"}, func(o resource.Object) []string {
			x := o.(*resource.EventFilter)
			return []string{x.Action, strings.Join(x.Expressions, " && ")}
		}
	case "Handler":
		return []string{"Type", "Timeout", "Filters", "Mutator", "Execute"}, func(o resource.Object) []string {
			h := o.(*resource.Handler)
			exec := h.Command
			switch h.Type {
			case "tcp", "udp":
				if h.Socket != nil {
					exec = fmt.Sprintf("%s:%d", h.Socket.Host, h.Socket.Port)
				}
			case "set":
				exec = join(h.Handlers)
			}
			return []string{h.Type, u32(h.Timeout), join(h.Filters), h.Mutator, exec}
		}
	case "HookConfig":
		return []string{"Command", "Timeout", "Stdin"}, func(o resource.Object) []string {
			h := o.(*resource.HookConfig)
			return []string{h.Command, u32(h.Timeout), strconv.FormatBool(h.Stdin)}
		}
	case "Mutator":
		return []string{"Type", "Command", "Timeout"}, func(o resource.Object) []string {
			m := o.(*resource.Mutator)
			cmd := m.Command
			if m.Type == "javascript" {
				cmd = "(javascript)"
			}
			return []string{m.Type, cmd, u32(m.Timeout)}
		}
	case "Pipeline":
		return []string{"Workflows"}, func(o resource.Object) []string {
			var names []string
			for _, w := range o.(*resource.Pipeline).Workflows {
				names = append(names, w.Name)
			}
			return []string{join(names)}
		}
	case "Silenced":
		return []string{"Subscription", "Check", "Begin", "Expire At", "Reason"}, func(o resource.Object) []string {
			s := o.(*resource.Silenced)
			return []string{s.Subscription, s.Check, unixTime(s.Begin), unixTime(s.ExpireAt), s.Reason}
		}
	}
	return nil, none
}

// describeType is one line of describe-type.
type describeType struct {
	Name       string `json:"name"`
	ShortName  string `json:"short_name"`
	APIVersion string `json:"api_version"`
	Type       string `json:"type"`
	Namespaced bool   `json:"namespaced"`
}

func newDescribeTypeCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "describe-type all|TYPE[,TYPE]...",
		Short:   "List resource types: names, API version, whether namespaced",
		GroupID: groupResources,
		Example: "  sensuctl describe-type all\n  sensuctl describe-type checks,core/v2.Handler -o yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			types, err := resource.ParseTypes(args[0], "")
			if err != nil {
				return usageError{err}
			}
			table := output.Table{Headers: []string{"Fully Qualified Name", "Short Name", "API Version", "Type", "Namespaced"}}
			values := make([]describeType, 0, len(types))
			for _, t := range types {
				d := describeType{Name: t.FullName(), ShortName: t.ShortName, APIVersion: t.APIVersion, Type: t.Kind, Namespaced: t.Namespaced}
				values = append(values, d)
				table.Rows = append(table.Rows, []string{d.Name, d.ShortName, d.APIVersion, d.Type, strconv.FormatBool(d.Namespaced)})
			}
			return f.Printer().Print(output.Data{Table: table, Value: values})
		},
	}
}
