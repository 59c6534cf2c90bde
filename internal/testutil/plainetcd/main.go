// Command plainetcd is an unmodified etcd server built from the etcd module,
// so tests can check sensuctl against plain etcd, not only sensu-backend.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
