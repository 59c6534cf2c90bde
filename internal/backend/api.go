package backend

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/version"
)

// Health is the body of GET /health. Field names are a stable contract.
type Health struct {
	Healthy   bool          `json:"healthy"`
	Member    HealthMember  `json:"member"`
	Leader    string        `json:"leader,omitempty"`
	Alarms    []HealthAlarm `json:"alarms"`
	Errors    []string      `json:"errors,omitempty"`
	CheckedAt time.Time     `json:"checked_at"`
}

// HealthMember identifies the member that answered.
type HealthMember struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	IsLearner bool   `json:"is_learner"`
}

// HealthAlarm is an active etcd alarm (NOSPACE, CORRUPT).
type HealthAlarm struct {
	MemberID string `json:"member_id"`
	Alarm    string `json:"alarm"`
}

// VersionInfo is the body of GET /version.
type VersionInfo struct {
	SensuBackend version.Info `json:"sensu_backend"`
	Etcd         EtcdVersion  `json:"etcd"`
}

// EtcdVersion gives the embedded etcd's server and cluster versions.
type EtcdVersion struct {
	Server  string `json:"server"`
	Cluster string `json:"cluster,omitempty"`
}

var buildInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{
	Name: "sensu_backend_build_info",
	Help: "Build information of this sensu-backend; the value is always 1.",
}, []string{"version", "etcd_version", "go_version"})

func init() { prometheus.MustRegister(buildInfo) }

// healthTimeout bounds the quorum read behind /health.
const healthTimeout = 3 * time.Second

func (b *Backend) newAPIServer() *http.Server {
	v := version.Get()
	buildInfo.WithLabelValues(v.Version, v.EtcdVersion, v.GoVersion).Set(1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		h := b.Health(r.Context())
		status := http.StatusOK
		if !h.Healthy {
			status = http.StatusServiceUnavailable
		}
		jsonBody(w, status, h)
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		jsonBody(w, http.StatusOK, b.Version())
	})
	mux.Handle("GET /metrics", promhttp.Handler())
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          zap.NewStdLog(b.lg.Named("api")),
	}
}

func (b *Backend) serveAPI() {
	var err error
	if b.cfg.APICertFile != "" {
		err = b.api.ServeTLS(b.apiLn, b.cfg.APICertFile, b.cfg.APIKeyFile)
	} else {
		err = b.api.Serve(b.apiLn)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		select {
		case b.errc <- listenError("api-listen-address", b.cfg.APIListenAddress, err):
		default:
		}
	}
}

// Health reports this member's view: is a leader known, can it do a quorum
// read, and which alarms are active.
func (b *Backend) Health(ctx context.Context) Health {
	s := b.etcd.Server
	h := Health{
		Member:    HealthMember{ID: keyspace.MemberIDHex(uint64(s.MemberID())), Name: b.cfg.Etcd.Name, IsLearner: s.IsLearner()},
		Alarms:    []HealthAlarm{},
		CheckedAt: time.Now().UTC().Truncate(time.Millisecond),
	}
	if lead := uint64(s.Leader()); lead != 0 {
		h.Leader = keyspace.MemberIDHex(lead)
	} else {
		h.Errors = append(h.Errors, "no leader: the cluster has lost quorum or is electing one")
	}
	for _, a := range s.Alarms() {
		h.Alarms = append(h.Alarms, HealthAlarm{MemberID: keyspace.MemberIDHex(a.MemberID), Alarm: a.Alarm.String()})
		h.Errors = append(h.Errors, "alarm "+a.Alarm.String()+" on member "+keyspace.MemberIDHex(a.MemberID))
	}
	if h.Leader != "" && !h.Member.IsLearner {
		ctx, cancel := context.WithTimeout(ctx, healthTimeout)
		defer cancel()
		if err := s.LinearizableReadNotify(ctx); err != nil {
			h.Errors = append(h.Errors, "quorum read failed: "+err.Error())
		}
	}
	h.Healthy = len(h.Errors) == 0
	return h
}

// Version reports the versions of this backend and its etcd.
func (b *Backend) Version() VersionInfo {
	v := VersionInfo{SensuBackend: version.Get(), Etcd: EtcdVersion{Server: version.Get().EtcdVersion}}
	if cv := b.etcd.Server.ClusterVersion(); cv != nil {
		v.Etcd.Cluster = cv.String()
	}
	return v
}
