package backend

import (
	"context"
	"encoding/json"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/version"
)

// BackendRecord is re-exported for callers of this package.
type BackendRecord = keyspace.BackendRecord

// registrationTTL bounds how long a dead backend stays listed.
const registrationTTL = 30 // seconds

func newBackendRecord(cfg Config, memberID uint64, apiURL string) BackendRecord {
	v := version.Get()
	return BackendRecord{
		Name:        cfg.Etcd.Name,
		MemberID:    keyspace.MemberIDHex(memberID),
		Version:     v.Version,
		EtcdVersion: v.EtcdVersion,
		APIURL:      apiURL,
		ClientURLs:  cfg.Etcd.AdvertiseClientURLs,
		PeerURLs:    cfg.Etcd.InitialAdvertisePeerURLs,
		StartedAt:   time.Now().UTC().Truncate(time.Second),
	}
}

// registration keeps this backend's record under a lease, so that sensuctl can
// list running backends and their versions. It retries quietly: a cluster
// without quorum cannot take the write, and that is reported by /health, not
// here.
type registration struct {
	cancel context.CancelFunc
	done   chan struct{}
	cli    *clientv3.Client
	lease  clientv3.LeaseID
}

func startRegistration(cli *clientv3.Client, lg *zap.Logger, memberID uint64, rec BackendRecord) *registration {
	ctx, cancel := context.WithCancel(context.Background())
	r := &registration{cancel: cancel, done: make(chan struct{}), cli: cli}
	go func() {
		defer close(r.done)
		value, _ := json.Marshal(rec)
		key := keyspace.BackendKey(memberID)
		backoff := time.Second
		for ctx.Err() == nil {
			err := r.keep(ctx, key, string(value))
			if ctx.Err() != nil {
				return
			}
			lg.Debug("backend registration lost; retrying", zap.Error(err), zap.Duration("in", backoff))
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 10*time.Second)
		}
	}()
	return r
}

// keep grants a lease, writes the record and keeps the lease alive until the
// keep-alive stream ends.
func (r *registration) keep(ctx context.Context, key, value string) error {
	grantCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	lease, err := r.cli.Grant(grantCtx, registrationTTL)
	if err != nil {
		cancel()
		return err
	}
	_, err = r.cli.Put(grantCtx, key, value, clientv3.WithLease(lease.ID))
	cancel()
	if err != nil {
		return err
	}
	r.lease = lease.ID
	ch, err := r.cli.KeepAlive(ctx, lease.ID)
	if err != nil {
		return err
	}
	for range ch {
	}
	return context.Cause(ctx)
}

// stop ends the keep-alive and revokes the lease so the record disappears now
// rather than after the TTL.
func (r *registration) stop(ctx context.Context) {
	r.cancel()
	<-r.done
	if r.lease != 0 {
		revokeCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, _ = r.cli.Revoke(revokeCtx, r.lease)
		cancel()
	}
}
