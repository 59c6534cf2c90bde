// Command sensuctl operates Sensu clusters by talking to their embedded etcd.
package main

import (
	"os"

	"github.com/sensu-etcd/sensu/internal/cli/sensuctl"
)

func main() { os.Exit(sensuctl.Main()) }
