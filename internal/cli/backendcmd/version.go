package backendcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/version"
)

func newVersionCommand(streams IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of sensu-backend and of its embedded etcd",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(streams.Out, version.Get().Line("sensu-backend"))
			return nil
		},
	}
}
