// Package sensuctl is the sensuctl command line. Commands talk straight to
// the etcd inside the backends.
package sensuctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sensu-etcd/sensu/internal/clientconfig"
	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/manifest"
	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/store"
)

// IO carries the streams and environment a command uses, so tests can run
// commands in-process.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	Env    clientconfig.Source
	// InTerminal, OutTerminal and ErrTerminal say which streams are terminals.
	InTerminal  bool
	OutTerminal bool
	ErrTerminal bool
	// Width of the output terminal, 0 when unknown.
	Width int
}

// SystemIO is the process's streams and environment.
func SystemIO() IO {
	streams := IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	streams.Env = clientconfig.OSSource(func(msg string) { fmt.Fprintln(os.Stderr, "sensuctl: warning:", msg) })
	streams.InTerminal = term.IsTerminal(int(os.Stdin.Fd()))
	streams.OutTerminal = term.IsTerminal(int(os.Stdout.Fd()))
	streams.ErrTerminal = term.IsTerminal(int(os.Stderr.Fd()))
	if streams.OutTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			streams.Width = w
		}
	}
	return streams
}

// Main runs sensuctl with os.Args and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], SystemIO())
}

// Run executes one command line and returns its exit code.
func Run(ctx context.Context, args []string, streams IO) int {
	f := &Factory{IO: streams}
	root := NewRootCommand(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	f.Close()
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		err = errInterrupted
	}
	msg := strings.TrimSpace(err.Error())
	if !isProblemList(err) {
		msg = strings.ReplaceAll(msg, "\n", "; ")
	}
	fmt.Fprintf(streams.ErrOut, "sensuctl: %s\n", msg)
	if isFlagError(err) {
		fmt.Fprintln(streams.ErrOut, "Run 'sensuctl --help' for usage.")
	}
	return ExitCode(err)
}

// isProblemList is true for errors that list input problems one per line,
// which stay on separate lines.
func isProblemList(err error) bool {
	var me *manifest.Error
	var pe *store.PreflightError
	return errors.As(err, &me) || errors.As(err, &pe)
}

// Factory gives commands what they share: settings, the connection, the
// printer. Nothing dials before a command asks for the connection.
type Factory struct {
	IO      IO
	Options clientconfig.Options
	Inv     clientconfig.Invocation
	Debug   bool
	Loaded  *clientconfig.Loaded

	conn *etcdconn.Conn
}

// NewRootCommand builds the command tree around f.
func NewRootCommand(f *Factory) *cobra.Command {
	f.Options = clientconfig.Defaults()
	root := &cobra.Command{
		Use:   "sensuctl",
		Short: "Operate a Sensu cluster: membership, backups, resources, migration",
		Long: "sensuctl talks straight to the etcd inside the sensu-backends.\n\n" +
			"Connection settings come from flags, SENSUCTL_* environment variables and the\n" +
			"current profile of the config file ('sensuctl configure'), in that order.\n" +
			"Exit codes: 'sensuctl help exit-codes'.",
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if needsNoSettings(cmd) {
				return nil
			}
			return f.load(cmd)
		},
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	pf := root.PersistentFlags()
	clientconfig.Register(pf, &f.Options, &f.Inv)
	pf.BoolVar(&f.Debug, "debug", false, "log every etcd request to stderr (never request bodies or passwords)")
	root.AddGroup(
		&cobra.Group{ID: groupOperate, Title: "Cluster and backups:"},
		&cobra.Group{ID: groupResources, Title: "Resources:"},
		&cobra.Group{ID: groupTypes, Title: "Resource types (each with list, info, delete):"},
	)
	clusterCmd, snapshotCmd := newClusterCommand(f), newSnapshotCommand(f)
	clusterCmd.GroupID, snapshotCmd.GroupID = groupOperate, groupOperate
	root.AddCommand(newVersionCommand(f), clusterCmd, snapshotCmd)
	root.AddCommand(withGroup(groupResources, newCreateCommand(f), newRestoreCommand(f), newDumpCommand(f), newMigrateCommand(f))...)
	root.AddCommand(newDescribeTypeCommand(f), newConfigureCommand(f), newConfigCommand(f), newExitCodesTopic())
	root.AddCommand(newTypeCommands(f)...)
	return root
}

