package sensuctl

import (
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/cluster"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

func TestStartInstructions(t *testing.T) {
	res := cluster.AddResult{
		Member:         cluster.Member{ID: "00000000000000b4", Name: "backend-4", PeerURLs: []string{"https://10.0.0.4:2380"}},
		ClusterID:      "00000000000000c1",
		InitialCluster: "backend-1=https://10.0.0.1:2380,backend-4=https://10.0.0.4:2380",
	}
	golden(t, "member-add.txt", startInstructions(res, guessClientURLs(res.Member.PeerURLs)))
}

// TestMemberRemoveWithoutQuorum: on a two-member cluster with one member
// down there is no quorum. Removing the down member would leave one voter,
// but the cluster cannot commit the change: member-remove says so (exit 3),
// and --force, which tries anyway, reports the lost quorum rather than the
// down member's "connection refused".
func TestMemberRemoveWithoutQuorum(t *testing.T) {
	etcd := testutil.StartEtcd(t, 2)
	eps := etcd.Endpoints()
	etcd.Members[1].Stop()
	cli := testutil.NewClient(t, eps[:1], nil)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st, err := cli.Status(testutil.Ctx(t, 2*time.Second), eps[0])
		if err == nil && st.Leader == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("m1 still knows a leader: %v %v", st, err)
		}
	}
	e := newEnv(t)
	args := []string{"cluster", "member-remove", "m2", "--yes", "--endpoints", strings.Join(eps, ","), "--dial-timeout", "1s", "--command-timeout", "3s"}

	r := run(t, e, false, args...)
	oneErrorLine(t, r, ExitUnhealthy,
		"sensuctl: remove member m2: no quorum: removing m2 would leave 1 voter (quorum 1), but the cluster cannot commit the change: "+
			"only 1 of its 2 voters is running and its quorum is 2, so it has lost quorum and commits nothing, this change included (down: m2)",
		"restart the down backends", "rebuild the cluster from a snapshot")
	if strings.Contains(r.stderr, "0 running voters") {
		t.Errorf("wrong arithmetic: %q", r.stderr)
	}

	r = run(t, e, false, append(args, "--force")...)
	oneErrorLine(t, r, ExitUnhealthy,
		"sensuctl: remove member m2: no quorum: the cluster could not commit the removal: only 1 of its 2 voters is running and its quorum is 2",
		"restart the down backends")
	if strings.Contains(r.stderr, "connection refused") {
		t.Errorf("--force blames the down member's endpoint: %q", r.stderr)
	}
	if r.took > 30*time.Second {
		t.Errorf("--force took %s", r.took)
	}
}
