package backend

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Config is everything a backend needs to run. Field names mirror the settings
// (flags, environment variables, backend.yml keys) listed in internal/backendconfig.
type Config struct {
	StateDir         string
	LogLevel         string
	LogFormat        string
	APIListenAddress string
	APICertFile      string
	APIKeyFile       string
	ReadyTimeout     time.Duration
	ShutdownTimeout  time.Duration
	// RestoreSnapshot, when set, restores this etcd snapshot into an empty
	// state dir before starting (see Backend.restore).
	RestoreSnapshot string
	// RestoreIgnoreSidecar restores RestoreSnapshot without comparing its
	// sidecar FILE.meta.json with it.
	RestoreIgnoreSidecar bool
	Etcd                 EtcdConfig
}

// EtcdConfig configures the embedded etcd member.
type EtcdConfig struct {
	Name                     string
	ListenClientURLs         []string
	AdvertiseClientURLs      []string
	ListenPeerURLs           []string
	InitialAdvertisePeerURLs []string
	// InitialCluster is "name=peerURL,…". Empty means a cluster of this member
	// alone, built from Name and InitialAdvertisePeerURLs.
	InitialCluster          string
	InitialClusterState     string
	InitialClusterToken     string
	HeartbeatIntervalMs     uint
	ElectionTimeoutMs       uint
	QuotaBackendBytes       int64
	MaxRequestBytes         uint
	AutoCompactionMode      string
	AutoCompactionRetention string
	MaxLearners             int
	ClientTLS               TLSFiles
	PeerTLS                 TLSFiles
	CipherSuites            []string
	LogLevel                string
	UnsafeNoFsync           bool
	// ClientUsername and ClientPassword are the credentials of the backend's
	// own etcd client once etcd authentication is on: it publishes the
	// backend's registration with them.
	ClientUsername string
	ClientPassword string
}

// TLSFiles names the certificate files of one listener.
type TLSFiles struct {
	CertFile       string
	KeyFile        string
	TrustedCAFile  string
	ClientCertAuth bool
}

// Enabled reports whether a certificate is configured.
func (t TLSFiles) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" }

// Cluster states accepted by etcd-initial-cluster-state.
const (
	ClusterStateNew      = "new"
	ClusterStateExisting = "existing"
)

// DefaultConfig returns the defaults: a single member on loopback, quiet logs.
func DefaultConfig() Config {
	return Config{
		StateDir:         "/var/lib/sensu/sensu-backend",
		LogLevel:         "warn",
		LogFormat:        "console",
		APIListenAddress: "127.0.0.1:8080",
		ReadyTimeout:     60 * time.Second,
		ShutdownTimeout:  30 * time.Second,
		Etcd: EtcdConfig{
			Name:                     "default",
			ListenClientURLs:         []string{"http://127.0.0.1:2379"},
			AdvertiseClientURLs:      []string{"http://127.0.0.1:2379"},
			ListenPeerURLs:           []string{"http://127.0.0.1:2380"},
			InitialAdvertisePeerURLs: []string{"http://127.0.0.1:2380"},
			InitialClusterState:      ClusterStateNew,
			HeartbeatIntervalMs:      300,
			ElectionTimeoutMs:        3000,
			QuotaBackendBytes:        4 << 30,
			MaxRequestBytes:          1572864,
			AutoCompactionMode:       "periodic",
			AutoCompactionRetention:  "1h",
			MaxLearners:              1,
		},
	}
}

// EtcdDir is where the member keeps its data and WAL.
func (c Config) EtcdDir() string { return filepath.Join(c.StateDir, "etcd") }

// SettingError is a configuration problem tied to one setting. Setting is the
// setting's name (flag name / YAML key).
type SettingError struct {
	Setting string
	Value   string
	Reason  string
}

func (e *SettingError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Setting, e.Reason)
	}
	return fmt.Sprintf("%s %q: %s", e.Setting, e.Value, e.Reason)
}

// ErrInvalidConfig marks every validation failure so callers can map it to the
// usage/configuration exit code.
var ErrInvalidConfig = errors.New("invalid configuration")

type invalidConfigError struct{ err error }

func (e invalidConfigError) Error() string   { return e.err.Error() }
func (e invalidConfigError) Unwrap() []error { return []error{ErrInvalidConfig, e.err} }
func invalid(setting, value, reason string) error {
	return invalidConfigError{&SettingError{setting, value, reason}}
}

