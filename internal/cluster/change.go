package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sensu-etcd/sensu/internal/etcdconn"
)

// ErrRefused means a change was refused because it is unsafe or the cluster
// is not in a state to take it; the message says why and what to do.
var ErrRefused = errors.New("refused")

// ErrBadInput means a name or URL given to a command is malformed.
var ErrBadInput = errors.New("invalid argument")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

func refused(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// Progress receives one line about a step that takes a while.
type Progress func(msg string)

func (p Progress) say(format string, args ...any) {
	if p != nil {
		p(fmt.Sprintf(format, args...))
	}
}

// healthyVoters counts reachable voters that know a leader, skipping except.
func healthyVoters(ms Members, except string) int {
	n := 0
	for _, m := range ms.Voters() {
		if m.ID != except && m.Reachable && m.Leader != "" && m.Error == "" {
			n++
		}
	}
	return n
}

// AddResult describes a member just added and how to start it.
type AddResult struct {
	Member           Member `json:"member"`
	ClusterID        string `json:"cluster_id"`
	InitialCluster   string `json:"initial_cluster"`
	Voter            bool   `json:"voter"`
	VotersAfter      int    `json:"voters_after"`
	QuorumAfter      int    `json:"quorum_after"`
	ToleranceNow     int    `json:"failure_tolerance_now"`
	ToleranceStarted int    `json:"failure_tolerance_once_started"`
}

// AddMember adds name with peerURLs after pre-flight checks: well-formed and
// unused name and URLs, every existing member healthy and started. It adds a
// learner (which does not count towards quorum) unless voter is set; a voter
// is only added when the cluster keeps its quorum while the new member is not
// yet started. etcd refuses changes for ~5 s after a member starts; AddMember
// retries through that window, telling progress.
func AddMember(ctx context.Context, cli *clientv3.Client, dial Dialer, name string, peerURLs []string, voter bool, progress Progress) (AddResult, error) {
	if name == "" || strings.ContainsAny(name, "=, ") {
		return AddResult{}, badInput("member name %q must be non-empty, without '=', ',' or spaces", name)
	}
	if len(peerURLs) == 0 {
		return AddResult{}, badInput("--peer-urls is required, e.g. --peer-urls http://10.0.0.4:2380")
	}
	for _, u := range peerURLs {
		if err := checkPeerURL(u); err != nil {
			return AddResult{}, badInput("peer URL %q: %v", u, err)
		}
	}
	ms, err := InspectMembers(ctx, cli, dial)
	if err != nil {
		return AddResult{}, err
	}
	for _, m := range ms.Members {
		if m.Name == name {
			return AddResult{}, refused("a member named %s already exists (%s)", name, m.ID)
		}
		for _, u := range peerURLs {
			for _, mu := range m.PeerURLs {
				if sameURL(u, mu) {
					return AddResult{}, refused("peer URL %s is already used by member %s (%s)", u, orUnstarted(m.Name), m.ID)
				}
			}
		}
		if m.Status == "unstarted" {
			return AddResult{}, refused("member %s was added but never started; start it (or remove it) before adding another", m.ID)
		}
		if !m.Reachable || m.Error != "" {
			return AddResult{}, refused("member %s (%s) is not healthy: %s; a membership change now could cost the quorum: bring it back, or remove it first (sensuctl cluster member-remove %s)",
				m.Name, m.ID, orText(m.Error, "unreachable"), m.Name)
		}
	}
	voters := len(ms.Voters())
	healthy := healthyVoters(ms, "")
	if voter && healthy < Quorum(voters+1) {
		return AddResult{}, refused("adding %s as a voter would make %d voters with a quorum of %d, but only %d are running until %s starts: the cluster would stall. Add it as a learner (the default) and promote it once it has caught up (--wait, or member-promote)",
			name, voters+1, Quorum(voters+1), healthy, name)
	}

	var resp *clientv3.MemberAddResponse
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if voter {
			resp, err = cli.MemberAdd(actx, peerURLs)
		} else {
			resp, err = cli.MemberAddAsLearner(actx, peerURLs)
		}
		cancel()
		if err == nil || !errors.Is(err, rpctypes.ErrUnhealthy) || attempt >= 40 || ctx.Err() != nil {
			break
		}
		if attempt == 0 {
			progress.say("etcd refuses membership changes for about 5 s after a member (re)starts; retrying")
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err != nil {
		return AddResult{}, explainChange(err, "add member "+name)
	}
	added := memberFromPB(resp.Member)
	added.Name = name
	var initial []string
	for _, m := range resp.Members {
		n := m.GetName()
		if m.GetID() == resp.Member.GetID() {
			n = name
		}
		for _, u := range m.GetPeerURLs() {
			initial = append(initial, n+"="+u)
		}
	}
	sort.Strings(initial)
	res := AddResult{Member: added, ClusterID: ms.ClusterID, InitialCluster: strings.Join(initial, ","), Voter: voter}
	res.VotersAfter = voters
	if voter {
		res.VotersAfter++
	}
	res.QuorumAfter = Quorum(res.VotersAfter)
	res.ToleranceNow = Tolerance(healthy, res.VotersAfter)
	res.ToleranceStarted = Tolerance(healthy+btoi(voter), res.VotersAfter)
	return res, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func checkPeerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return errors.New("must be http(s)://host:port")
	}
	if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
		return errors.New("needs an explicit host:port")
	}
	if u.Path != "" && u.Path != "/" {
		return errors.New("must not have a path")
	}
	return nil
}

