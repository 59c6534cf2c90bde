// Package backendcmd is the sensu-backend command line: start, init, version.
package backendcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sensu-etcd/sensu/internal/backend"
	"github.com/sensu-etcd/sensu/internal/backendconfig"
	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// Exit codes of sensu-backend. The systemd unit relies on 2 and 4 not being
// worth a restart.
const (
	ExitOK                 = 0
	ExitError              = 1
	ExitUsage              = 2 // bad flag, environment variable or config file
	ExitAlreadyInitialized = 3
	ExitRemoved            = 4 // start: this member was removed from the cluster
	ExitPermission         = 4 // init: etcd refused the credentials, or the user lacks the permission
	ExitInterrupted        = 130
)

// IO carries the streams and environment a command uses, so tests can run
// commands in-process.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	Env    backendconfig.Source
}

// Main runs sensu-backend with os.Args and returns the exit code.
func Main() int {
	streams := IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	streams.Env = backendconfig.OSSource(func(msg string) { fmt.Fprintln(os.Stderr, "sensu-backend: warning:", msg) })
	return Run(context.Background(), os.Args[1:], streams)
}

// Run executes one command line and maps its error to an exit code.
func Run(ctx context.Context, args []string, streams IO) int {
	root := NewRootCommand(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	fmt.Fprintf(streams.ErrOut, "sensu-backend: %s\n", oneLine(err))
	if code == ExitUsage && isFlagError(err) {
		fmt.Fprintln(streams.ErrOut, "Run 'sensu-backend --help' for usage.")
	}
	return code
}

// ExitCode maps an error to the documented exit code.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, keyspace.ErrAlreadyInitialized):
		return ExitAlreadyInitialized
	case errors.Is(err, backend.ErrRemovedFromCluster):
		return ExitRemoved
	case errors.Is(err, etcdconn.ErrAuth), errors.Is(err, etcdconn.ErrPermission):
		return ExitPermission
	case errors.Is(err, errInterrupted):
		return ExitInterrupted
	case errors.Is(err, backend.ErrInvalidConfig), errors.Is(err, backendconfig.ErrConfig), isFlagError(err):
		return ExitUsage
	default:
		return ExitError
	}
}

var errInterrupted = errors.New("interrupted")

// flagError wraps cobra's flag parsing errors.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.HasPrefix(err.Error(), "accepts ")
}

func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}

// NewRootCommand builds the command tree.
func NewRootCommand(streams IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "sensu-backend",
		Short: "Sensu backend: the monitoring store, an embedded etcd member",
		Long: "sensu-backend runs one member of the Sensu store. Each backend embeds an etcd member;\n" +
			"one backend works with no configuration, three or five form a replicated cluster.\n\n" +
			"Settings come from flags, SENSU_BACKEND_* environment variables and a YAML file,\n" +
			"in that order of precedence. See docs/backend.md.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetIn(streams.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newStartCommand(streams), newInitCommand(streams), newVersionCommand(streams))
	return root
}

// setGroupedUsage prints a command's flags under their setting groups.
func setGroupedUsage(cmd *cobra.Command) {
	cmd.SetUsageFunc(func(c *cobra.Command) error {
		w := c.OutOrStderr()
		fmt.Fprintf(w, "Usage:\n  %s [flags]\n", c.CommandPath())
		groups := map[string]*pflag.FlagSet{}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			g := backendconfig.FlagGroup(f)
			if f.Name == "help" {
				g = backendconfig.GroupGeneral
			}
			if groups[g] == nil {
				groups[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			}
			groups[g].AddFlag(f)
		})
		for _, g := range backendconfig.Groups {
			if fs := groups[g]; fs != nil {
				fmt.Fprintf(w, "\n%s Flags:\n%s", g, fs.FlagUsages())
			}
		}
		return nil
	})
}
