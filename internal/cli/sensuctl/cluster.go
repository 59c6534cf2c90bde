package sensuctl

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/cluster"
	"github.com/sensu-etcd/sensu/internal/output"
)

func newClusterCommand(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "See the cluster's members",
	}
	cmd.AddCommand(newMemberListCommand(f))
	return cmd
}

func newMemberListCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "member-list",
		Short: "List the etcd members of the cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMemberList(cmd.Context(), f)
		},
	}
}

func runMemberList(ctx context.Context, f *Factory) error {
	conn, err := f.Conn()
	if err != nil {
		return err
	}
	rctx, cancel := conn.Context(ctx)
	defer cancel()
	members, err := cluster.ListMembers(rctx, conn.Client)
	if err != nil {
		return conn.Explain(ctx, err, "list members")
	}
	table := output.Table{
		Title:   "=== Etcd Cluster ID: " + members.ClusterID,
		Headers: []string{"ID", "Name", "Status", "Learner", "Peer URLs", "Client URLs"},
	}
	for _, m := range members.Members {
		learner := "false"
		if m.IsLearner {
			learner = "true"
		}
		table.Rows = append(table.Rows, []string{m.ID, m.Name, m.Status, learner, strings.Join(m.PeerURLs, ","), strings.Join(m.ClientURLs, ",")})
	}
	return f.Printer().Print(output.Data{Table: table, Value: members})
}
