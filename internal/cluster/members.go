// Package cluster reads and changes the membership of the etcd cluster inside
// the backends. It returns data and typed errors; it never prints.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// Dialer opens a client for the given endpoints (one member's client URLs).
// The caller's connection settings (TLS, user) apply; the client is closed by
// the caller.
type Dialer func(endpoints []string) (*clientv3.Client, error)

// Roles of a member.
const (
	RoleLeader   = "leader"
	RoleFollower = "follower"
	RoleLearner  = "learner"
	RoleUnknown  = "unknown"
)

// Member is one etcd member as sensuctl shows it. JSON field names and the
// hex IDs are a stable contract.
type Member struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Status     string   `json:"status"` // started, or unstarted (added but never connected)
	Role       string   `json:"role"`   // leader, follower, learner, or unknown when unreachable
	IsLearner  bool     `json:"is_learner"`
	PeerURLs   []string `json:"peer_urls"`
	ClientURLs []string `json:"client_urls"`
	// From the member's own status; zero when it cannot be reached.
	Reachable        bool     `json:"reachable"`
	Error            string   `json:"error,omitempty"`
	Version          string   `json:"version,omitempty"`
	RaftTerm         uint64   `json:"raft_term,omitempty"`
	RaftIndex        uint64   `json:"raft_index,omitempty"`
	RaftAppliedIndex uint64   `json:"raft_applied_index,omitempty"`
	DBSize           int64    `json:"db_size,omitempty"`
	DBSizeInUse      int64    `json:"db_size_in_use,omitempty"`
	Leader           string   `json:"leader,omitempty"` // the leader this member knows
	Alarms           []string `json:"alarms,omitempty"`
	id               uint64
}

// Members is the membership with the cluster's ID.
type Members struct {
	ClusterID string   `json:"cluster_id"`
	Members   []Member `json:"members"`
}

// IDHex formats an etcd ID.
func IDHex(id uint64) string { return keyspace.MemberIDHex(id) }

// RawID is the member's numeric ID.
func (m Member) RawID() uint64 { return m.id }

