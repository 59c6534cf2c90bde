package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/status"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/version"
)

// BackendRecord is re-exported for callers of this package.
type BackendRecord = keyspace.BackendRecord

// authRetry is how often a registration refused by etcd authentication is
// tried again (auth may be turned off, or the user given the rights).
const authRetry = 15 * time.Second

// authFailedRetry is the retry interval after a wrong user name or password
// (the password may be changed in etcd meanwhile).
const authFailedRetry = 5 * time.Minute

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
// here. When etcd refuses the backend's credentials (or it has none and etcd
// authentication is on) it logs one warning naming the settings, and keeps
// retrying quietly in case auth is turned off or the user gets the rights.
type registration struct {
	cancel context.CancelFunc
	done   chan struct{}
	cli    *clientv3.Client // the client the lease lives on; set by the loop
	owned  bool             // cli was made by connect and is closed by stop
	lease  clientv3.LeaseID
}

// registrationClient gives the registration its etcd client: connect makes
// one (it may fail, e.g. wrong credentials), owned says whether stop closes
// it, user is the etcd user it authenticates as ("" for none).
type registrationClient struct {
	connect func(ctx context.Context) (*clientv3.Client, error)
	owned   bool
	user    string
}

func startRegistration(rc registrationClient, lg *zap.Logger, memberID uint64, rec BackendRecord) *registration {
	ctx, cancel := context.WithCancel(context.Background())
	r := &registration{cancel: cancel, done: make(chan struct{}), owned: rc.owned}
	go func() {
		defer close(r.done)
		value, _ := json.Marshal(rec)
		key := keyspace.BackendKey(memberID)
		backoff := time.Second
		warned := false
		for ctx.Err() == nil {
			var err error
			if r.cli == nil {
				r.cli, err = rc.connect(ctx)
			}
			if err == nil {
				err = r.keep(ctx, key, string(value))
			}
			if ctx.Err() != nil {
				return
			}
			wait := backoff
			if msg := authProblem(err, rc.user); msg != "" {
				if !warned {
					lg.Warn(msg)
					warned = true
				}
				wait = authRetry
				if isEtcdError(err, rpctypes.ErrAuthFailed, rpctypes.ErrGRPCAuthFailed) {
					// etcd logs every failed attempt: retry rarely.
					wait = authFailedRetry
				}
			} else {
				lg.Debug("backend registration lost; retrying", zap.Error(err), zap.Duration("in", backoff))
				backoff = min(backoff*2, 10*time.Second)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}()
	return r
}

// authProblem explains an error due to etcd authentication, or returns "".
func authProblem(err error, user string) string {
	if err == nil {
		return ""
	}
	const off = "this backend's registration is off, so 'sensuctl version' does not list it"
	const settings = "etcd-client-username and etcd-client-password (SENSU_BACKEND_ETCD_CLIENT_USERNAME and SENSU_BACKEND_ETCD_CLIENT_PASSWORD, or backend.yml)"
	switch {
	case isEtcdError(err, rpctypes.ErrUserEmpty, rpctypes.ErrGRPCUserEmpty, rpctypes.ErrInvalidAuthToken, rpctypes.ErrGRPCInvalidAuthToken):
		if user == "" {
			return "etcd authentication is on and " + off + ": set " + settings + " to a user that may write " + keyspace.BackendsPrefix + " (e.g. root)"
		}
		return fmt.Sprintf("etcd did not accept the token of user %q; %s: %v", user, off, err)
	case isEtcdError(err, rpctypes.ErrAuthFailed, rpctypes.ErrGRPCAuthFailed):
		return fmt.Sprintf("etcd authentication failed for user %q: wrong user name or password; %s: check %s", user, off, settings)
	case isEtcdError(err, rpctypes.ErrPermissionDenied, rpctypes.ErrGRPCPermissionDenied):
		return fmt.Sprintf("etcd user %q may not write %s; %s: give it that permission, or set %s to root", user, keyspace.BackendsPrefix, off, settings)
	}
	return ""
}

func isEtcdError(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	if ev, ok := status.FromError(err); ok {
		for _, t := range targets {
			if ts, ok := status.FromError(t); ok && ts.Code() == ev.Code() && ts.Message() == ev.Message() {
				return true
			}
		}
	}
	return false
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
		// Do not leave the lease behind (a refused put, e.g. by etcd auth).
		revokeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		_, _ = r.cli.Revoke(revokeCtx, lease.ID)
		cancel()
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
	if r.cli == nil {
		return
	}
	if r.lease != 0 {
		revokeCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, _ = r.cli.Revoke(revokeCtx, r.lease)
		cancel()
	}
	if r.owned {
		_ = r.cli.Close()
	}
}
