package backend

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewLogger builds the process logger: console or JSON on w, at the lower of
// log-level and etcd-log-level, so that New can raise each side to its own level.
func NewLogger(cfg Config, w io.Writer) (*zap.Logger, error) {
	appLevel, err := zapcore.ParseLevel(cfg.LogLevel)
	if err != nil {
		return nil, invalid("log-level", cfg.LogLevel, "must be one of debug, info, warn, error")
	}
	base := appLevel
	if cfg.Etcd.LogLevel != "" {
		etcdLevel, err := zapcore.ParseLevel(cfg.Etcd.LogLevel)
		if err != nil {
			return nil, invalid("etcd-log-level", cfg.Etcd.LogLevel, "must be one of debug, info, warn, error")
		}
		base = min(base, etcdLevel)
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	switch cfg.LogFormat {
	case "json":
		enc = zapcore.NewJSONEncoder(encCfg)
	case "console":
		encCfg.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(encCfg)
	default:
		return nil, invalid("log-format", cfg.LogFormat, "must be console or json")
	}
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), base)
	return zap.New(core, zap.ErrorOutput(zapcore.Lock(zapcore.AddSync(w)))), nil
}

func levelOf(name, fallback string) zapcore.Level {
	if name == "" {
		name = fallback
	}
	l, err := zapcore.ParseLevel(name)
	if err != nil {
		return zapcore.WarnLevel
	}
	return l
}

// etcdDiagnostics keeps etcd's recent warnings and errors, whatever the log
// level, so that a failed start or an unexpected stop can say why in one line
// instead of pointing the operator at hundreds of log lines.
type etcdDiagnostics struct {
	mu      sync.Mutex
	recent  []string // newest last, bounded
	removed bool
	causes  []string // classified causes, first seen first
}

const maxRecentEtcdMessages = 20

// core returns a zap core that records into d.
func (d *etcdDiagnostics) core() zapcore.Core { return &diagCore{d: d, level: zapcore.WarnLevel} }

func (d *etcdDiagnostics) record(ent zapcore.Entry, fields []zapcore.Field) {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range fields {
		f.AddTo(enc)
	}
	msg := ent.Message
	var detail []string
	for _, k := range []string{"error", "local-member-cluster-id", "remote-peer-cluster-id", "local-member-id", "remote-peer-id", "address"} {
		if v, ok := enc.Fields[k]; ok {
			detail = append(detail, fmt.Sprintf("%s=%v", k, v))
		}
	}
	line := msg
	if len(detail) > 0 {
		line += " (" + strings.Join(detail, ", ") + ")"
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.recent = append(d.recent, line)
	if len(d.recent) > maxRecentEtcdMessages {
		d.recent = d.recent[len(d.recent)-maxRecentEtcdMessages:]
	}
	lower := strings.ToLower(line)
	if strings.Contains(lower, "permanently removed from the cluster") {
		d.removed = true
	}
	for _, c := range knownCauses {
		if strings.Contains(lower, c.match) && !slices.Contains(d.causes, c.cause) {
			d.causes = append(d.causes, c.cause)
		}
	}
}

// knownCauses translates etcd's log messages into what the operator should check.
var knownCauses = []struct{ match, cause string }{
	{"cluster id mismatch", "cluster ID mismatch: a peer belongs to another etcd cluster (a different etcd-initial-cluster-token or initial cluster, or a state dir left from an old cluster)"},
	{"permanently removed from the cluster", "this member was removed from the cluster"},
	{"failed to dial", "cannot reach a peer (check etcd-initial-cluster and that the other backends are running)"},
	{"connection refused", "a peer refused the connection (is its backend running, on that peer URL?)"},
	{"certificate signed by unknown authority", "a peer's TLS certificate is not trusted (check etcd-peer-trusted-ca-file)"},
	{"bad certificate", "a peer rejected our TLS certificate (check etcd-peer-cert-file and the peer's trusted CA)"},
	{"failed to publish local member to cluster", "could not publish this member to the cluster: no quorum yet"},
	{"incompatible with current running cluster", "the cluster had not yet decided its version when this member joined (it had just started): start this member again"},
	{"member count is unequal", "etcd-initial-cluster does not match the running cluster's membership"},
	{"unmatched member while checking peerurls", "etcd-initial-advertise-peer-urls does not match the URLs the cluster has for this member"},
}

// summary returns the classified causes, or the last etcd messages.
func (d *etcdDiagnostics) summary() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.causes) > 0 {
		return strings.Join(d.causes, "; ")
	}
	if n := len(d.recent); n > 0 {
		start := max(0, n-3)
		return "etcd said: " + strings.Join(d.recent[start:], "; ")
	}
	return ""
}

