package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

// restoredCluster starts one new backend per config from a restore plan.
func restoredCluster(t *testing.T, bins testutil.Binaries, snapshot string, names []string) []*testutil.BackendProcess {
	t.Helper()
	cfgs := make([]testutil.BackendConfig, len(names))
	var members []string
	for i, n := range names {
		cfgs[i] = testutil.NewBackendConfig(t, testutil.BackendConfig{Name: n})
		members = append(members, n+"="+cfgs[i].PeerURL())
	}
	code, out, errOut := run(t, bins.Sensuctl, "snapshot", "restore-plan", snapshot, "--members", strings.Join(members, ","), "-o", "json")
	var plan struct {
		Token          string `json:"initial_cluster_token"`
		InitialCluster string `json:"initial_cluster"`
		Members        []struct {
			Name     string            `json:"name"`
			Settings map[string]string `json:"settings"`
		} `json:"members"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &plan) != nil || len(plan.Members) != len(names) {
		t.Fatalf("restore-plan: %d %q %q", code, out, errOut)
	}
	procs := make([]*testutil.BackendProcess, len(names))
	for i, m := range plan.Members {
		cfg := cfgs[i]
		cfg.InitialCluster = m.Settings["etcd-initial-cluster"]
		cfg.Args = []string{"--restore-snapshot", m.Settings["restore-snapshot"], "--etcd-initial-cluster-token", m.Settings["etcd-initial-cluster-token"]}
		procs[i] = testutil.StartBackend(t, bins, cfg)
	}
	for _, p := range procs {
		if err := p.WaitHealthy(60 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	return procs
}

func TestSnapshotRoundTripThreeMembers(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	src := testutil.StartBackendCluster(t, bins, 3, nil)
	ctx := testutil.Ctx(t, 2*time.Minute)
	cli := src[0].Client(t)
	for i := range 300 {
		if _, err := cli.Put(ctx, fmt.Sprintf("/sensu.io/checks/ns%d/check-%03d", i%5, i), fmt.Sprintf(`{"interval":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 300; i += 7 {
		cli.Delete(ctx, fmt.Sprintf("/sensu.io/checks/ns%d/check-%03d", i%5, i))
	}
	want, err := cli.Get(ctx, "/sensu.io/checks/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(t.TempDir(), "store.db")
	var eps []string
	for _, p := range src {
		eps = append(eps, p.ClientURL)
	}
	code, out, errOut := run(t, bins.Sensuctl, "--endpoints", strings.Join(eps, ","), "snapshot", "save", snap, "-o", "json")
	var meta struct {
		Revision   int64  `json:"revision"`
		MemberName string `json:"member_name"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &meta) != nil {
		t.Fatalf("save: %d %q %q", code, out, errOut)
	}
	var leader string
	for _, m := range memberList(t, bins, strings.Join(eps, ",")).Members {
		if m.Role == "leader" {
			leader = m.Name
		}
	}
	if meta.MemberName == leader {
		t.Errorf("saved from the leader %s although followers were healthy", leader)
	}

	dst := restoredCluster(t, bins, snap, []string{"r1", "r2", "r3"})
	rcli := testutil.NewClient(t, []string{dst[0].ClientURL, dst[1].ClientURL, dst[2].ClientURL}, nil)
	got, err := rcli.Get(ctx, "/sensu.io/checks/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Kvs) != len(want.Kvs) || len(got.Kvs) == 0 {
		t.Fatalf("restored %d keys, want %d", len(got.Kvs), len(want.Kvs))
	}
	for i := range want.Kvs {
		if !bytes.Equal(got.Kvs[i].Key, want.Kvs[i].Key) || !bytes.Equal(got.Kvs[i].Value, want.Kvs[i].Value) {
			t.Errorf("key %d: %s=%s, want %s=%s", i, got.Kvs[i].Key, got.Kvs[i].Value, want.Kvs[i].Key, want.Kvs[i].Value)
		}
	}
	if got.Header.Revision < meta.Revision+1_000_000_000 {
		t.Errorf("revision %d not bumped past %d", got.Header.Revision, meta.Revision)
	}
	// Every member holds the same data: equal hashes at one revision.
	rev := got.Header.Revision
	var hashes []uint32
	for _, p := range dst {
		h, err := rcli.HashKV(ctx, p.ClientURL, rev)
		if err != nil {
			t.Fatalf("hashkv %s: %v", p.Config.Name, err)
		}
		hashes = append(hashes, h.Hash)
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Errorf("members differ: hashkv %v at revision %d", hashes, rev)
	}
	// A new cluster, not the old one.
	if a, b := memberList(t, bins, dst[0].ClientURL), memberList(t, bins, src[0].ClientURL); len(a.Members) != 3 || a.Members[0].ID == b.Members[0].ID {
		t.Errorf("restored membership: %+v", a)
	}
	// Restarting a member with the same --restore-snapshot starts on its data.
	dst[1].Restart()
	if err := dst[1].WaitHealthy(60 * time.Second); err != nil {
		t.Fatalf("restart with --restore-snapshot kept: %v", err)
	}
}

func TestSnapshotDuringWrites(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "busy"})
	if err := p.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	cli := p.Client(t)
	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			k := fmt.Sprintf("/sensu.io/events/default/e%06d", i)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := cli.Put(ctx, k, strings.Repeat("v", 512))
			cancel()
			if err == nil {
				mu.Lock()
				acked = append(acked, k)
				mu.Unlock()
			}
		}
	}()
	time.Sleep(500 * time.Millisecond)
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	snap := filepath.Join(t.TempDir(), "busy.db")
	code, out, errOut := run(t, bins.Sensuctl, "--endpoints", p.ClientURL, "snapshot", "save", snap)
	close(stop)
	<-done
	if code != 0 {
		t.Fatalf("save during writes: %d %q %q", code, out, errOut)
	}
	dst := restoredCluster(t, bins, snap, []string{"after"})
	have := keySet(t, dst[0].Client(t), "/sensu.io/events/default/")
	missing := 0
	for _, k := range before {
		if !have[k] {
			missing++
		}
	}
	if len(before) < 10 || missing > 0 {
		t.Errorf("%d of %d writes acknowledged before the save are missing from the snapshot", missing, len(before))
	}
	t.Logf("%d writes acknowledged before the save; the snapshot holds %d", len(before), len(have))
}

// TestSnapshotInteropWithEtcdTools: etcdctl's snapshots work with ours, and
// ours with etcdutl.
func TestSnapshotInteropWithEtcdTools(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "interop"})
	if err := p.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	ctx := testutil.Ctx(t, time.Minute)
	cli := p.Client(t)
	for i := range 50 {
		cli.Put(ctx, fmt.Sprintf("/sensu.io/checks/default/c%02d", i), "x")
	}
	dir := t.TempDir()
	theirs, ours := filepath.Join(dir, "etcdctl.db"), filepath.Join(dir, "ours.db")
	tool := func(bin string, args ...string) {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, out)
		}
	}
	tool(bins.Etcdctl, "--endpoints", p.ClientURL, "snapshot", "save", theirs)
	for _, args := range [][]string{{"snapshot", "verify", theirs}, {"snapshot", "inspect", theirs}} {
		if code, out, errOut := run(t, bins.Sensuctl, args...); code != 0 {
			t.Errorf("%v on etcdctl's snapshot: %d %q %q", args, code, out, errOut)
		}
	}
	if code, _, errOut := run(t, bins.Sensuctl, "snapshot", "restore", theirs, "--data-dir", filepath.Join(dir, "from-theirs"),
		"--name", "x", "--initial-cluster", "x=http://127.0.0.1:1", "--initial-advertise-peer-urls", "http://127.0.0.1:1"); code != 0 {
		t.Errorf("restore etcdctl's snapshot: %d %q", code, errOut)
	}

	if code, _, errOut := run(t, bins.Sensuctl, "--endpoints", p.ClientURL, "snapshot", "save", ours); code != 0 {
		t.Fatalf("save: %q", errOut)
	}
	ports := testutil.FreePorts(t, 2)
	client, peer := fmt.Sprintf("http://127.0.0.1:%d", ports[0]), fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	dataDir := filepath.Join(dir, "from-ours")
	tool(bins.Etcdutl, "snapshot", "restore", ours, "--data-dir", dataDir, "--name", "plain", "--initial-cluster", "plain="+peer, "--initial-advertise-peer-urls", peer)
	etcd, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(etcd, bins.Etcd, "--name", "plain", "--data-dir", dataDir, "--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "plain="+peer, "--log-level", "error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	pcli := testutil.NewClient(t, []string{client}, nil)
	var n int64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := pcli.Get(ctx, "/sensu.io/checks/default/", clientv3.WithPrefix(), clientv3.WithCountOnly()); err == nil {
			n = resp.Count
			break
		}
	}
	if n != 50 {
		t.Errorf("plain etcd restored by etcdutl from our snapshot has %d checks, want 50", n)
	}
}
