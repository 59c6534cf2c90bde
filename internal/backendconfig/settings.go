// Package backendconfig is the single table of sensu-backend settings. Each
// setting has one name used three ways: the flag --NAME, the environment
// variable SENSU_BACKEND_NAME (upper case, '-' → '_') and the key NAME in
// backend.yml. Precedence: flag > environment > file > default.
package backendconfig

import (
	"strings"
	"time"

	"github.com/sensu-etcd/sensu/internal/backend"
)

// Command says which sensu-backend subcommands take a setting.
type Command uint8

const (
	Start Command = 1 << iota
	Init
)

// Options holds every value a sensu-backend command can be given.
type Options struct {
	ConfigFile string
	Backend    backend.Config
	Init       InitOptions
}

// InitOptions are the settings only `sensu-backend init` uses.
type InitOptions struct {
	// ClientURLs are the etcd endpoints to seed; empty means the
	// etcd-advertise-client-urls.
	ClientURLs               []string
	Timeout                  time.Duration
	IgnoreAlreadyInitialized bool
	Wait                     bool
	// EtcdAuth turns on etcd authentication with a root and a viewer user.
	EtcdAuth       bool
	RootPassword   string
	ViewerPassword string
	// ClusterAdminUsername and ClusterAdminPassword create Sensu's first
	// cluster-admin user, as Sensu Go's init does; optional here.
	ClusterAdminUsername string
	ClusterAdminPassword string
	// AgentPassword is the password of the seeded "agent" user.
	AgentPassword string
}

// DefaultOptions returns every setting at its default.
func DefaultOptions() Options {
	return Options{
		ConfigFile: "/etc/sensu/backend.yml",
		Backend:    backend.DefaultConfig(),
		Init:       InitOptions{Timeout: 10 * time.Second, AgentPassword: DefaultAgentPassword},
	}
}

// Setting is one row of the table.
type Setting struct {
	Name  string
	Short string
	Group string
	Usage string
	For   Command
	// bind returns a pointer to the field this setting fills.
	bind func(*Options) any
}

// Env is the environment variable for the setting.
func (s Setting) Env() string { return EnvName(s.Name) }