var logLevels = []string{"debug", "info", "warn", "error"}

// Validate checks the configuration without touching the disk or the network.
func (c Config) Validate() error {
	if c.StateDir == "" {
		return invalid("state-dir", "", "must not be empty")
	}
	if !slices.Contains(logLevels, c.LogLevel) {
		return invalid("log-level", c.LogLevel, "must be one of debug, info, warn, error")
	}
	if c.Etcd.LogLevel != "" && !slices.Contains(logLevels, c.Etcd.LogLevel) {
		return invalid("etcd-log-level", c.Etcd.LogLevel, "must be empty (same as log-level) or one of debug, info, warn, error")
	}
	if !slices.Contains([]string{"console", "json"}, c.LogFormat) {
		return invalid("log-format", c.LogFormat, "must be console or json")
	}
	if _, _, err := net.SplitHostPort(c.APIListenAddress); err != nil && c.APIListenAddress != "" {
		return invalid("api-listen-address", c.APIListenAddress, "must be host:port (empty disables the HTTP API)")
	}
	if (c.APICertFile == "") != (c.APIKeyFile == "") {
		return invalid("cert-file", c.APICertFile, "cert-file and key-file must be given together")
	}
	if c.ReadyTimeout <= 0 {
		return invalid("etcd-ready-timeout", c.ReadyTimeout.String(), "must be positive")
	}
	if c.ShutdownTimeout <= 0 {
		return invalid("shutdown-timeout", c.ShutdownTimeout.String(), "must be positive")
	}
	return c.Etcd.validate()
}

func (e EtcdConfig) validate() error {
	if e.Name == "" {
		return invalid("etcd-name", "", "must not be empty")
	}
	if strings.ContainsAny(e.Name, "=,") {
		return invalid("etcd-name", e.Name, "must not contain '=' or ','")
	}
	urlSettings := []struct {
		name  string
		urls  []string
		tls   bool
		bound bool
	}{
		{"etcd-listen-client-urls", e.ListenClientURLs, e.ClientTLS.Enabled(), true},
		{"etcd-advertise-client-urls", e.AdvertiseClientURLs, e.ClientTLS.Enabled(), false},
		{"etcd-listen-peer-urls", e.ListenPeerURLs, e.PeerTLS.Enabled(), true},
		{"etcd-initial-advertise-peer-urls", e.InitialAdvertisePeerURLs, e.PeerTLS.Enabled(), false},
	}
	for _, s := range urlSettings {
		if len(s.urls) == 0 {
			return invalid(s.name, "", "needs at least one URL")
		}
		for _, raw := range s.urls {
			if err := checkURL(raw, s.tls, s.bound); err != nil {
				return invalid(s.name, raw, err.Error())
			}
		}
	}
	members, err := e.initialMembers()
	if err != nil {
		return err
	}
	own, ok := members[e.Name]
	if !ok {
		names := make([]string, 0, len(members))
		for n := range members {
			names = append(names, n)
		}
		sort.Strings(names)
		return invalid("etcd-initial-cluster", e.InitialCluster,
			fmt.Sprintf("has no member named %q (etcd-name); it names %s", e.Name, strings.Join(names, ", ")))
	}
	if !sameURLSet(own, e.InitialAdvertisePeerURLs) {
		return invalid("etcd-initial-cluster", e.InitialCluster,
			fmt.Sprintf("gives %s=%s but etcd-initial-advertise-peer-urls is %s; they must match",
				e.Name, strings.Join(own, ","), strings.Join(e.InitialAdvertisePeerURLs, ",")))
	}
	if !slices.Contains([]string{ClusterStateNew, ClusterStateExisting}, e.InitialClusterState) {
		return invalid("etcd-initial-cluster-state", e.InitialClusterState, "must be new or existing")
	}
	if e.HeartbeatIntervalMs == 0 {
		return invalid("etcd-heartbeat-interval", "0", "must be positive")
	}
	if e.ElectionTimeoutMs < 5*e.HeartbeatIntervalMs {
		return invalid("etcd-election-timeout", fmt.Sprint(e.ElectionTimeoutMs),
			fmt.Sprintf("must be at least 5 times etcd-heartbeat-interval (%d ms)", e.HeartbeatIntervalMs))
	}
	if e.ElectionTimeoutMs > 50000 {
		return invalid("etcd-election-timeout", fmt.Sprint(e.ElectionTimeoutMs), "must be at most 50000 ms")
	}
	if e.QuotaBackendBytes < 0 {
		return invalid("etcd-quota-backend-bytes", fmt.Sprint(e.QuotaBackendBytes), "must not be negative")
	}
	if e.MaxRequestBytes == 0 {
		return invalid("etcd-max-request-bytes", "0", "must be positive")
	}
	if !slices.Contains([]string{"periodic", "revision"}, e.AutoCompactionMode) {
		return invalid("etcd-auto-compaction-mode", e.AutoCompactionMode, "must be periodic or revision")
	}
	if e.MaxLearners < 1 {
		return invalid("etcd-max-learners", fmt.Sprint(e.MaxLearners), "must be at least 1")
	}
	if e.ClientUsername == "" && e.ClientPassword != "" {
		return invalid("etcd-client-username", "", "required with etcd-client-password")
	}
	if e.ClientUsername != "" && e.ClientPassword == "" {
		return invalid("etcd-client-password", "", fmt.Sprintf("required with etcd-client-username %q", e.ClientUsername))
	}
	for _, t := range []struct {
		prefix string
		files  TLSFiles
	}{{"etcd-", e.ClientTLS}, {"etcd-peer-", e.PeerTLS}} {
		if (t.files.CertFile == "") != (t.files.KeyFile == "") {
			return invalid(t.prefix+"cert-file", t.files.CertFile, t.prefix+"cert-file and "+t.prefix+"key-file must be given together")
		}
		if t.files.ClientCertAuth && t.files.TrustedCAFile == "" {
			return invalid(t.prefix+"client-cert-auth", "true", "needs "+t.prefix+"trusted-ca-file to verify client certificates")
		}
	}
	return nil
}

