// Package backend runs a sensu-backend: an embedded etcd member plus the
// backend's HTTP API (health, version, metrics). It never prints and never
// exits; the command in internal/cli/backendcmd owns the process.
package backend

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/client/pkg/v3/types"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/etcdserver/api/membership"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
	"go.etcd.io/raft/v3/raftpb"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// ErrRemovedFromCluster means this member was removed from its etcd cluster.
// Its state dir can never rejoin; the operator must wipe it and add the
// backend again as a new member.
var ErrRemovedFromCluster = errors.New("this backend's etcd member was removed from the cluster")

// ErrNotReady means the embedded etcd member did not become ready in time.
var ErrNotReady = errors.New("etcd member not ready")

// removedMarker is written into the state dir when the member learns it was
// removed, so that a restart refuses at once instead of joining a cluster that
// will reject it.
const removedMarker = "REMOVED_FROM_CLUSTER"

// Backend is one running sensu-backend.
type Backend struct {
	cfg    Config
	lg     *zap.Logger
	etcdLg *zap.Logger
	diag   *etcdDiagnostics
	quiet  *atomic.Bool // set while stopping: hides etcd's listener-closed errors

	etcd     *embed.Etcd
	client   *clientv3.Client
	api      *http.Server
	apiLn    net.Listener
	register *registration

	errc     chan error
	stopOnce sync.Once
	stopErr  error
	stopping chan struct{}
}

// New validates cfg and prepares a backend without touching the disk or the
// network. lg should come from NewLogger(cfg, …).
func New(cfg Config, lg *zap.Logger) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if lg == nil {
		lg = zap.NewNop()
	}
	diag := &etcdDiagnostics{}
	quiet := &atomic.Bool{}
	etcdLevel := levelOf(cfg.Etcd.LogLevel, cfg.LogLevel)
	etcdLg := lg.WithOptions(zap.IncreaseLevel(etcdLevel), zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return zapcore.NewTee(noiseFilter{Core: c, stopping: quiet}, diag.core())
	})).Named("etcd")
	return &Backend{
		cfg:      cfg,
		lg:       lg.WithOptions(zap.IncreaseLevel(levelOf(cfg.LogLevel, "warn"))).Named("backend"),
		etcdLg:   etcdLg,
		diag:     diag,
		quiet:    quiet,
		errc:     make(chan error, 1),
		stopping: make(chan struct{}),
	}, nil
}

// Start creates the state dir, starts etcd and waits until the member is ready
// (or ReadyTimeout passes, or ctx is cancelled), then serves the HTTP API. On
// failure everything it started is stopped again.
func (b *Backend) Start(ctx context.Context) (err error) {
	started := time.Now()
	if err := b.prepareStateDir(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			ctx, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownTimeout)
			defer cancel()
			if terr := b.teardown(ctx); terr != nil {
				b.lg.Warn("cleanup after a failed start", zap.Error(terr))
			}
		}
	}()
	if b.cfg.RestoreSnapshot != "" {
		if err := b.restore(); err != nil {
			return err
		}
	}
	if b.cfg.APIListenAddress != "" {
		ln, err := net.Listen("tcp", b.cfg.APIListenAddress)
		if err != nil {
			return listenError("api-listen-address", b.cfg.APIListenAddress, err)
		}
		b.apiLn = ln
	}
	ecfg, err := b.embedConfig()
	if err != nil {
		return err
	}
	e, err := embed.StartEtcd(ecfg)
	if err != nil {
		return b.explainStartError(err)
	}
	b.etcd = e
	b.electAloneNow()
	if err := b.waitReady(ctx); err != nil {
		return err
	}
	b.client = v3client.New(e.Server)
	if b.apiLn != nil {
		b.api = b.newAPIServer()
		go b.serveAPI()
	}
	b.register = startRegistration(b.registrationClient(), b.lg, b.MemberID(), b.registrationRecord())
	go b.watchEtcd()
	b.lg.Info("backend ready", zap.String("member", e.Server.MemberID().String()), zap.String("name", b.cfg.Etcd.Name), since(started))
	return nil
}

// Err reports a fatal error after Start returned: etcd stopped on its own
// (for example because this member was removed) or a listener failed.
func (b *Backend) Err() <-chan error { return b.errc }

// Client is an in-process etcd client bound to this member.
func (b *Backend) Client() *clientv3.Client { return b.client }

// MemberID is this member's etcd ID.
func (b *Backend) MemberID() uint64 { return uint64(b.etcd.Server.MemberID()) }

// APIAddr is the address the HTTP API listens on ("" when disabled).
func (b *Backend) APIAddr() string {
	if b.apiLn == nil {
		return ""
	}
	return b.apiLn.Addr().String()
}

