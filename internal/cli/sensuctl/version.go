package sensuctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/version"
)

func newVersionCommand(streams IO, conn *ConnOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of sensuctl and of every running backend it can reach",
		Long: "Print sensuctl's version, then one line per running backend (read from the\n" +
			"registrations the backends keep in the store). When no backend can be reached,\n" +
			"only the client version is printed and a note goes to stderr; the exit code is 0.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.Context(), streams, conn)
		},
	}
}

func runVersion(ctx context.Context, streams IO, conn *ConnOptions) error {
	fmt.Fprintln(streams.Out, version.Get().Line("sensuctl"))
	backends, err := listBackends(ctx, conn)
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "sensuctl: no backend version: %v\n", err)
		return nil
	}
	for _, b := range backends {
		fmt.Fprintf(streams.Out, "backend %s (%s): sensu-backend version %s, etcd %s, clients %v, started %s\n",
			b.Name, b.MemberID, b.Version, b.EtcdVersion, b.ClientURLs, b.StartedAt.Format(time.RFC3339))
	}
	return nil
}

// listBackends reads the backends' registrations from the store.
func listBackends(ctx context.Context, conn *ConnOptions) ([]keyspace.BackendRecord, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: conn.Endpoints, DialTimeout: conn.DialTimeout, Logger: zap.NewNop()})
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, conn.DialTimeout+conn.CommandTimeout)
	defer cancel()
	resp, err := cli.Get(ctx, keyspace.BackendsPrefix, clientv3.WithPrefix(), clientv3.WithSerializable())
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("no answer from %s within %s (is a backend running there? set --endpoints)",
			strings.Join(conn.Endpoints, ","), conn.DialTimeout+conn.CommandTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read from %s: %w", strings.Join(conn.Endpoints, ","), err)
	}
	records := make([]keyspace.BackendRecord, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		var r keyspace.BackendRecord
		if err := json.Unmarshal(kv.Value, &r); err != nil {
			return nil, fmt.Errorf("malformed backend record at %s: %w", kv.Key, err)
		}
		records = append(records, r)
	}
	sort.Slice(records, func(i, j int) bool { return records[i].Name < records[j].Name })
	return records, nil
}
