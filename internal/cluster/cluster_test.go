package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

func member(name string, id uint64, learner, healthy bool, role string) Member {
	m := Member{ID: IDHex(id), id: id, Name: name, Status: "started", IsLearner: learner, Role: role}
	if healthy {
		m.Reachable, m.Leader = true, IDHex(1)
	} else {
		m.Error = "no answer"
	}
	return m
}

func TestPlanRemove(t *testing.T) {
	three := Members{Members: []Member{
		member("a", 1, false, true, RoleLeader), member("b", 2, false, true, RoleFollower), member("c", 3, false, false, RoleUnknown),
	}}
	cases := []struct {
		name    string
		ms      Members
		target  string
		force   bool
		refused string
		before  int
		after   int
	}{
		{"healthy follower of 3 with one down: would lose quorum", three, "b", false, "below the quorum of 2", 0, 0},
		{"... unless forced", three, "b", true, "", 0, 0},
		{"the dead member", three, "c", false, "", 0, 0},
		{"learner always", Members{Members: []Member{member("a", 1, false, true, RoleLeader), member("l", 9, true, false, RoleLearner)}}, "l", false, "", 0, 0},
		{"last voter never", Members{Members: []Member{member("a", 1, false, true, RoleLeader)}}, "a", true, "last voting member", 0, 0},
		{"one of five healthy", Members{Members: []Member{
			member("a", 1, false, true, RoleLeader), member("b", 2, false, true, ""), member("c", 3, false, true, ""),
			member("d", 4, false, true, ""), member("e", 5, false, true, ""),
		}}, "e", false, "", 2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, err := tc.ms.Find(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := PlanRemove(tc.ms, target, tc.force)
			if tc.refused != "" {
				if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("want refusal %q, got %v", tc.refused, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan.ToleranceBefore != tc.before || plan.ToleranceAfter != tc.after {
				t.Errorf("tolerance %d → %d, want %d → %d", plan.ToleranceBefore, plan.ToleranceAfter, tc.before, tc.after)
			}
		})
	}
}

func TestQuorumAndTolerance(t *testing.T) {
	for _, tc := range []struct{ voters, healthy, quorum, tolerance int }{
		{1, 1, 1, 0}, {2, 2, 2, 0}, {3, 3, 2, 1}, {3, 2, 2, 0}, {4, 4, 3, 1}, {5, 5, 3, 2}, {5, 3, 3, 0}, {5, 2, 3, 0},
	} {
		if q, tol := Quorum(tc.voters), Tolerance(tc.healthy, tc.voters); q != tc.quorum || tol != tc.tolerance {
			t.Errorf("%d voters, %d healthy: quorum %d tolerance %d, want %d %d", tc.voters, tc.healthy, q, tol, tc.quorum, tc.tolerance)
		}
	}
}

func TestFind(t *testing.T) {
	ms := Members{Members: []Member{member("backend-1", 0xabc, false, true, RoleLeader), {ID: IDHex(0xdef), id: 0xdef, Status: "unstarted"}}}
	for ref, want := range map[string]uint64{"backend-1": 0xabc, "0000000000000abc": 0xabc, "abc": 0xabc, "def": 0xdef} {
		m, err := ms.Find(ref)
		if err != nil || m.id != want {
			t.Errorf("Find(%q) = %v, %v", ref, m.ID, err)
		}
	}
	_, err := ms.Find("nope")
	if !errors.Is(err, ErrMemberNotFound) || !strings.Contains(err.Error(), "0000000000000def (unstarted)") {
		t.Errorf("Find(nope): %v", err)
	}
}

// TestInspectWithAMemberDown keeps the down member's row, with the reason.
func TestInspectWithAMemberDown(t *testing.T) {
	etcd := testutil.StartEtcd(t, 3)
	etcd.Members[2].Stop()
	cli := testutil.NewClient(t, etcd.Endpoints()[:2], nil)
	dial := func(eps []string) (*clientv3.Client, error) {
		return clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: time.Second})
	}
	ms, err := InspectMembers(testutil.Ctx(t, 20*time.Second), cli, dial)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.Members) != 3 {
		t.Fatalf("members: %+v", ms)
	}
	leaders := 0
	for _, m := range ms.Members {
		switch m.Name {
		case "m3":
			if m.Reachable || !strings.Contains(m.Error, "no answer") || m.Role != RoleUnknown {
				t.Errorf("down member: %+v", m)
			}
		default:
			if !m.Reachable || m.Version == "" || m.RaftAppliedIndex == 0 || m.DBSize == 0 {
				t.Errorf("live member: %+v", m)
			}
			if m.Role == RoleLeader {
				leaders++
			}
		}
	}
	if leaders != 1 {
		t.Errorf("%d leaders", leaders)
	}
	st, _, err := ClusterStatus(context.Background(), cli, dial)
	if err != nil || st.Voters != 3 || st.HealthyVoters != 2 || st.Quorum != 2 || st.FailureTolerance != 0 {
		t.Errorf("status: %+v %v", st, err)
	}
}

// TestPlanRemoveWithoutQuorum: two voters, one down, the other running but
// without a leader. Removing the down one would leave 1 voter, but nothing
// commits without the current quorum: the refusal says so, with the counts.
func TestPlanRemoveWithoutQuorum(t *testing.T) {
	up := Member{ID: IDHex(1), id: 1, Name: "b1", Status: "started", Reachable: true, Role: RoleFollower}
	down := member("b2", 2, false, false, RoleUnknown)
	ms := Members{Members: []Member{up, down}}
	plan, err := PlanRemove(ms, down, false)
	want := "remove member b2: no quorum: removing b2 would leave 1 voter (quorum 1), but the cluster cannot commit the change: " +
		"only 1 of its 2 voters is running and its quorum is 2, so it has lost quorum and commits nothing, this change included (down: b2)"
	if !errors.Is(err, ErrRefused) || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "restart the down backends") {
		t.Errorf("got %v\nwant prefix %s", err, want)
	}
	if plan.VotersBefore != 2 || plan.VotersAfter != 1 {
		t.Errorf("plan %+v", plan)
	}
	if _, err := PlanRemove(ms, down, true); err != nil {
		t.Errorf("--force: %v", err)
	}
}