// EnvName maps a setting name to its environment variable.
func EnvName(name string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// EnvPrefix starts every sensu-backend environment variable.
const EnvPrefix = "SENSU_BACKEND_"

// Setting groups, in the order help and docs show them.
const (
	GroupGeneral = "General"
	GroupAPI     = "HTTP API"
	GroupStore   = "Store (embedded etcd)"
	GroupTLS     = "Store TLS"
	GroupAuth    = "Store authentication"
	GroupInit    = "Init"
)

// Groups lists the groups in display order.
var Groups = []string{GroupGeneral, GroupAPI, GroupStore, GroupTLS, GroupAuth, GroupInit}

// configFileSetting is read before the file and cannot appear in it.
const configFileSetting = "config-file"

// Settings is the table. Usage strings say what the value does and, where it
// matters, why the default is what it is.
var Settings = []Setting{
	{Name: configFileSetting, Short: "c", Group: GroupGeneral, For: Start | Init,
		Usage: "path to the YAML config file; a missing default file is fine, a missing explicit one is an error",
		bind:  func(o *Options) any { return &o.ConfigFile }},
	{Name: "state-dir", Short: "d", Group: GroupGeneral, For: Start,
		Usage: "directory for this backend's state; etcd data and WAL live in <state-dir>/etcd (mode 0700)",
		bind:  func(o *Options) any { return &o.Backend.StateDir }},
	{Name: "log-level", Group: GroupGeneral, For: Start | Init,
		Usage: "log level: debug, info, warn or error",
		bind:  func(o *Options) any { return &o.Backend.LogLevel }},
	{Name: "log-format", Group: GroupGeneral, For: Start | Init,
		Usage: "log format: console or json",
		bind:  func(o *Options) any { return &o.Backend.LogFormat }},
	{Name: "shutdown-timeout", Group: GroupGeneral, For: Start,
		Usage: "how long a graceful stop (SIGINT/SIGTERM) may take before the backend gives up; a second signal forces exit at once",
		bind:  func(o *Options) any { return &o.Backend.ShutdownTimeout }},

	{Name: "api-listen-address", Group: GroupAPI, For: Start,
		Usage: "host:port of the HTTP API (/health, /version, /metrics); empty disables it",
		bind:  func(o *Options) any { return &o.Backend.APIListenAddress }},
	{Name: "cert-file", Group: GroupAPI, For: Start,
		Usage: "TLS certificate for the HTTP API (with key-file)",
		bind:  func(o *Options) any { return &o.Backend.APICertFile }},
	{Name: "key-file", Group: GroupAPI, For: Start,
		Usage: "TLS private key for the HTTP API (with cert-file)",
		bind:  func(o *Options) any { return &o.Backend.APIKeyFile }},

	{Name: "etcd-name", Group: GroupStore, For: Start,
		Usage: "this member's name; must appear in etcd-initial-cluster",
		bind:  func(o *Options) any { return &o.Backend.Etcd.Name }},
	{Name: "etcd-listen-client-urls", Group: GroupStore, For: Start,
		Usage: "URLs to listen on for etcd clients (sensuctl, other tools)",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ListenClientURLs }},
	{Name: "etcd-advertise-client-urls", Group: GroupStore, For: Start | Init,
		Usage: "client URLs this member advertises to the cluster; must be reachable by clients",
		bind:  func(o *Options) any { return &o.Backend.Etcd.AdvertiseClientURLs }},
	{Name: "etcd-listen-peer-urls", Group: GroupStore, For: Start,
		Usage: "URLs to listen on for traffic from the other members",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ListenPeerURLs }},
	{Name: "etcd-initial-advertise-peer-urls", Group: GroupStore, For: Start,
		Usage: "peer URLs this member advertises; must match its entry in etcd-initial-cluster",
		bind:  func(o *Options) any { return &o.Backend.Etcd.InitialAdvertisePeerURLs }},
	{Name: "etcd-initial-cluster", Group: GroupStore, For: Start,
		Usage: "initial members as name=peer-url,...; empty means this member alone (etcd-name=etcd-initial-advertise-peer-urls)",
		bind:  func(o *Options) any { return &o.Backend.Etcd.InitialCluster }},
	{Name: "etcd-initial-cluster-state", Group: GroupStore, For: Start,
		Usage: "new to form a cluster, existing to join one (after 'sensuctl cluster member-add')",
		bind:  func(o *Options) any { return &o.Backend.Etcd.InitialClusterState }},
	{Name: "etcd-initial-cluster-token", Group: GroupStore, For: Start,
		Usage: "token that keeps separate clusters on one network apart; empty uses etcd's default",
		bind:  func(o *Options) any { return &o.Backend.Etcd.InitialClusterToken }},
	{Name: "etcd-heartbeat-interval", Group: GroupStore, For: Start,
		Usage: "raft heartbeat interval in milliseconds (300, not etcd's 100, tolerates slow disks)",
		bind:  func(o *Options) any { return &o.Backend.Etcd.HeartbeatIntervalMs }},
	{Name: "etcd-election-timeout", Group: GroupStore, For: Start,
		Usage: "raft election timeout in milliseconds; at least 5x the heartbeat interval",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ElectionTimeoutMs }},
	{Name: "etcd-quota-backend-bytes", Group: GroupStore, For: Start,
		Usage: "database size at which etcd raises a NOSPACE alarm and refuses writes",
		bind:  func(o *Options) any { return &o.Backend.Etcd.QuotaBackendBytes }},
	{Name: "etcd-max-request-bytes", Group: GroupStore, For: Start,
		Usage: "largest request etcd accepts, in bytes",
		bind:  func(o *Options) any { return &o.Backend.Etcd.MaxRequestBytes }},
	{Name: "etcd-auto-compaction-mode", Group: GroupStore, For: Start,
		Usage: "periodic (retention is a duration) or revision (retention is a count of revisions)",
		bind:  func(o *Options) any { return &o.Backend.Etcd.AutoCompactionMode }},
	{Name: "etcd-auto-compaction-retention", Group: GroupStore, For: Start,
		Usage: "history kept by auto-compaction; \"0\" disables it",
		bind:  func(o *Options) any { return &o.Backend.Etcd.AutoCompactionRetention }},
	{Name: "etcd-max-learners", Group: GroupStore, For: Start,
		Usage: "how many learner (non-voting) members the cluster accepts at once",
		bind:  func(o *Options) any { return &o.Backend.Etcd.MaxLearners }},
	{Name: "etcd-ready-timeout", Group: GroupStore, For: Start,
		Usage: "how long start waits for the member to be ready (a new cluster waits for a quorum of its members)",
		bind:  func(o *Options) any { return &o.Backend.ReadyTimeout }},
	{Name: "restore-snapshot", Group: GroupStore, For: Start,
		Usage: "restore this etcd snapshot into the empty state dir before starting, as a member of a new cluster built from etcd-name, etcd-initial-cluster and etcd-initial-cluster-token (see 'sensuctl snapshot restore-plan'); skipped when the state dir already holds this snapshot's restore",
		bind:  func(o *Options) any { return &o.Backend.RestoreSnapshot }},
	{Name: "restore-snapshot-ignore-sidecar", Group: GroupStore, For: Start,
		Usage: "restore restore-snapshot even when its sidecar FILE.meta.json does not match it (cluster ID, revision, size, SHA-256); without it a mismatch is refused",
		bind:  func(o *Options) any { return &o.Backend.RestoreIgnoreSidecar }},
	{Name: "etcd-log-level", Group: GroupStore, For: Start,
		Usage: "log level of the embedded etcd; empty means log-level",
		bind:  func(o *Options) any { return &o.Backend.Etcd.LogLevel }},
	{Name: "etcd-unsafe-no-fsync", Group: GroupStore, For: Start,
		Usage: "do not fsync etcd's files: data can be lost on a crash. For tests only",
		bind:  func(o *Options) any { return &o.Backend.Etcd.UnsafeNoFsync }},

	{Name: "etcd-cert-file", Group: GroupTLS, For: Start | Init,
		Usage: "certificate for the etcd client URLs; init also presents it as its client certificate",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ClientTLS.CertFile }},
	{Name: "etcd-key-file", Group: GroupTLS, For: Start | Init,
		Usage: "private key of etcd-cert-file",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ClientTLS.KeyFile }},
	{Name: "etcd-trusted-ca-file", Group: GroupTLS, For: Start | Init,
		Usage: "CA that signs etcd client certificates; init trusts it for the server certificate",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ClientTLS.TrustedCAFile }},
	{Name: "etcd-client-cert-auth", Group: GroupTLS, For: Start,
		Usage: "require etcd clients to present a certificate signed by etcd-trusted-ca-file",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ClientTLS.ClientCertAuth }},
	{Name: "etcd-peer-cert-file", Group: GroupTLS, For: Start,
		Usage: "certificate for the peer URLs",
		bind:  func(o *Options) any { return &o.Backend.Etcd.PeerTLS.CertFile }},
	{Name: "etcd-peer-key-file", Group: GroupTLS, For: Start,
		Usage: "private key of etcd-peer-cert-file",
		bind:  func(o *Options) any { return &o.Backend.Etcd.PeerTLS.KeyFile }},
	{Name: "etcd-peer-trusted-ca-file", Group: GroupTLS, For: Start,
		Usage: "CA that signs the other members' peer certificates",
		bind:  func(o *Options) any { return &o.Backend.Etcd.PeerTLS.TrustedCAFile }},
	{Name: "etcd-peer-client-cert-auth", Group: GroupTLS, For: Start,
		Usage: "require peers to present a certificate signed by etcd-peer-trusted-ca-file",
		bind:  func(o *Options) any { return &o.Backend.Etcd.PeerTLS.ClientCertAuth }},
	{Name: "etcd-cipher-suites", Group: GroupTLS, For: Start,
		Usage: "TLS cipher suites for client and peer listeners; empty means Go's defaults",
		bind:  func(o *Options) any { return &o.Backend.Etcd.CipherSuites }},

	{Name: "etcd-client-username", Group: GroupAuth, For: Start | Init,
		Usage: "etcd user this backend's own etcd client connects as once etcd authentication is on (init --etcd-auth): start publishes the backend's registration with it (listed by 'sensuctl version'; needs write access to /sensu.io/backends/, e.g. root), init seeds with it. Prefer the environment variable or backend.yml: other users can see flags in the process list",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ClientUsername }},
	{Name: "etcd-client-password", Group: GroupAuth, For: Start | Init,
		Usage: "password of etcd-client-username; prefer the environment variable or backend.yml to the flag",
		bind:  func(o *Options) any { return &o.Backend.Etcd.ClientPassword }},

	{Name: "etcd-client-urls", Group: GroupInit, For: Init,
		Usage: "etcd endpoints init connects to; empty means etcd-advertise-client-urls",
		bind:  func(o *Options) any { return &o.Init.ClientURLs }},
	{Name: "timeout", Group: GroupInit, For: Init,
		Usage: "how long init waits for etcd (each attempt, with --wait)",
		bind:  func(o *Options) any { return &o.Init.Timeout }},
	{Name: "ignore-already-initialized", Group: GroupInit, For: Init,
		Usage: "exit 0 instead of 3 when the store is already initialized",
		bind:  func(o *Options) any { return &o.Init.IgnoreAlreadyInitialized }},
	{Name: "wait", Group: GroupInit, For: Init,
		Usage: "keep retrying until etcd is reachable instead of failing after --timeout",
		bind:  func(o *Options) any { return &o.Init.Wait }},
	{Name: "etcd-auth", Group: GroupInit, For: Init,
		Usage: "also enable etcd authentication: a root user (all rights) and a viewer user (read-only on /sensu.io/, except users and API keys)",
		bind:  func(o *Options) any { return &o.Init.EtcdAuth }},
	{Name: "etcd-root-password", Group: GroupInit, For: Init,
		Usage: "password of the etcd root user created by --etcd-auth; prompted for on a terminal when empty",
		bind:  func(o *Options) any { return &o.Init.RootPassword }},
	{Name: "etcd-viewer-password", Group: GroupInit, For: Init,
		Usage: "password of the read-only etcd viewer user created by --etcd-auth; prompted for on a terminal when empty",
		bind:  func(o *Options) any { return &o.Init.ViewerPassword }},
	{Name: "cluster-admin-username", Group: GroupInit, For: Init,
		Usage: "create this Sensu user in group cluster-admins (needs cluster-admin-password)",
		bind:  func(o *Options) any { return &o.Init.ClusterAdminUsername }},
	{Name: "cluster-admin-password", Group: GroupInit, For: Init,
		Usage: "password of cluster-admin-username; prompted for on a terminal when empty",
		bind:  func(o *Options) any { return &o.Init.ClusterAdminPassword }},
	{Name: "agent-password", Group: GroupInit, For: Init,
		Usage: "password of the seeded Sensu user \"agent\" (group system:agents); the default is Sensu Go's, change it in production",
		bind:  func(o *Options) any { return &o.Init.AgentPassword }},
}

// DefaultAgentPassword is Sensu Go's default password of the agent user,
// which agents use unless configured otherwise.
const DefaultAgentPassword = "P@ssw0rd!"

// Lookup finds a setting by name.
func Lookup(name string) (Setting, bool) {
	for _, s := range Settings {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}
