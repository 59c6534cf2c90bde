package cluster

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// DefragResult is one member's defragmentation.
type DefragResult struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	SizeBefore int64  `json:"db_size_before"`
	SizeAfter  int64  `json:"db_size_after"`
	TookMs     int64  `json:"took_ms"`
	Error      string `json:"error,omitempty"`
}

// defragTimeout bounds one member's defragmentation (it rewrites the whole
// database file, about 150 MB/s on modest disks).
const defragTimeout = 5 * time.Minute

// Defrag defragments members in a safe order: followers and learners first,
// then it moves leadership to a defragmented voter and defragments the old
// leader, so the leader never blocks writes for the whole cluster. It stops
// at the first failure; results so far are returned with the error.
func Defrag(ctx context.Context, dial Dialer, ms Members, targets []Member, progress Progress) ([]DefragResult, error) {
	leader, hasLeader := ms.Leader()
	var order []Member
	var last *Member
	for _, m := range targets {
		if hasLeader && m.ID == leader.ID && len(targets) > 1 {
			l := m
			last = &l
			continue
		}
		order = append(order, m)
	}
	var results []DefragResult
	for _, m := range order {
		r, err := defragOne(ctx, dial, m, progress)
		results = append(results, r)
		if err != nil {
			return results, err
		}
	}
	if last != nil {
		if to, ok := transferee(ms, last.ID); ok {
			progress.say("moving leadership from %s to %s before defragmenting it", last.Name, to.Name)
			if err := moveLeader(ctx, dial, *last, to); err != nil {
				return results, fmt.Errorf("move leadership before defragmenting %s: %w", last.Name, err)
			}
		}
		r, err := defragOne(ctx, dial, *last, progress)
		results = append(results, r)
		if err != nil {
			return results, err
		}
	}
	return results, nil
}

func defragOne(ctx context.Context, dial Dialer, m Member, progress Progress) (DefragResult, error) {
	r := DefragResult{ID: m.ID, Name: m.Name, SizeBefore: m.DBSize}
	c, err := dial(m.ClientURLs)
	if err != nil {
		r.Error = oneLine(err)
		return r, err
	}
	defer c.Close()
	progress.say("defragmenting %s (%s)", m.Name, m.ID)
	dctx, cancel := context.WithTimeout(ctx, defragTimeout)
	defer cancel()
	start := time.Now()
	var lastErr error
	for _, ep := range m.ClientURLs {
		if _, lastErr = c.Defragment(dctx, ep); lastErr == nil {
			if st, err := c.Status(dctx, ep); err == nil {
				r.SizeAfter = st.DbSize
			}
			break
		}
	}
	r.TookMs = time.Since(start).Milliseconds()
	if lastErr != nil {
		r.Error = oneLine(lastErr)
		return r, fmt.Errorf("defragment %s: %w", m.Name, lastErr)
	}
	return r, nil
}

// Alarms lists the active alarms.
func Alarms(ctx context.Context, cli *clientv3.Client) ([]Alarm, error) {
	resp, err := cli.AlarmList(ctx)
	if err != nil {
		return nil, err
	}
	out := []Alarm{}
	for _, a := range resp.Alarms {
		out = append(out, Alarm{MemberID: IDHex(a.GetMemberID()), Alarm: a.GetAlarm().String()})
	}
	return out, nil
}

// DisarmAlarms disarms every active alarm and returns what it disarmed.
func DisarmAlarms(ctx context.Context, cli *clientv3.Client) ([]Alarm, error) {
	active, err := Alarms(ctx, cli)
	if err != nil || len(active) == 0 {
		return active, err
	}
	// An empty AlarmMember makes the client list and disarm each alarm.
	if _, err := cli.AlarmDisarm(ctx, &clientv3.AlarmMember{}); err != nil {
		return nil, err
	}
	return active, nil
}

// CompactResult says up to which revision history was dropped.
type CompactResult struct {
	Revision int64 `json:"revision"`
	Physical bool  `json:"physical"`
}

// Compact drops the history before rev (the current revision when rev is 0),
// waiting for the space to be reclaimable when physical is set.
func Compact(ctx context.Context, cli *clientv3.Client, rev int64, physical bool) (CompactResult, error) {
	if rev == 0 {
		resp, err := cli.Get(ctx, "compact-probe", clientv3.WithCountOnly())
		if err != nil {
			return CompactResult{}, err
		}
		rev = resp.Header.GetRevision()
	}
	var opts []clientv3.CompactOption
	if physical {
		opts = append(opts, clientv3.WithCompactPhysical())
	}
	if _, err := cli.Compact(ctx, rev, opts...); err != nil {
		return CompactResult{}, err
	}
	return CompactResult{Revision: rev, Physical: physical}, nil
}