func (d *etcdDiagnostics) wasRemoved() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.removed
}

type diagCore struct {
	d      *etcdDiagnostics
	level  zapcore.Level
	fields []zapcore.Field
}

func (c *diagCore) Enabled(l zapcore.Level) bool { return l >= c.level }
func (c *diagCore) With(fields []zapcore.Field) zapcore.Core {
	return &diagCore{d: c.d, level: c.level, fields: append(append([]zapcore.Field(nil), c.fields...), fields...)}
}
func (c *diagCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}
func (c *diagCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	c.d.record(e, append(append([]zapcore.Field(nil), c.fields...), fields...))
	return nil
}
func (c *diagCore) Sync() error { return nil }

// since is a small helper for log fields.
func since(t time.Time) zap.Field { return zap.Duration("took", time.Since(t).Round(time.Millisecond)) }

// etcdNoise are etcd messages that do not apply to a sensu-backend: the
// client port serving both HTTP and gRPC is deliberate, the member name is the
// operator's choice, and simple tokens are what etcd uses unless auth is on.
var etcdNoise = []string{
	"Running http and grpc server on single port",
	"it isn't recommended to use default name",
	"simple token is not cryptographically signed",
	// Logged while a failed start unwinds; the returned error names the
	// listener and the setting.
	"closing client listener",
	"closing peer listener",
}

// etcdShutdownNoise are logged by etcd when its listeners close during a
// graceful stop; they are errors only in name.
var etcdShutdownNoise = []string{
	"setting up serving from embedded etcd failed",
	"stopping insecure grpc server due to error",
	"stopped insecure grpc server due to error",
	"stopping secure grpc server due to error",
	"stopped secure grpc server due to error",
}

// noiseFilter drops etcdNoise always and etcdShutdownNoise once stopping is set.
type noiseFilter struct {
	zapcore.Core
	stopping *atomic.Bool
}

func (f noiseFilter) With(fields []zapcore.Field) zapcore.Core {
	return noiseFilter{Core: f.Core.With(fields), stopping: f.stopping}
}

func (f noiseFilter) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if hasPrefixAny(e.Message, etcdNoise) || f.stopping.Load() && hasPrefixAny(e.Message, etcdShutdownNoise) {
		return ce
	}
	if hasPrefixAny(e.Message, etcdStorageVersionNoise) && f.Core.Enabled(e.Level) {
		return ce.AddCore(e, transientSchemaFilter{f.Core})
	}
	return f.Core.Check(e, ce)
}

// etcdStorageVersionNoise is logged, with "missing term information", when
// etcd's storage-version check runs before a new or joining member has
// persisted its first term; the check retries on its own and succeeds.
var etcdStorageVersionNoise = []string{"Failed to detect schema version", "failed to update storage version"}

// transientSchemaFilter drops those entries when they carry that cause and
// writes them otherwise.
type transientSchemaFilter struct{ zapcore.Core }

func (t transientSchemaFilter) Write(e zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range fields {
		f.AddTo(enc)
	}
	if v, ok := enc.Fields["error"]; ok && strings.Contains(fmt.Sprint(v), "missing term information") {
		return nil
	}
	return t.Core.Write(e, fields)
}

func hasPrefixAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
