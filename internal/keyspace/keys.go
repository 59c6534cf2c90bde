// Package keyspace owns the layout of the Sensu keys in etcd (all under
// /sensu.io, as in Sensu Go) and the one-time seeding done by
// `sensu-backend init`. Values are JSON.
package keyspace

import (
	"fmt"
	"time"
)

// Root is the prefix of every Sensu key.
const Root = "/sensu.io"

// System keys.
const (
	InitializedKey   = Root + "/.initialized"
	InitLockKey      = Root + "/.initialized.lock"
	ClusterIDKey     = Root + "/cluster_id"
	SchemaVersionKey = Root + "/sensu_database_version"
	BackendsPrefix   = Root + "/backends/"
	NamespacesPrefix = Root + "/namespaces/"
)

// SecretPrefixes hold secrets (API keys are named by the key, users carry
// password hashes): the read-only viewer cannot read them. Sorted.
var SecretPrefixes = []string{Root + "/apikeys/", Root + "/users/"}

// SchemaVersion is the version of the key layout this build writes.
const SchemaVersion = 1

// DefaultNamespace is created by init.
const DefaultNamespace = "default"

// NamespaceKey is the key of a namespace.
func NamespaceKey(name string) string { return NamespacesPrefix + name }

// BackendKey is where a running backend registers itself, under a lease.
func BackendKey(memberID uint64) string { return fmt.Sprintf("%s%016x", BackendsPrefix, memberID) }

// BackendRecord is the value at BackendKey: what a running backend says about
// itself. JSON field names are a stable contract (sensuctl reads them).
type BackendRecord struct {
	Name        string    `json:"name"`
	MemberID    string    `json:"member_id"`
	Version     string    `json:"version"`
	EtcdVersion string    `json:"etcd_version"`
	APIURL      string    `json:"api_url,omitempty"`
	ClientURLs  []string  `json:"client_urls"`
	PeerURLs    []string  `json:"peer_urls"`
	StartedAt   time.Time `json:"started_at"`
}

// MemberIDHex formats an etcd member ID the way every tool shows it.
func MemberIDHex(id uint64) string { return fmt.Sprintf("%016x", id) }