// ResolvedInitialCluster is the initial-cluster string handed to etcd: the
// configured one, or this member alone when none is configured.
func (e EtcdConfig) ResolvedInitialCluster() string {
	if strings.TrimSpace(e.InitialCluster) != "" {
		return strings.TrimSpace(e.InitialCluster)
	}
	parts := make([]string, 0, len(e.InitialAdvertisePeerURLs))
	for _, u := range e.InitialAdvertisePeerURLs {
		parts = append(parts, e.Name+"="+u)
	}
	return strings.Join(parts, ",")
}

// initialMembers parses the resolved initial cluster into name → peer URLs.
func (e EtcdConfig) initialMembers() (map[string][]string, error) {
	raw := e.ResolvedInitialCluster()
	members := map[string][]string{}
	for _, entry := range strings.Split(raw, ",") {
		entry = strings.TrimSpace(entry)
		name, peer, ok := strings.Cut(entry, "=")
		if !ok || name == "" || peer == "" {
			return nil, invalid("etcd-initial-cluster", raw, fmt.Sprintf("entry %q is not name=peer-url", entry))
		}
		if err := checkURL(peer, strings.HasPrefix(peer, "https://"), false); err != nil {
			return nil, invalid("etcd-initial-cluster", raw, fmt.Sprintf("member %s: %v", name, err))
		}
		members[name] = append(members[name], peer)
	}
	return members, nil
}

func checkURL(raw string, tls, bound bool) error {
	if !strings.Contains(raw, "://") {
		return fmt.Errorf("missing the scheme: write http://%s (or https://)", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %v", errors.Unwrap(err))
	}
	switch u.Scheme {
	case "http", "https":
	case "unix", "unixs":
		return nil
	default:
		return fmt.Errorf("scheme must be http or https, e.g. http://127.0.0.1:2379")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("must be scheme://host:port without a path")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || port == "" {
		return fmt.Errorf("needs an explicit host:port, e.g. %s://127.0.0.1:2379", u.Scheme)
	}
	if bound && host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return fmt.Errorf("a listen URL needs an IP address, not the host name %q", host)
	}
	if u.Scheme == "https" && !tls {
		return fmt.Errorf("https needs a certificate (the matching cert-file and key-file settings)")
	}
	return nil
}

func sameURLSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	as := append([]string(nil), a...)
	bs := append([]string(nil), b...)
	sort.Strings(as)
	sort.Strings(bs)
	for i := range as {
		if strings.TrimSuffix(as[i], "/") != strings.TrimSuffix(bs[i], "/") {
			return false
		}
	}
	return true
}

// InvalidSetting reports a bad or missing setting found by a command; it
// matches ErrInvalidConfig.
func InvalidSetting(setting, value, reason string) error { return invalid(setting, value, reason) }
