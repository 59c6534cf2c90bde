// Package cluster reads and changes the membership of the etcd cluster inside
// the backends. It returns data and typed errors; it never prints.
package cluster

import (
	"context"
	"sort"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// Member is one etcd member as sensuctl shows it. JSON field names and the
// hex ID are a stable contract.
type Member struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Status     string   `json:"status"` // started, or unstarted (added but never connected)
	IsLearner  bool     `json:"is_learner"`
	PeerURLs   []string `json:"peer_urls"`
	ClientURLs []string `json:"client_urls"`
}

// Members is the membership with the cluster's ID.
type Members struct {
	ClusterID string   `json:"cluster_id"`
	Members   []Member `json:"members"`
}

// ListMembers returns the members sorted by name (unstarted ones, which have no
// name yet, last).
func ListMembers(ctx context.Context, cli *clientv3.Client) (Members, error) {
	resp, err := cli.MemberList(ctx)
	if err != nil {
		return Members{}, err
	}
	out := Members{ClusterID: keyspace.MemberIDHex(resp.Header.GetClusterId()), Members: []Member{}}
	for _, m := range resp.Members {
		status := "started"
		if m.GetName() == "" {
			status = "unstarted"
		}
		out.Members = append(out.Members, Member{
			ID: keyspace.MemberIDHex(m.GetID()), Name: m.GetName(), Status: status, IsLearner: m.GetIsLearner(),
			PeerURLs: nonNil(m.GetPeerURLs()), ClientURLs: nonNil(m.GetClientURLs()),
		})
	}
	sort.SliceStable(out.Members, func(i, j int) bool {
		a, b := out.Members[i], out.Members[j]
		if (a.Name == "") != (b.Name == "") {
			return b.Name == ""
		}
		return a.Name < b.Name
	})
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