// ListMembers returns the membership, sorted by name (unstarted members,
// which have no name yet, last), without contacting each member.
func ListMembers(ctx context.Context, cli *clientv3.Client) (Members, error) {
	lctx, cancel := context.WithTimeout(ctx, statusTimeout)
	resp, err := cli.MemberList(lctx)
	cancel()
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		// Without a quorum the linearizable list cannot answer; a member's own
		// view still can, so health and member-list show every row.
		sctx, cancel := context.WithTimeout(ctx, statusTimeout)
		defer cancel()
		resp, err = cli.MemberList(sctx, clientv3.WithSerializable())
	}
	if err != nil {
		return Members{}, err
	}
	out := Members{ClusterID: IDHex(resp.Header.GetClusterId()), Members: []Member{}}
	for _, m := range resp.Members {
		out.Members = append(out.Members, memberFromPB(m))
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

// statusTimeout bounds each member's status request, so one dead member
// cannot stall the view of the others.
const statusTimeout = 3 * time.Second

// InspectMembers lists the members and asks each started one for its status
// concurrently. A member that cannot be reached keeps its row, with the error.
func InspectMembers(ctx context.Context, cli *clientv3.Client, dial Dialer) (Members, error) {
	ms, err := ListMembers(ctx, cli)
	if err != nil {
		return ms, err
	}
	var wg sync.WaitGroup
	for i := range ms.Members {
		m := &ms.Members[i]
		if len(m.ClientURLs) == 0 {
			m.Error = "not started: no client URL yet"
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := memberStatus(ctx, dial, m.ClientURLs)
			if err != nil {
				m.Error = oneLine(err)
				return
			}
			m.Reachable = true
			m.Version = st.Version
			m.RaftTerm, m.RaftIndex, m.RaftAppliedIndex = st.RaftTerm, st.RaftIndex, st.RaftAppliedIndex
			m.DBSize, m.DBSizeInUse = st.DbSize, st.DbSizeInUse
			if st.Leader != 0 {
				m.Leader = IDHex(st.Leader)
			}
			switch {
			case st.IsLearner:
				m.Role = RoleLearner
			case st.Leader != 0 && st.Leader == st.Header.GetMemberId():
				m.Role = RoleLeader
			default:
				m.Role = RoleFollower
			}
			// An alarm (NOSPACE, CORRUPT) is the cluster's, reported by every
			// member; it does not make this member unable to vote or lead.
			var errs []string
			for _, e := range st.Errors {
				if a, ok := parseAlarm(e); ok {
					m.Alarms = append(m.Alarms, a)
					continue
				}
				errs = append(errs, e)
			}
			m.Error = strings.Join(errs, "; ")
		}()
	}
	wg.Wait()
	return ms, nil
}

func memberStatus(ctx context.Context, dial Dialer, endpoints []string) (*clientv3.StatusResponse, error) {
	c, err := dial(endpoints)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	var lastErr error
	for _, ep := range endpoints {
		st, err := c.Status(ctx, ep)
		if err == nil {
			return st, nil
		}
		lastErr = err
	}
	if errors.Is(lastErr, context.DeadlineExceeded) {
		return nil, fmt.Errorf("no answer from %s within %s", strings.Join(endpoints, ","), statusTimeout)
	}
	return nil, lastErr
}

// ErrMemberNotFound means a member reference matched no member.
var ErrMemberNotFound = errors.New("no such member")

// Find resolves ref, a hex ID or a name, to a member.
func (ms Members) Find(ref string) (Member, error) {
	for _, m := range ms.Members {
		if m.Name != "" && m.Name == ref {
			return m, nil
		}
	}
	if id, err := strconv.ParseUint(ref, 16, 64); err == nil {
		for _, m := range ms.Members {
			if m.id == id {
				return m, nil
			}
		}
	}
	var known []string
	for _, m := range ms.Members {
		known = append(known, fmt.Sprintf("%s (%s)", m.ID, orUnstarted(m.Name)))
	}
	return Member{}, fmt.Errorf("%w: %q is neither the hex ID nor the name of a member; members: %s", ErrMemberNotFound, ref, strings.Join(known, ", "))
}

func orUnstarted(name string) string {
	if name == "" {
		return "unstarted"
	}
	return name
}

// Voters returns the members that vote (not learners).
func (ms Members) Voters() []Member {
	var v []Member
	for _, m := range ms.Members {
		if !m.IsLearner {
			v = append(v, m)
		}
	}
	return v
}

// Leader returns the member that is leader, as the reachable members report.
func (ms Members) Leader() (Member, bool) {
	for _, m := range ms.Members {
		if m.Role == RoleLeader {
			return m, true
		}
	}
	return Member{}, false
}

// Quorum is how many voters must agree for n voters.
func Quorum(voters int) int { return voters/2 + 1 }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// parseAlarm reads etcd's "memberID:<decimal> alarm:<NAME>" status error.
func parseAlarm(s string) (string, bool) {
	idPart, alarm, ok := strings.Cut(s, "alarm:")
	idPart = strings.TrimSpace(idPart)
	if !ok || !strings.HasPrefix(idPart, "memberID:") {
		return "", false
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(idPart, "memberID:"), 10, 64)
	if err != nil {
		return "", false
	}
	return alarm + " on " + IDHex(id), true
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// memberFromPB converts a member from an etcd response. A voter's role is
// unknown until its own status says leader or follower.
func memberFromPB(m *pb.Member) Member {
	status := "started"
	if m.GetName() == "" {
		status = "unstarted"
	}
	role := RoleUnknown
	if m.GetIsLearner() {
		role = RoleLearner
	}
	return Member{ID: IDHex(m.GetID()), id: m.GetID(), Name: m.GetName(), Status: status, Role: role, IsLearner: m.GetIsLearner(),
		PeerURLs: nonNil(m.GetPeerURLs()), ClientURLs: nonNil(m.GetClientURLs())}
}