func sameURL(a, b string) bool { return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") }

// explainChange maps etcd's refusals of a membership change to advice.
func explainChange(err error, action string) error {
	switch {
	case errors.Is(err, rpctypes.ErrUnhealthy):
		return refused("%s: etcd says the cluster is unhealthy (a member is down or was just started); check 'sensuctl cluster health' and retry", action)
	case errors.Is(err, rpctypes.ErrMemberNotEnoughStarted):
		return refused("%s: not enough started members: the change would leave the cluster without a running quorum", action)
	case errors.Is(err, rpctypes.ErrTooManyLearners):
		return refused("%s: the cluster already has as many learners as it accepts (etcd-max-learners); promote or remove the learner first", action)
	case errors.Is(err, rpctypes.ErrPeerURLExist):
		return refused("%s: the peer URL is already in use", action)
	case errors.Is(err, rpctypes.ErrMemberLearnerNotReady):
		return refused("%s: the learner has not caught up with the leader yet; retry, or use --wait", action)
	case errors.Is(err, rpctypes.ErrMemberNotLearner):
		return refused("%s: the member is already a voter", action)
	case errors.Is(err, rpctypes.ErrMemberNotFound):
		return fmt.Errorf("%s: %w", action, ErrMemberNotFound)
	}
	return err
}

// WaitAndPromote waits for a learner to start and catch up, then promotes
// it. Only etcd's leader knows when a learner has caught up, so it asks for
// the promotion once a second (etcd logs each refusal); meanwhile progress
// hears the learner's applied index when the learner answers. A learner may
// not answer before its promotion: etcd can hold back its first publication
// until then, so answering is not a precondition.
func WaitAndPromote(ctx context.Context, cli *clientv3.Client, dial Dialer, id uint64, progress Progress) error {
	last := ""
	tell := func(s string) {
		if s != last {
			progress.say("%s", s)
			last = s
		}
	}
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := cli.MemberPromote(pctx, id)
		cancel()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, rpctypes.ErrMemberLearnerNotReady):
			tell(learnerProgress(ctx, cli, dial, id))
		case errors.Is(err, rpctypes.ErrUnhealthy), errors.Is(err, rpctypes.ErrMemberNotEnoughStarted), errors.Is(err, context.DeadlineExceeded):
			tell("waiting for the cluster to accept the promotion (" + oneLine(err) + ")")
		default:
			return explainChange(err, "promote "+IDHex(id))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up waiting to promote %s: %w (it stays a learner; run 'sensuctl cluster member-promote %s' later)", IDHex(id), ctx.Err(), IDHex(id))
		case <-time.After(time.Second):
		}
	}
}

