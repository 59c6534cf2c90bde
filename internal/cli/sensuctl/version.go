package sensuctl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/version"
)

// VersionReport is what `sensuctl version -o json` prints.
type VersionReport struct {
	Client   version.Info             `json:"client"`
	Backends []keyspace.BackendRecord `json:"backends"`
}

func newVersionCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of sensuctl and of every running backend it can reach",
		Long: "Print sensuctl's version and one row per running backend (from the registrations\n" +
			"the backends keep in the store). When no backend can be reached, only the client\n" +
			"version is printed and the reason goes to stderr; the exit code is still 0.\n" +
			"Refused credentials or certificates exit 4, as for every command.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.Context(), f)
		},
	}
}

func runVersion(ctx context.Context, f *Factory) error {
	report := VersionReport{Client: version.Get(), Backends: []keyspace.BackendRecord{}}
	backends, err := listBackends(ctx, f)
	if err != nil {
		// Unreachable backends still leave the client version worth printing;
		// a refusal (auth, TLS) or a usage error is the caller's to fix.
		if code := ExitCode(err); code != ExitError {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "sensuctl: no backend version: %v\n", err)
	} else {
		report.Backends = backends
	}
	table := output.Table{
		Title:   report.Client.Line("sensuctl"),
		Headers: []string{"Backend", "Member ID", "Version", "etcd", "Client URLs", "Started"},
	}
	for _, b := range report.Backends {
		table.Rows = append(table.Rows, []string{b.Name, b.MemberID, b.Version, b.EtcdVersion,
			strings.Join(b.ClientURLs, ","), b.StartedAt.Format(time.RFC3339)})
	}
	return f.Printer().Print(output.Data{Table: table, Value: report})
}

// listBackends reads the backends' registrations from the store.
func listBackends(ctx context.Context, f *Factory) ([]keyspace.BackendRecord, error) {
	conn, err := f.Conn()
	if err != nil {
		return nil, err
	}
	rctx, cancel := conn.Context(ctx)
	defer cancel()
	resp, err := conn.Get(rctx, keyspace.BackendsPrefix, clientv3.WithPrefix(), clientv3.WithSerializable())
	if err != nil {
		return nil, conn.Explain(ctx, err, "read backend versions")
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
