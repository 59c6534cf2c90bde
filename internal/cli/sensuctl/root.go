// Package sensuctl is the sensuctl command line. Commands talk straight to
// the etcd inside the backends.
package sensuctl

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// IO carries the streams a command uses, so tests can run it in-process.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// ConnOptions are the connection settings every command shares.
type ConnOptions struct {
	Endpoints      []string
	DialTimeout    time.Duration
	CommandTimeout time.Duration
}

// Main runs sensuctl with os.Args and returns the exit code.
func Main() int {
	return Run(context.Background(), os.Args[1:], IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
}

// Run executes one command line and returns its exit code.
func Run(ctx context.Context, args []string, streams IO) int {
	root := NewRootCommand(streams)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(streams.ErrOut, "sensuctl: %s\n", strings.TrimSpace(err.Error()))
		return 1
	}
	return 0
}

// NewRootCommand builds the command tree.
func NewRootCommand(streams IO) *cobra.Command {
	conn := &ConnOptions{}
	root := &cobra.Command{
		Use:           "sensuctl",
		Short:         "Operate a Sensu cluster: membership, backups, resources, migration",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetIn(streams.In)
	pf := root.PersistentFlags()
	pf.StringSliceVar(&conn.Endpoints, "endpoints", []string{"http://127.0.0.1:2379"}, "etcd client URLs of the backends, comma-separated")
	pf.DurationVar(&conn.DialTimeout, "dial-timeout", 5*time.Second, "how long to wait for a connection to an endpoint")
	pf.DurationVar(&conn.CommandTimeout, "command-timeout", 10*time.Second, "how long one request may take")
	root.AddCommand(newVersionCommand(streams, conn))
	return root
}