// Command groups of the root help.
const (
	groupOperate   = "operate"
	groupResources = "resources"
	groupTypes     = "types"
)

func withGroup(id string, cmds ...*cobra.Command) []*cobra.Command {
	for _, c := range cmds {
		c.GroupID = id
	}
	return cmds
}

// needsNoSettings is true for shell completion and help: they must work even
// when the config file is broken or the environment is empty.
func needsNoSettings(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd, "help":
			return true
		}
	}
	return false
}

func (f *Factory) load(cmd *cobra.Command) error {
	loaded, err := clientconfig.Apply(cmd.Flags(), &f.Inv, f.IO.Env)
	if err != nil {
		return err
	}
	f.Loaded = loaded
	if err := loaded.MissingProfile(); err != nil && cmd.Name() != "configure" {
		return err
	}
	if _, err := output.ParseFormat(f.Options.Format); err != nil {
		return usageError{err}
	}
	if v, ok := f.IO.Env.LookupEnv(clientconfig.EnvPrefix + "DEBUG"); ok && v != "" && v != "0" && v != "false" && !cmd.Flags().Changed("debug") {
		f.Debug = true
	}
	return nil
}

// Conn returns the connection, creating it on first use. A user without a
// password is prompted on a terminal; elsewhere it is an error naming the flag.
func (f *Factory) Conn() (*etcdconn.Conn, error) {
	if f.conn != nil {
		return f.conn, nil
	}
	o := f.Options
	if o.User != "" && o.Password == "" {
		pw, err := f.promptPassword(fmt.Sprintf("Password for etcd user %s:", o.User), "--password or SENSUCTL_PASSWORD")
		if err != nil {
			return nil, err
		}
		f.Options.Password, o.Password = pw, pw
	}
	cfg := o.Config
	if f.Debug {
		cfg.Debug = f.IO.ErrOut
	}
	conn, err := etcdconn.New(cfg)
	if err != nil {
		return nil, err
	}
	f.conn = conn
	return conn, nil
}

// ConnTo opens a connection with the same settings to other endpoints (one
// member's client URLs); the caller closes it.
func (f *Factory) ConnTo(endpoints []string) (*etcdconn.Conn, error) {
	conn, err := f.Conn()
	if err != nil {
		return nil, err
	}
	cfg := conn.Config()
	cfg.Endpoints = endpoints
	return etcdconn.New(cfg)
}

// Store returns the resource store over the connection, each request
// bounded by the dial and command timeouts.
func (f *Factory) Store() (*store.Store, *etcdconn.Conn, error) {
	conn, err := f.Conn()
	if err != nil {
		return nil, nil, err
	}
	return store.New(conn.Client, conn.Config().DialTimeout+conn.Config().CommandTimeout), conn, nil
}

// Printer prints in the selected --format.
func (f *Factory) Printer() output.Printer {
	format, _ := output.ParseFormat(f.Options.Format) // validated in load
	return output.Printer{Out: f.IO.Out, Format: format, Terminal: f.IO.OutTerminal, Width: f.IO.Width}
}

// Close releases the connection.
func (f *Factory) Close() {
	if f.conn != nil {
		f.conn.Close()
		f.conn = nil
	}
}

// promptPassword asks on a terminal; without one it fails and names the flag.
func (f *Factory) promptPassword(message, flag string) (string, error) {
	if !f.IO.InTerminal {
		return "", usageError{fmt.Errorf("a password is needed and stdin is not a terminal: set %s", flag)}
	}
	var pw string
	err := survey.AskOne(&survey.Password{Message: message}, &pw, f.surveyStdio())
	if errors.Is(err, terminal.InterruptErr) {
		return "", errInterrupted
	}
	return pw, err
}

func (f *Factory) surveyStdio() survey.AskOpt {
	in, _ := f.IO.In.(terminal.FileReader)
	out, _ := f.IO.Out.(terminal.FileWriter)
	return survey.WithStdio(in, out, f.IO.ErrOut)
}

// flagError wraps cobra's flag parsing errors.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

// usageError marks a usage problem that is not a flag parsing error.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe) || strings.HasPrefix(err.Error(), "unknown command")
}