// Stop shuts the API and etcd down, waiting at most until ctx is done. It is
// safe to call more than once.
func (b *Backend) Stop(ctx context.Context) error {
	b.stopOnce.Do(func() {
		close(b.stopping)
		b.stopErr = b.teardown(ctx)
	})
	return b.stopErr
}

func (b *Backend) teardown(ctx context.Context) error {
	b.quiet.Store(true)
	if b.register != nil {
		b.register.stop(ctx)
	}
	if b.api != nil {
		shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = b.api.Shutdown(shutdownCtx)
		cancel()
	} else if b.apiLn != nil {
		_ = b.apiLn.Close()
	}
	if b.client != nil {
		_ = b.client.Close()
	}
	if b.etcd == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-b.etcd.Server.ReadyNotify():
		default:
			// embed.Etcd.Close waits for the client servers, which only start
			// once the member is ready: stop the raft server first or Close
			// never returns.
			b.etcd.Server.HardStop()
		}
		b.etcd.Close()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("etcd did not stop in time (shutdown-timeout): %w", ctx.Err())
	}
}

func (b *Backend) prepareStateDir() error {
	dir := b.cfg.StateDir
	if data, err := os.ReadFile(filepath.Join(dir, removedMarker)); err == nil {
		return fmt.Errorf("%w: %s; this state dir (%s) cannot rejoin. To rejoin, run 'sensuctl cluster member-add' on the cluster, "+
			"empty %s, and start this backend with the printed etcd-initial-cluster and etcd-initial-cluster-state existing",
			ErrRemovedFromCluster, strings.TrimSpace(string(data)), dir, dir)
	}
	for _, d := range []string{dir, b.cfg.EtcdDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("cannot create state dir (state-dir): %w", unwrapPathError(err))
		}
	}
	// etcd refuses a data dir that others can read; fix the mode of a dir we
	// may have created with a looser umask or that the operator made by hand.
	if err := os.Chmod(b.cfg.EtcdDir(), 0o700); err != nil {
		return fmt.Errorf("cannot set mode 0700 on %s (state-dir): %w", b.cfg.EtcdDir(), unwrapPathError(err))
	}
	probe, err := os.CreateTemp(b.cfg.EtcdDir(), ".write-probe-")
	if err != nil {
		return fmt.Errorf("state dir %s is not writable (state-dir): %w", b.cfg.EtcdDir(), unwrapPathError(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// unwrapPathError keeps the path and the cause, dropping Go's "open"/"mkdir" verbs.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

func (b *Backend) embedConfig() (*embed.Config, error) {
	e := b.cfg.Etcd
	c := embed.NewConfig()
	c.Name = e.Name
	c.Dir = filepath.Join(b.cfg.EtcdDir(), "data")
	c.WalDir = filepath.Join(b.cfg.EtcdDir(), "wal")
	var err error
	if c.ListenClientUrls, err = parseURLs(e.ListenClientURLs); err != nil {
		return nil, err
	}
	if c.AdvertiseClientUrls, err = parseURLs(e.AdvertiseClientURLs); err != nil {
		return nil, err
	}
	if c.ListenPeerUrls, err = parseURLs(e.ListenPeerURLs); err != nil {
		return nil, err
	}
	if c.AdvertisePeerUrls, err = parseURLs(e.InitialAdvertisePeerURLs); err != nil {
		return nil, err
	}
	c.InitialCluster = e.ResolvedInitialCluster()
	c.ClusterState = e.InitialClusterState
	if e.InitialClusterToken != "" {
		c.InitialClusterToken = e.InitialClusterToken
	}
	c.TickMs = e.HeartbeatIntervalMs
	c.ElectionMs = e.ElectionTimeoutMs
	c.QuotaBackendBytes = e.QuotaBackendBytes
	c.MaxRequestBytes = e.MaxRequestBytes
	c.AutoCompactionMode = e.AutoCompactionMode
	c.AutoCompactionRetention = e.AutoCompactionRetention
	c.MaxLearners = e.MaxLearners
	c.CipherSuites = e.CipherSuites
	c.UnsafeNoFsync = e.UnsafeNoFsync
	c.ClientTLSInfo = tlsInfo(e.ClientTLS)
	c.PeerTLSInfo = tlsInfo(e.PeerTLS)
	c.Logger = "zap"
	c.ZapLoggerBuilder = embed.NewZapLoggerBuilder(b.etcdLg)
	if err := c.Validate(); err != nil {
		return nil, invalidConfigError{fmt.Errorf("etcd rejected the configuration: %w", err)}
	}
	return c, nil
}

func tlsInfo(f TLSFiles) transport.TLSInfo {
	return transport.TLSInfo{
		CertFile:       f.CertFile,
		KeyFile:        f.KeyFile,
		TrustedCAFile:  f.TrustedCAFile,
		ClientCertAuth: f.ClientCertAuth,
	}
}

func parseURLs(raw []string) ([]url.URL, error) {
	urls, err := types.NewURLs(raw)
	if err != nil {
		return nil, invalidConfigError{err}
	}
	return urls, nil
}

// explainStartError turns embed.StartEtcd's error into one line naming the
// setting involved.
func (b *Backend) explainStartError(err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		var opErr *net.OpError
		addr := ""
		if errors.As(err, &opErr) && opErr.Addr != nil {
			addr = opErr.Addr.String()
		}
		setting := "etcd-listen-client-urls"
		for _, u := range b.cfg.Etcd.ListenPeerURLs {
			if addr != "" && strings.Contains(u, addr) {
				setting = "etcd-listen-peer-urls"
			}
		}
		return listenError(setting, addr, err)
	}
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("etcd cannot use its data dir under %s (state-dir): %w", b.cfg.EtcdDir(), err)
	}
	if d := b.diag.summary(); d != "" {
		return fmt.Errorf("etcd failed to start: %w (%s)", err, d)
	}
	return fmt.Errorf("etcd failed to start: %w", err)
}

func listenError(setting, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot listen on %s (%s): address already in use; another sensu-backend or etcd is probably running there", addr, setting)
	}
	if errors.Is(err, syscall.EADDRNOTAVAIL) {
		return fmt.Errorf("cannot listen on %s (%s): no such address on this machine", addr, setting)
	}
	return fmt.Errorf("cannot listen on %s (%s): %w", addr, setting, err)
}

