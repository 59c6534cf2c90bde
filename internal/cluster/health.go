package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// MemberHealth is one member's health as seen from sensuctl.
type MemberHealth struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Healthy  bool   `json:"healthy"`
	TookMs   int64  `json:"took_ms"`
	Error    string `json:"error,omitempty"`
}

// Alarm is an active etcd alarm.
type Alarm struct {
	MemberID string `json:"member_id"`
	Alarm    string `json:"alarm"`
}

// HealthReport is the cluster's health: every member, then the alarms.
type HealthReport struct {
	ClusterID string         `json:"cluster_id"`
	Healthy   bool           `json:"healthy"`
	Members   []MemberHealth `json:"members"`
	Alarms    []Alarm        `json:"alarms"`
}

// healthTimeout bounds each member's check.
const healthTimeout = 3 * time.Second

// Health checks every member concurrently with a linearizable read through
// that member (so it must reach a quorum), and lists the alarms. A member
// with an alarm is unhealthy. It returns a report even when some members are
// down; the error is only for failing to read the membership at all.
func Health(ctx context.Context, cli *clientv3.Client, dial Dialer) (HealthReport, error) {
	ms, err := ListMembers(ctx, cli)
	if err != nil {
		return HealthReport{}, err
	}
	report := HealthReport{ClusterID: ms.ClusterID, Members: make([]MemberHealth, len(ms.Members)), Alarms: []Alarm{}}
	actx, cancel := context.WithTimeout(ctx, healthTimeout)
	alarms, alarmErr := cli.AlarmList(actx)
	cancel()
	alarmed := map[string][]string{}
	if alarmErr == nil {
		for _, a := range alarms.Alarms {
			al := Alarm{MemberID: IDHex(a.GetMemberID()), Alarm: a.GetAlarm().String()}
			report.Alarms = append(report.Alarms, al)
			alarmed[al.MemberID] = append(alarmed[al.MemberID], al.Alarm)
		}
	}
	var wg sync.WaitGroup
	for i, m := range ms.Members {
		h := &report.Members[i]
		*h = MemberHealth{ID: m.ID, Name: m.Name}
		if len(m.ClientURLs) == 0 {
			h.Error = "not started: added but never connected"
			continue
		}
		h.Endpoint = strings.Join(m.ClientURLs, ",")
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := quorumRead(ctx, dial, m.ClientURLs, m.IsLearner)
			h.TookMs = time.Since(start).Milliseconds()
			switch {
			case err != nil:
				h.Error = oneLine(err)
			case len(alarmed[m.ID]) > 0:
				h.Error = "alarm " + strings.Join(alarmed[m.ID], ", ")
			default:
				h.Healthy = true
			}
		}()
	}
	wg.Wait()
	report.Healthy = alarmErr == nil
	for _, h := range report.Members {
		report.Healthy = report.Healthy && h.Healthy
	}
	return report, nil
}

// quorumRead does what etcd's own health check does: a linearizable read,
// which needs the member to reach the leader and a quorum. A learner can only
// serve serializable reads. Permission denied still proves the member works.
func quorumRead(ctx context.Context, dial Dialer, endpoints []string, learner bool) error {
	c, err := dial(endpoints)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	var opts []clientv3.OpOption
	if learner {
		opts = append(opts, clientv3.WithSerializable())
	}
	_, err = c.Get(ctx, "health", opts...)
	if err == nil || errors.Is(err, rpctypes.ErrPermissionDenied) {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s (down, or cut off from the quorum)", healthTimeout)
	}
	return err
}

// Status is the cluster at a glance.
type Status struct {
	ClusterID        string `json:"cluster_id"`
	SensuClusterID   string `json:"sensu_cluster_id,omitempty"`
	Leader           string `json:"leader,omitempty"`
	LeaderName       string `json:"leader_name,omitempty"`
	Revision         int64  `json:"revision"`
	RaftTerm         uint64 `json:"raft_term"`
	Members          int    `json:"members"`
	Voters           int    `json:"voters"`
	Learners         int    `json:"learners"`
	HealthyVoters    int    `json:"healthy_voters"`
	Quorum           int    `json:"quorum"`
	FailureTolerance int    `json:"failure_tolerance"`
}

// Tolerance returns how many more voters can fail before quorum is lost.
func Tolerance(healthyVoters, voters int) int { return max(0, healthyVoters-Quorum(voters)) }

// ClusterStatus combines the members' views into the cluster's status.
func ClusterStatus(ctx context.Context, cli *clientv3.Client, dial Dialer) (Status, Members, error) {
	ms, err := InspectMembers(ctx, cli, dial)
	if err != nil {
		return Status{}, ms, err
	}
	st := Status{ClusterID: ms.ClusterID, Members: len(ms.Members)}
	for _, m := range ms.Members {
		if m.IsLearner {
			st.Learners++
			continue
		}
		st.Voters++
		if m.Reachable && m.Leader != "" && m.Error == "" {
			st.HealthyVoters++
		}
		if m.RaftTerm > st.RaftTerm {
			st.RaftTerm = m.RaftTerm
		}
	}
	if l, ok := ms.Leader(); ok {
		st.Leader, st.LeaderName = l.ID, l.Name
	}
	st.Quorum = Quorum(st.Voters)
	st.FailureTolerance = Tolerance(st.HealthyVoters, st.Voters)
	rctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	if resp, err := cli.Get(rctx, keyspace.ClusterIDKey); err == nil {
		st.Revision = resp.Header.GetRevision()
		if len(resp.Kvs) == 1 {
			var id string
			if json.Unmarshal(resp.Kvs[0].Value, &id) == nil {
				st.SensuClusterID = id
			}
		}
	} else if !errors.Is(err, rpctypes.ErrPermissionDenied) {
		return st, ms, err
	}
	return st, ms, nil
}
