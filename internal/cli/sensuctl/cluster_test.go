package sensuctl

import (
	"testing"

	"github.com/sensu-etcd/sensu/internal/cluster"
)

func TestStartInstructions(t *testing.T) {
	res := cluster.AddResult{
		Member:         cluster.Member{ID: "00000000000000b4", Name: "backend-4", PeerURLs: []string{"https://10.0.0.4:2380"}},
		ClusterID:      "00000000000000c1",
		InitialCluster: "backend-1=https://10.0.0.1:2380,backend-4=https://10.0.0.4:2380",
	}
	golden(t, "member-add.txt", startInstructions(res, guessClientURLs(res.Member.PeerURLs)))
}