func (b *Backend) waitReady(ctx context.Context) error {
	timer := time.NewTimer(b.cfg.ReadyTimeout)
	defer timer.Stop()
	select {
	case <-b.etcd.Server.ReadyNotify():
		return b.waitClusterVersion(ctx, timer.C)
	case <-b.etcd.Server.StopNotify():
		if b.removed() {
			return b.markRemoved()
		}
		return fmt.Errorf("%w: etcd stopped while starting: %s", ErrNotReady, b.diagnosis())
	case err := <-b.etcd.Err():
		if b.stoppedBecauseRemoved() {
			return b.markRemoved()
		}
		return fmt.Errorf("%w: %v", ErrNotReady, err)
	case <-ctx.Done():
		return fmt.Errorf("start interrupted while waiting for etcd: %w", ctx.Err())
	case <-timer.C:
		return fmt.Errorf("%w after %s (etcd-ready-timeout): %s", ErrNotReady, b.cfg.ReadyTimeout, b.diagnosis())
	}
}

// electAloneNow starts the election at once when this member is the only
// voter. etcd fast-forwards a single member's election ticks, but raft then
// randomizes the timeout to 1–2× etcd-election-timeout, so a lone member still
// waited up to 3 s (at the 3000 ms default) to elect itself. MsgTimeoutNow,
// the message etcd's own leader transfer uses, makes it campaign now; with a
// single voter the outcome is the same, only sooner.
func (b *Backend) electAloneNow() {
	s := b.etcd.Server
	members := s.Cluster().Members()
	if len(members) != 1 || members[0].ID != s.MemberID() || members[0].IsLearner || s.Leader() != 0 {
		return
	}
	go func() {
		self := uint64(s.MemberID())
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(3 * time.Second)
		next := func() bool { // false when it is time to give up
			select {
			case <-tick.C:
				return true
			case <-deadline:
			case <-s.StoppingNotify():
			}
			return false
		}
		// Raft refuses to campaign until the bootstrap membership is applied,
		// and etcd's storage-version check needs the applied term on disk
		// (it logs an error otherwise): wait for both, a few ms in.
		for s.AppliedIndex() == 0 || s.AppliedIndex() < s.CommittedIndex() {
			if !next() {
				return
			}
		}
		s.Backend().ForceCommit()
		for s.Leader() == 0 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := s.Process(ctx, &raftpb.Message{Type: raftpb.MsgTimeoutNow.Enum(), To: &self, From: &self})
			cancel()
			if err != nil {
				b.lg.Debug("could not start the election early; etcd will on its own", zap.Error(err))
				return
			}
			if !next() {
				return
			}
		}
	}()
}

// waitClusterVersion waits until the cluster version is decided, a moment
// after the member is ready: a member that tries to join before then is
// refused ("incompatible with current running cluster"), so ready means
// ready to be joined.
func (b *Backend) waitClusterVersion(ctx context.Context, timeout <-chan time.Time) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for b.etcd.Server.ClusterVersion() == nil {
		select {
		case <-tick.C:
		case <-b.etcd.Server.StopNotify():
			if b.removed() {
				return b.markRemoved()
			}
			return fmt.Errorf("%w: etcd stopped while starting: %s", ErrNotReady, b.diagnosis())
		case <-ctx.Done():
			return fmt.Errorf("start interrupted while waiting for etcd: %w", ctx.Err())
		case <-timeout:
			return fmt.Errorf("%w after %s (etcd-ready-timeout): the cluster version was not decided", ErrNotReady, b.cfg.ReadyTimeout)
		}
	}
	return nil
}

