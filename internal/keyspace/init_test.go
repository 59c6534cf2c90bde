package keyspace

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

func TestInitializeSeedsOnce(t *testing.T) {
	cluster := testutil.StartEtcd(t, 1)
	cli := cluster.Client(t)
	ctx := testutil.Ctx(t, 20*time.Second)

	res, err := Initialize(ctx, cli, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Namespace != "default" || res.SchemaVersion != SchemaVersion || len(res.ClusterID) != 36 {
		t.Errorf("result = %+v", res)
	}
	want := map[string]func(string) bool{
		NamespaceKey("default"): func(v string) bool { return v == `{"name":"default"}` },
		ClusterIDKey:            func(v string) bool { var s string; return json.Unmarshal([]byte(v), &s) == nil && s == res.ClusterID },
		SchemaVersionKey:        func(v string) bool { return v == "1" },
		InitializedKey: func(v string) bool {
			var i Initialized
			return json.Unmarshal([]byte(v), &i) == nil && i.Version == "test"
		},
	}
	for key, ok := range want {
		resp, err := cli.Get(ctx, key)
		if err != nil || len(resp.Kvs) != 1 || !ok(string(resp.Kvs[0].Value)) {
			t.Errorf("%s: %v %v", key, resp, err)
		}
	}

	if _, err := Initialize(ctx, cli, "test", nil); !errors.Is(err, ErrAlreadyInitialized) {
		t.Errorf("second run: want ErrAlreadyInitialized, got %v", err)
	}
	// Nothing but the seeded keys was written, and the lock is released.
	resp, err := cli.Get(ctx, Root, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 4 {
		var keys []string
		for _, kv := range resp.Kvs {
			keys = append(keys, string(kv.Key))
		}
		t.Errorf("keys after init: %q", keys)
	}
}

func TestInitializeKeepsAnExistingClusterID(t *testing.T) {
	cluster := testutil.StartEtcd(t, 1)
	cli := cluster.Client(t)
	ctx := testutil.Ctx(t, 20*time.Second)
	if _, err := cli.Put(ctx, ClusterIDKey, `"11111111-2222-3333-4444-555555555555"`); err != nil {
		t.Fatal(err)
	}
	res, err := Initialize(ctx, cli, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.ClusterID != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("cluster ID replaced: %s", res.ClusterID)
	}
}

func TestConcurrentInitializeSeedsOnce(t *testing.T) {
	cluster := testutil.StartEtcd(t, 3)
	ctx := testutil.Ctx(t, 30*time.Second)
	const runs = 6
	errs := make([]error, runs)
	ids := make([]string, runs)
	var wg sync.WaitGroup
	for i := range runs {
		// Each run uses its own client on a different member, as separate backends would.
		cli := testutil.NewClient(t, []string{cluster.Members[i%3].ClientURL}, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res InitResult
			res, errs[i] = Initialize(ctx, cli, "test", nil)
			ids[i] = res.ClusterID
		}()
	}
	wg.Wait()
	seeded := 0
	for i, err := range errs {
		switch {
		case err == nil:
			seeded++
		case errors.Is(err, ErrAlreadyInitialized):
		default:
			t.Errorf("run %d: %v", i, err)
		}
	}
	if seeded != 1 {
		t.Fatalf("%d runs seeded the store, want exactly 1 (errors %v)", seeded, errs)
	}
	resp, err := cluster.Client(t).Get(ctx, ClusterIDKey)
	if err != nil || len(resp.Kvs) != 1 || resp.Kvs[0].Version != 1 {
		t.Errorf("cluster_id written more than once: %v %v", resp, err)
	}
}

func TestInitializeWritesOnlyAbsentSeeds(t *testing.T) {
	cluster := testutil.StartEtcd(t, 1)
	cli := cluster.Client(t)
	ctx := testutil.Ctx(t, 20*time.Second)

	// A role restored before init must survive it.
	const restored = `{"restored":true}`
	if _, err := cli.Put(ctx, Root+"/rbac/clusterroles/admin", restored); err != nil {
		t.Fatal(err)
	}
	seeds := []Seed{
		{Key: Root + "/rbac/clusterroles/admin", Value: `{"seeded":true}`},
		{Key: Root + "/rbac/clusterroles/view", Value: `{"seeded":true}`},
	}
	res, err := Initialize(ctx, cli, "test", seeds)
	if err != nil {
		t.Fatal(err)
	}
	if res.Seeded != 1 {
		t.Errorf("Seeded = %d, want 1 (one seed already existed)", res.Seeded)
	}
	for key, want := range map[string]string{seeds[0].Key: restored, seeds[1].Key: seeds[1].Value} {
		resp, err := cli.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != want {
			t.Errorf("%s = %v, want %s", key, resp.Kvs, want)
		}
	}
}
