// Command sensu-backend runs a Sensu backend with its embedded etcd member.
package main

import (
	"os"

	"github.com/sensu-etcd/sensu/internal/cli/backendcmd"
)

func main() { os.Exit(backendcmd.Main()) }
