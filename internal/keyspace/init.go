package keyspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// ErrAlreadyInitialized is returned by Initialize when the store was seeded before.
var ErrAlreadyInitialized = errors.New("the store is already initialized")

// InitResult says what Initialize wrote.
type InitResult struct {
	ClusterID     string `json:"cluster_id"`
	Namespace     string `json:"namespace"`
	SchemaVersion int    `json:"schema_version"`
	Revision      int64  `json:"revision"`
	// Seeded counts the seeds written.
	Seeded int `json:"seeded"`
}

// Initialized is the value of InitializedKey.
type Initialized struct {
	At      time.Time `json:"at"`
	Version string    `json:"version"`
}

// namespaceValue is the JSON of a core/v2 Namespace.
type namespaceValue struct {
	Name string `json:"name"`
}

// lockTTL bounds how long a crashed init can hold the lock.
const lockTTL = 10 // seconds

// Seed is a key written by Initialize unless it already exists.
type Seed struct {
	Key, Value string
}

// Initialize seeds the keyspace once: the default namespace, a cluster ID,
// the schema version, the given seeds (those not already present) and the
// initialized marker. It holds a lock so that
// concurrent runs queue, and writes in one transaction that is a no-op if
// another run got there first, so the store is seeded exactly once.
// toolVersion is recorded in the marker.
func Initialize(ctx context.Context, cli *clientv3.Client, toolVersion string, seeds []Seed) (InitResult, error) {
	sess, err := concurrency.NewSession(cli, concurrency.WithTTL(lockTTL), concurrency.WithContext(ctx))
	if err != nil {
		return InitResult{}, fmt.Errorf("cannot open a session for the init lock: %w", err)
	}
	defer sess.Close()
	mu := concurrency.NewMutex(sess, InitLockKey)
	if err := mu.Lock(ctx); err != nil {
		return InitResult{}, fmt.Errorf("cannot take the init lock %s: %w", InitLockKey, err)
	}
	defer func() {
		unlockCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = mu.Unlock(unlockCtx)
		cancel()
	}()

	reads := []clientv3.Op{
		clientv3.OpGet(InitializedKey),
		clientv3.OpGet(ClusterIDKey),
		clientv3.OpGet(NamespaceKey(DefaultNamespace)),
	}
	for _, s := range seeds {
		reads = append(reads, clientv3.OpGet(s.Key, clientv3.WithCountOnly()))
	}
	state, err := cli.Txn(ctx).Then(reads...).Commit()
	if err != nil {
		return InitResult{}, fmt.Errorf("cannot read the init state: %w", err)
	}
	if len(state.Responses[0].GetResponseRange().Kvs) > 0 {
		return InitResult{}, ErrAlreadyInitialized
	}

	result := InitResult{Namespace: DefaultNamespace, SchemaVersion: SchemaVersion}
	cmps := []clientv3.Cmp{clientv3.Compare(clientv3.CreateRevision(InitializedKey), "=", 0)}
	var puts []clientv3.Op

	if kvs := state.Responses[1].GetResponseRange().Kvs; len(kvs) > 0 {
		if err := json.Unmarshal(kvs[0].Value, &result.ClusterID); err != nil {
			result.ClusterID = string(kvs[0].Value) // written raw by an older tool
		}
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(ClusterIDKey), "=", kvs[0].ModRevision))
	} else {
		result.ClusterID = uuid.NewString()
		puts = append(puts, clientv3.OpPut(ClusterIDKey, mustJSON(result.ClusterID)))
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(ClusterIDKey), "=", 0))
	}
	if kvs := state.Responses[2].GetResponseRange().Kvs; len(kvs) == 0 {
		puts = append(puts, clientv3.OpPut(NamespaceKey(DefaultNamespace), mustJSON(namespaceValue{Name: DefaultNamespace})))
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(NamespaceKey(DefaultNamespace)), "=", 0))
	}
	for i, s := range seeds {
		// Keys restored before init (a namespace, a role) are left as they are.
		if state.Responses[3+i].GetResponseRange().Count == 0 {
			puts = append(puts, clientv3.OpPut(s.Key, s.Value))
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(s.Key), "=", 0))
			result.Seeded++
		}
	}
	puts = append(puts,
		clientv3.OpPut(SchemaVersionKey, mustJSON(SchemaVersion)),
		clientv3.OpPut(InitializedKey, mustJSON(Initialized{At: time.Now().UTC().Truncate(time.Second), Version: toolVersion})),
	)
	txn, err := cli.Txn(ctx).If(cmps...).Then(puts...).Commit()
	if err != nil {
		return InitResult{}, fmt.Errorf("cannot write the initial keys: %w", err)
	}
	if !txn.Succeeded {
		// Only possible if something wrote these keys without the lock.
		return InitResult{}, ErrAlreadyInitialized
	}
	result.Revision = txn.Header.Revision
	return result, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with types that always marshal
	}
	return string(b)
}