func (b *Backend) diagnosis() string {
	if d := b.diag.summary(); d != "" {
		return d
	}
	members, _ := b.cfg.Etcd.initialMembers()
	if len(members) > 1 && b.cfg.Etcd.InitialClusterState == ClusterStateNew {
		return fmt.Sprintf("a new %d-member cluster needs %d of its members (etcd-initial-cluster) started before it is ready",
			len(members), len(members)/2+1)
	}
	return "no error was reported; see the log with --log-level info"
}

// removed reports whether etcd stopped because this member left the cluster.
func (b *Backend) removed() bool {
	if b.diag.wasRemoved() {
		return true
	}
	if rc, ok := b.etcd.Server.Cluster().(*membership.RaftCluster); ok {
		return rc.IsIDRemoved(b.etcd.Server.MemberID())
	}
	return false
}

// markRemoved records the removal in the state dir and returns the error that
// tells the operator how to rejoin.
func (b *Backend) markRemoved() error {
	note := fmt.Sprintf("member %s (%s) was removed from the cluster at %s",
		b.etcd.Server.MemberID(), b.cfg.Etcd.Name, time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(b.cfg.StateDir, removedMarker), []byte(note+"\n"), 0o600); err != nil {
		b.lg.Warn("could not record the removal in the state dir", zap.Error(err))
	}
	return fmt.Errorf("%w: %s; empty %s before starting it again as a new member (sensuctl cluster member-add)",
		ErrRemovedFromCluster, note, b.cfg.StateDir)
}

// watchEtcd turns an unexpected etcd stop into an error on Err().
func (b *Backend) watchEtcd() {
	var err error
	select {
	case <-b.stopping:
		return
	case <-b.etcd.Server.StopNotify():
		select {
		case <-b.stopping:
			return
		default:
		}
		if b.removed() {
			err = b.markRemoved()
		} else {
			err = fmt.Errorf("etcd stopped unexpectedly: %s", b.diagnosis())
		}
	case e := <-b.etcd.Err():
		if b.stoppedBecauseRemoved() {
			err = b.markRemoved()
		} else {
			err = fmt.Errorf("etcd listener failed: %w", e)
		}
	}
	b.errc <- err
}

// stoppedBecauseRemoved waits briefly for etcd to finish stopping after a
// listener error (a member removed while it was down learns so from its peers
// and stops, and its listeners report "server is stopping" first), then says
// whether the removal was the reason.
func (b *Backend) stoppedBecauseRemoved() bool {
	select {
	case <-b.etcd.Server.StopNotify():
	case <-time.After(3 * time.Second):
	}
	return b.removed()
}

func (b *Backend) apiScheme() string {
	if b.cfg.APICertFile != "" {
		return "https"
	}
	return "http"
}

func (b *Backend) registrationRecord() BackendRecord {
	apiURL := ""
	if b.apiLn != nil {
		apiURL = b.apiScheme() + "://" + b.apiLn.Addr().String()
	}
	return newBackendRecord(b.cfg, uint64(b.etcd.Server.MemberID()), apiURL)
}

// registrationClient is the in-process client, which needs no network, or,
// with etcd-client-username set, a client of this member's advertised client
// URLs that authenticates as that user (an in-process client cannot carry
// credentials). It presents etcd-cert-file as its client certificate and
// trusts etcd-trusted-ca-file, as init does.
func (b *Backend) registrationClient() registrationClient {
	e := b.cfg.Etcd
	if e.ClientUsername == "" {
		cli := b.client
		return registrationClient{connect: func(context.Context) (*clientv3.Client, error) { return cli, nil }}
	}
	return registrationClient{owned: true, user: e.ClientUsername, connect: func(context.Context) (*clientv3.Client, error) {
		var tlsCfg *tls.Config
		if e.ClientTLS.Enabled() || e.ClientTLS.TrustedCAFile != "" {
			info := transport.TLSInfo{CertFile: e.ClientTLS.CertFile, KeyFile: e.ClientTLS.KeyFile, TrustedCAFile: e.ClientTLS.TrustedCAFile}
			var err error
			if tlsCfg, err = info.ClientConfig(); err != nil {
				return nil, err
			}
		}
		return clientv3.New(clientv3.Config{
			Endpoints: e.AdvertiseClientURLs, TLS: tlsCfg,
			Username: e.ClientUsername, Password: e.ClientPassword,
			DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
		})
	}}
}

// jsonBody writes v as the response with the given status.
func jsonBody(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
