package sensuctl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/backup"
	"github.com/sensu-etcd/sensu/internal/clientconfig"
	"github.com/sensu-etcd/sensu/internal/cluster"
	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/store"
)

// Exit codes of sensuctl: the one place errors become codes.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitUnhealthy   = 3
	ExitAuth        = 4
	ExitNotFound    = 5
	ExitInterrupted = 130
)

// exitCodes documents each code; `sensuctl help exit-codes` and docs print it.
var exitCodes = []struct {
	Code    int
	Meaning string
}{
	{ExitOK, "success"},
	{ExitError, "error: an endpoint unreachable or timing out, a failed request, bad input data (nothing was written)"},
	{ExitUsage, "usage: unknown command or flag, bad flag value, environment variable or config file, unknown --format, a prompt needed without a terminal"},
	{ExitUnhealthy, "the cluster is unhealthy (it has lost quorum), a change was refused as unsafe in the cluster's state (or would overwrite resources with --on-conflict fail, or delete a namespace that is not empty), or a command completed only in part (it printed every result first)"},
	{ExitAuth, "authentication or TLS refused, or permission denied by etcd (or by the 1.x Redis of migrate)"},
	{ExitNotFound, "not found: a member, resource or profile named on the command line does not exist"},
	{ExitInterrupted, "interrupted (SIGINT or SIGTERM)"},
}

// ErrPartial marks a command that did part of its work; ErrUnhealthy a check
// that found the cluster unhealthy. Both exit 3.
var (
	ErrPartial   = errors.New("completed only in part")
	ErrUnhealthy = errors.New("cluster unhealthy")
	// ErrNotFound marks a named thing that does not exist (exit 5).
	ErrNotFound = errors.New("not found")
)

var errInterrupted = errors.New("interrupted")

// ExitCode maps an error to its exit code.
func ExitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errInterrupted), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, etcdconn.ErrAuth), errors.Is(err, etcdconn.ErrTLS), errors.Is(err, etcdconn.ErrPermission),
		errors.Is(err, sensu1redis.ErrAuth), errors.Is(err, sensu1redis.ErrPermission):
		return ExitAuth
	case errors.Is(err, ErrNotFound), errors.Is(err, clientconfig.ErrProfileNotFound), errors.Is(err, cluster.ErrMemberNotFound),
		errors.Is(err, store.ErrNotFound):
		return ExitNotFound
	case errors.Is(err, backup.ErrSidecarMismatch):
		// A snapshot and a sidecar that disagree exit as a damaged snapshot
		// does (docs/backup.md, Exit codes).
		return ExitError
	case errors.Is(err, ErrPartial), errors.Is(err, ErrUnhealthy), errors.Is(err, cluster.ErrRefused), errors.Is(err, etcdconn.ErrNoQuorum),
		errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotEmpty):
		return ExitUnhealthy
	case isFlagError(err), errors.As(err, &ue), errors.Is(err, clientconfig.ErrConfig), errors.Is(err, etcdconn.ErrUsage),
		errors.Is(err, cluster.ErrBadInput), errors.Is(err, sensu1redis.ErrInvalidURL):
		return ExitUsage
	default:
		return ExitError
	}
}

// ExitCodesText is the body of `sensuctl help exit-codes`.
func ExitCodesText() string {
	var b strings.Builder
	b.WriteString("sensuctl exits with one of these codes:\n\n")
	for _, c := range exitCodes {
		fmt.Fprintf(&b, "  %3d  %s\n", c.Code, c.Meaning)
	}
	b.WriteString("\nEvery error is one line on stderr that names the endpoint, file or flag involved;\n" +
		"problems in input files are listed one per line, each with its file:line.\n")
	return b.String()
}

// newExitCodesTopic is a help topic: `sensuctl help exit-codes`.
func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "Exit codes of sensuctl, for scripts",
		Long:  ExitCodesText(),
	}
}