// learnerProgress says how far a learner is, as far as can be seen.
func learnerProgress(ctx context.Context, cli *clientv3.Client, dial Dialer, id uint64) string {
	ms, err := InspectMembers(ctx, cli, dial)
	if err != nil {
		return "waiting for the learner to catch up with the leader"
	}
	var learner, leader Member
	for _, m := range ms.Members {
		if m.id == id {
			learner = m
		}
		if m.Role == RoleLeader {
			leader = m
		}
	}
	switch {
	case learner.Status == "unstarted" && !learner.Reachable:
		return "waiting for the new backend to start, connect and load the data"
	case learner.Reachable && leader.RaftIndex > 0:
		return fmt.Sprintf("learner catching up: applied index %d of the leader's %d", learner.RaftAppliedIndex, leader.RaftIndex)
	default:
		return "waiting for the learner to catch up with the leader"
	}
}

// WaitHealthy waits until member id is started and answers a quorum read.
func WaitHealthy(ctx context.Context, cli *clientv3.Client, dial Dialer, id uint64, progress Progress) error {
	told := false
	for {
		ms, err := ListMembers(ctx, cli)
		if err == nil {
			for _, m := range ms.Members {
				if m.id == id && len(m.ClientURLs) > 0 {
					if err := quorumRead(ctx, dial, m.ClientURLs, m.IsLearner); err == nil {
						return nil
					}
				}
			}
		}
		if !told {
			progress.say("waiting for %s to answer", IDHex(id))
			told = true
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not become healthy: %w", IDHex(id), ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func isStarted(ctx context.Context, cli *clientv3.Client, id uint64) (bool, error) {
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	resp, err := cli.MemberList(lctx)
	if err != nil {
		return false, err
	}
	for _, m := range resp.Members {
		if m.GetID() == id {
			return m.GetName() != "", nil
		}
	}
	return false, ErrMemberNotFound
}

// Promote promotes a learner once.
func Promote(ctx context.Context, cli *clientv3.Client, id uint64) error {
	_, err := cli.MemberPromote(ctx, id)
	return explainChange(err, "promote "+IDHex(id))
}

// RemoveResult describes a removal.
type RemoveResult struct {
	Member          Member `json:"member"`
	MovedLeaderTo   string `json:"moved_leader_to,omitempty"`
	VotersBefore    int    `json:"voters_before"`
	VotersAfter     int    `json:"voters_after"`
	ToleranceBefore int    `json:"failure_tolerance_before"`
	ToleranceAfter  int    `json:"failure_tolerance_after"`
}

// PlanRemove checks that removing target keeps a running quorum, and returns
// what the removal would do. force skips the quorum guard (not the last-voter
// one).
func PlanRemove(ms Members, target Member, force bool) (RemoveResult, error) {
	res := RemoveResult{Member: target}
	voters := len(ms.Voters())
	healthy := healthyVoters(ms, "")
	res.VotersBefore, res.VotersAfter = voters, voters
	res.ToleranceBefore = Tolerance(healthy, voters)
	if !target.IsLearner && voters > 1 {
		res.VotersAfter = voters - 1
	}
	if healthy < Quorum(voters) && !force {
		// Whatever the change would leave, etcd commits it through the
		// current quorum, which is not there.
		return res, noQuorum(ms, "remove member "+orUnstarted(target.Name),
			fmt.Sprintf("removing %s would leave %s (quorum %d), but the cluster cannot commit the change", orUnstarted(target.Name), voterCount(res.VotersAfter), Quorum(res.VotersAfter)), nil)
	}
	if target.IsLearner {
		res.ToleranceAfter = res.ToleranceBefore
		return res, nil
	}
	if voters == 1 {
		return res, refused("%s is the last voting member; removing it would destroy the cluster", orUnstarted(target.Name))
	}
	res.VotersAfter = voters - 1
	remaining := healthyVoters(ms, target.ID)
	res.ToleranceAfter = Tolerance(remaining, voters-1)
	if remaining < Quorum(voters-1) && !force {
		return res, refused("removing %s would leave %d running voters of %d, below the quorum of %d: the cluster would stop. Bring the down members back first, or use --force if they are gone for good",
			orUnstarted(target.Name), remaining, voters-1, Quorum(voters-1))
	}
	return res, nil
}

// Remove removes target after PlanRemove. When target is the leader, it
// first hands leadership to another healthy voter, so the cluster does not
// wait an election timeout without a leader.
func Remove(ctx context.Context, cli *clientv3.Client, dial Dialer, ms Members, target Member, plan RemoveResult, progress Progress) (RemoveResult, error) {
	if target.Role == RoleLeader {
		to, ok := transferee(ms, target.ID)
		if ok {
			progress.say("%s is the leader; moving leadership to %s first", target.Name, to.Name)
			if err := moveLeader(ctx, dial, target, to); err != nil {
				return plan, fmt.Errorf("move leadership away from %s before removing it: %w", target.Name, err)
			}
			plan.MovedLeaderTo = to.Name
		}
	}
	// Ask the other members: the removed one stops as soon as the removal
	// applies, and would fail a request it is serving ("server stopped").
	c := cli
	var others []string
	for _, m := range ms.Members {
		if m.ID != target.ID && m.Reachable {
			others = append(others, m.ClientURLs...)
		}
	}
	if len(others) > 0 {
		if oc, err := dial(others); err == nil {
			defer oc.Close()
			c = oc
		}
	}
	var err error
	for attempt := 0; ; attempt++ {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err = c.MemberRemove(rctx, target.id)
		cancel()
		if err != nil && !errors.Is(err, rpctypes.ErrUnhealthy) && isGone(ctx, c, target.id) {
			err = nil // applied, but the answer was lost with the member
		}
		if err == nil || !errors.Is(err, rpctypes.ErrUnhealthy) || attempt >= 40 || ctx.Err() != nil {
			break
		}
		if attempt == 0 {
			progress.say("etcd refuses membership changes for about 5 s after a member (re)starts; retrying")
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		action := "remove member " + orUnstarted(target.Name)
		if healthyVoters(ms, "") < Quorum(len(ms.Voters())) && isTimeout(err) {
			return plan, noQuorum(ms, action, "the cluster could not commit the removal", err)
		}
		return plan, explainChange(err, action)
	}
	return plan, nil
}

// isTimeout reports whether a request ended without an answer: what a
// proposal gets from a cluster without a leader.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, rpctypes.ErrTimeout) || errors.Is(err, rpctypes.ErrGRPCTimeout) ||
		errors.Is(err, rpctypes.ErrNoLeader) || errors.Is(err, rpctypes.ErrGRPCNoLeader) {
		return true
	}
	st, ok := status.FromError(err)
	return ok && (st.Code() == codes.DeadlineExceeded || st.Code() == codes.Unavailable)
}

// noQuorumError is a change the cluster cannot commit because too few voters
// run. It is a refusal (exit 3 in sensuctl) and etcdconn's no-quorum kind.
type noQuorumError struct{ msg string }

func (e *noQuorumError) Error() string { return e.msg }
func (e *noQuorumError) Is(target error) bool {
	return target == ErrRefused || target == etcdconn.ErrNoQuorum
}

func voterCount(n int) string {
	if n == 1 {
		return "1 voter"
	}
	return fmt.Sprintf("%d voters", n)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// noQuorum explains that the cluster has lost quorum: how many voters run,
// which are down, and what to do.
func noQuorum(ms Members, action, what string, cause error) error {
	voters := ms.Voters()
	running := 0
	var down []string
	for _, m := range voters {
		if m.Reachable { // it may answer with an error: no leader
			running++
		} else {
			down = append(down, orUnstarted(m.Name))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: no quorum: %s: ", action, what)
	if running >= Quorum(len(voters)) {
		fmt.Fprintf(&b, "%d of its %s are running but none knows a leader (an election may be under way); retry in a few seconds", running, voterCount(len(voters)))
	} else {
		fmt.Fprintf(&b, "only %d of its %s %s running and its quorum is %d, so it has lost quorum and commits nothing, this change included", running, voterCount(len(voters)), isAre(running), Quorum(len(voters)))
		if len(down) > 0 {
			fmt.Fprintf(&b, " (down: %s)", strings.Join(down, ", "))
		}
	}
	if cause != nil {
		fmt.Fprintf(&b, " (etcd: %s)", oneLine(cause))
	}
	if running < Quorum(len(voters)) {
		b.WriteString(" (" + etcdconn.QuorumLostHint + ")")
	}
	return &noQuorumError{msg: b.String()}
}

// isGone reports whether member id is no longer in the membership.
func isGone(ctx context.Context, cli *clientv3.Client, id uint64) bool {
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	resp, err := cli.MemberList(lctx)
	if err != nil {
		return false
	}
	for _, m := range resp.Members {
		if m.GetID() == id {
			return false
		}
	}
	return true
}

// transferee picks a healthy voter other than except, preferring the most
// caught-up one.
func transferee(ms Members, except string) (Member, bool) {
	var best Member
	found := false
	for _, m := range ms.Voters() {
		if m.ID == except || !m.Reachable || m.Error != "" {
			continue
		}
		if !found || m.RaftAppliedIndex > best.RaftAppliedIndex {
			best, found = m, true
		}
	}
	return best, found
}

// moveLeader asks the current leader to hand over to target. The request
// must reach the leader itself.
func moveLeader(ctx context.Context, dial Dialer, leader, target Member) error {
	c, err := dial(leader.ClientURLs)
	if err != nil {
		return err
	}
	defer c.Close()
	mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.MoveLeader(mctx, target.id); err != nil {
		switch {
		case errors.Is(err, rpctypes.ErrBadLeaderTransferee):
			return refused("%s cannot take leadership (a learner, or not a member)", orUnstarted(target.Name))
		case errors.Is(err, rpctypes.ErrNotLeader):
			return refused("%s is no longer the leader; retry", leader.Name)
		}
		return err
	}
	return nil
}

// MoveLeader hands leadership to target, which must be a healthy voter.
func MoveLeader(ctx context.Context, dial Dialer, ms Members, target Member) (from Member, err error) {
	if target.IsLearner {
		return Member{}, refused("%s is a learner; promote it before it can lead", target.Name)
	}
	leader, ok := ms.Leader()
	if !ok {
		return Member{}, refused("no member reports being the leader (the cluster may have lost quorum)")
	}
	if leader.ID == target.ID {
		return leader, nil
	}
	if !target.Reachable || target.Error != "" {
		return leader, refused("%s is not healthy: %s", target.Name, orText(target.Error, "unreachable"))
	}
	return leader, moveLeader(ctx, dial, leader, target)
}

// Update replaces a member's peer URLs.
func Update(ctx context.Context, cli *clientv3.Client, ms Members, target Member, peerURLs []string) error {
	for _, u := range peerURLs {
		if err := checkPeerURL(u); err != nil {
			return badInput("peer URL %q: %v", u, err)
		}
		for _, m := range ms.Members {
			for _, mu := range m.PeerURLs {
				if m.ID != target.ID && sameURL(u, mu) {
					return refused("peer URL %s is already used by member %s", u, orUnstarted(m.Name))
				}
			}
		}
	}
	_, err := cli.MemberUpdate(ctx, target.id, peerURLs)
	return explainChange(err, "update member "+orUnstarted(target.Name))
}
