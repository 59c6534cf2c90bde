package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

// members is the part of `cluster member-list -o json` these tests read.
type members struct {
	Members []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Role      string `json:"role"`
		IsLearner bool   `json:"is_learner"`
		Reachable bool   `json:"reachable"`
	} `json:"members"`
}

func memberList(t *testing.T, bins testutil.Binaries, endpoints string) members {
	t.Helper()
	code, out, errOut := run(t, bins.Sensuctl, "--endpoints", endpoints, "cluster", "member-list", "-o", "json")
	var ms members
	if code != 0 || json.Unmarshal([]byte(out), &ms) != nil {
		t.Fatalf("member-list: %d %q %q", code, out, errOut)
	}
	return ms
}

func (ms members) voters() int {
	n := 0
	for _, m := range ms.Members {
		if !m.IsLearner {
			n++
		}
	}
	return n
}

// addWithWait runs `member-add --wait`, starts the new backend with the
// settings it prints, and waits for the command to report the promotion.
func addWithWait(t *testing.T, bins testutil.Binaries, endpoints string, cfg testutil.BackendConfig) *testutil.BackendProcess {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.Sensuctl, "--endpoints", endpoints, "cluster", "member-add", cfg.Name,
		"--peer-urls", cfg.PeerURL(), "--client-urls", cfg.ClientURL(), "--wait", "--wait-timeout", "90s")
	cmd.Env = isolatedEnv(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var printed strings.Builder
	initial := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			printed.WriteString(line + "\n")
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "--etcd-initial-cluster" {
				initial <- f[1]
			}
		}
	}()
	var p *testutil.BackendProcess
	select {
	case ic := <-initial:
		cfg.InitialCluster, cfg.InitialClusterState = ic, "existing"
		p = testutil.StartBackend(t, bins, cfg)
	case <-done:
		cmd.Wait()
		t.Fatalf("member-add %s printed no start settings:\n%s\n%s", cfg.Name, printed.String(), stderr.String())
	}
	<-done
	if err := cmd.Wait(); err != nil {
		t.Fatalf("member-add --wait %s: %v\n%s\n%s", cfg.Name, err, printed.String(), stderr.String())
	}
	if !strings.Contains(printed.String(), cfg.Name+" is now a voter") {
		t.Errorf("member-add --wait output lacks the promotion:\n%s", printed.String())
	}
	if err := p.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	return p
}

// writer puts keys until stopped and remembers which ones were acknowledged.
type writer struct {
	mu    sync.Mutex
	acked []string
	fails int
	stop  chan struct{}
	done  chan struct{}
}

func startWriter(t *testing.T, cli *clientv3.Client) *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			key := fmt.Sprintf("/e2e/writes/%06d", i)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := cli.Put(ctx, key, key)
			cancel()
			w.mu.Lock()
			if err == nil {
				w.acked = append(w.acked, key)
			} else {
				w.fails++
			}
			w.mu.Unlock()
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return w
}

func (w *writer) finish() ([]string, int) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked, w.fails
}

func healthy(t *testing.T, bins testutil.Binaries, endpoints, step string) {
	t.Helper()
	code, out, errOut := run(t, bins.Sensuctl, "--endpoints", endpoints, "cluster", "health")
	if code != 0 {
		t.Fatalf("after %s the cluster is not healthy (exit %d):\n%s%s", step, code, out, errOut)
	}
}

func TestGrowOneToFiveAndShrinkUnderWrites(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	cfgs := make([]testutil.BackendConfig, 5)
	var all []string
	for i := range cfgs {
		cfgs[i] = testutil.NewBackendConfig(t, testutil.BackendConfig{Name: fmt.Sprintf("backend-%d", i+1)})
		all = append(all, cfgs[i].ClientURL())
	}
	procs := []*testutil.BackendProcess{testutil.StartBackend(t, bins, cfgs[0])}
	if err := procs[0].WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	w := startWriter(t, testutil.NewClient(t, all, nil))

	for i := 1; i < 5; i++ {
		eps := strings.Join(all[:i], ",")
		procs = append(procs, addWithWait(t, bins, eps, cfgs[i]))
		healthy(t, bins, strings.Join(all[:i+1], ","), "adding "+cfgs[i].Name)
		if ms := memberList(t, bins, eps); ms.voters() != i+1 {
			t.Fatalf("after adding %s: %d voters, want %d", cfgs[i].Name, ms.voters(), i+1)
		}
	}

	// Shrink 5 → 1, removing whichever member leads at the time last so the
	// leader handover is exercised on the way.
	for i := 4; i >= 1; i-- {
		eps := strings.Join(all[:i+1], ",")
		code, out, errOut := run(t, bins.Sensuctl, "--endpoints", eps, "cluster", "member-remove", cfgs[i].Name, "--yes")
		if code != 0 || !strings.Contains(out, "Removed member "+cfgs[i].Name) {
			t.Fatalf("remove %s: %d %q %q", cfgs[i].Name, code, out, errOut)
		}
		if code, err := procs[i].Wait(30 * time.Second); err != nil || code != 4 {
			t.Errorf("removed %s: exit %d, %v", cfgs[i].Name, code, err)
		}
		healthy(t, bins, strings.Join(all[:i], ","), "removing "+cfgs[i].Name)
	}

	acked, fails := w.finish()
	t.Logf("writer: %d writes acknowledged, %d failed or timed out during the changes", len(acked), fails)
	if len(acked) < 100 {
		t.Fatalf("only %d writes acknowledged", len(acked))
	}
	stored := keySet(t, procs[0].Client(t), "/e2e/writes/")
	for _, k := range acked {
		if !stored[k] {
			t.Errorf("acknowledged write %s is lost", k)
		}
	}
}

func TestMembershipFaultMatrix(t *testing.T) {
	bins := testutil.BuildBinaries(t)

	t.Run("voter added to a one-member cluster", func(t *testing.T) {
		p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "solo"})
		if err := p.WaitHealthy(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := run(t, bins.Sensuctl, "--endpoints", p.ClientURL, "cluster", "member-add", "second", "--peer-urls", "http://127.0.0.1:1", "--voter")
		if code != 3 || !strings.Contains(errOut, "would stall") || !strings.Contains(errOut, "learner") {
			t.Errorf("exit %d: %q", code, errOut)
		}
		if ms := memberList(t, bins, p.ClientURL); len(ms.Members) != 1 {
			t.Errorf("a refused add changed the membership: %+v", ms)
		}
		code, _, errOut = run(t, bins.Sensuctl, "--endpoints", p.ClientURL, "cluster", "member-add", "second", "--peer-urls", "127.0.0.1:9")
		if code != 2 || !strings.Contains(errOut, `peer URL "127.0.0.1:9"`) {
			t.Errorf("malformed peer URL: exit %d: %q", code, errOut)
		}
	})

	procs := testutil.StartBackendCluster(t, bins, 3, nil)
	eps := func(ps ...*testutil.BackendProcess) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.ClientURL)
		}
		return strings.Join(s, ",")
	}
	procs[2].Signal(syscall.SIGKILL)
	procs[2].Wait(10 * time.Second)
	live := eps(procs[0], procs[1])
	// If backend-3 led, the others need an election timeout to elect a leader.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		led := false
		for _, m := range memberList(t, bins, live).Members {
			led = led || m.Role == "leader"
		}
		if led {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no leader among the two remaining members")
		}
	}

	t.Run("add while a member is down", func(t *testing.T) {
		code, _, errOut := run(t, bins.Sensuctl, "--endpoints", live, "cluster", "member-add", "backend-4", "--peer-urls", "http://127.0.0.1:1")
		if code != 3 || !strings.Contains(errOut, "backend-3") || !strings.Contains(errOut, "is not healthy") {
			t.Errorf("exit %d: %q", code, errOut)
		}
	})
	t.Run("remove that would lose quorum", func(t *testing.T) {
		code, _, errOut := run(t, bins.Sensuctl, "--endpoints", live, "cluster", "member-remove", "backend-2", "--yes")
		if code != 3 || !strings.Contains(errOut, "below the quorum of 2") {
			t.Errorf("exit %d: %q", code, errOut)
		}
		if ms := memberList(t, bins, live); len(ms.Members) != 3 {
			t.Errorf("a refused remove changed the membership")
		}
	})
	t.Run("remove the dead member", func(t *testing.T) {
		code, out, errOut := run(t, bins.Sensuctl, "--endpoints", live, "cluster", "member-remove", "backend-3", "--yes")
		if code != 0 || !strings.Contains(out, "Voters: 3 → 2") {
			t.Errorf("exit %d: %q %q", code, out, errOut)
		}
		healthy(t, bins, live, "removing the dead member")
		// Started again on its state dir, it learns from its peers that it was
		// removed while down, and exits 4 (not restarted by the systemd unit).
		procs[2].Restart()
		if code, err := procs[2].Wait(30 * time.Second); err != nil || code != 4 {
			t.Errorf("restart of a member removed while down: exit %d, %v\n%s", code, err, procs[2].Logs())
		}
	})
	t.Run("kill the learner while it catches up, then remove it", func(t *testing.T) {
		cfg := testutil.NewBackendConfig(t, testutil.BackendConfig{Name: "learner"})
		code, out, errOut := run(t, bins.Sensuctl, "--endpoints", live, "cluster", "member-add", cfg.Name,
			"--peer-urls", cfg.PeerURL(), "--client-urls", cfg.ClientURL(), "-o", "json")
		var added struct {
			InitialCluster string `json:"initial_cluster"`
			Member         struct {
				IsLearner bool `json:"is_learner"`
			} `json:"member"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &added) != nil || !added.Member.IsLearner {
			t.Fatalf("add learner: %d %q %q", code, out, errOut)
		}
		cfg.InitialCluster, cfg.InitialClusterState = added.InitialCluster, "existing"
		p := testutil.StartBackend(t, bins, cfg)
		time.Sleep(300 * time.Millisecond)
		p.Signal(syscall.SIGKILL)
		p.Wait(10 * time.Second)
		// Health reports the dead learner, but it does not count towards the
		// quorum: both voters stay healthy and the cluster takes writes.
		code, out, _ = run(t, bins.Sensuctl, "--endpoints", live, "cluster", "health")
		if code != 3 || !strings.Contains(out, "learner") {
			t.Errorf("health with a dead learner: exit %d\n%s", code, out)
		}
		code, out, errOut = run(t, bins.Sensuctl, "--endpoints", live, "cluster", "status", "-o", "json")
		var st struct {
			HealthyVoters int `json:"healthy_voters"`
			Quorum        int `json:"quorum"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.HealthyVoters != 2 || st.Quorum != 2 {
			t.Errorf("status with a dead learner: %d %q %q", code, out, errOut)
		}
		if _, err := procs[0].Client(t).Put(testutil.Ctx(t, 5*time.Second), "/e2e/with-dead-learner", "ok"); err != nil {
			t.Errorf("write with a dead learner: %v", err)
		}
		code, out, errOut = run(t, bins.Sensuctl, "--endpoints", live, "cluster", "member-remove", "learner", "--yes")
		if code != 0 || !strings.Contains(out, "Removed member learner") {
			t.Errorf("remove the dead learner: %d %q %q", code, out, errOut)
		}
	})
	t.Run("remove the leader", func(t *testing.T) {
		var leader string
		for _, m := range memberList(t, bins, live).Members {
			if m.Role == "leader" {
				leader = m.Name
			}
		}
		code, out, errOut := run(t, bins.Sensuctl, "--endpoints", live, "cluster", "member-remove", leader, "--yes")
		if code != 0 || !strings.Contains(out, "Leadership moved to") || !strings.Contains(errOut, "moving leadership") {
			t.Fatalf("remove leader %s: %d %q %q", leader, code, out, errOut)
		}
		healthy(t, bins, live, "removing the leader")
		if ms := memberList(t, bins, live); len(ms.Members) != 1 || ms.Members[0].Role != "leader" {
			t.Errorf("after removing the leader: %+v", ms)
		}
	})
}

// TestAgainstPlainEtcd runs the cluster commands against an unmodified etcd
// server built from the etcd module.
func TestAgainstPlainEtcd(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	ports := testutil.FreePorts(t, 2)
	client, peer := fmt.Sprintf("http://127.0.0.1:%d", ports[0]), fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.Etcd, "--name", "plain", "--data-dir", filepath.Join(t.TempDir(), "etcd"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "plain="+peer, "--unsafe-no-fsync", "--log-level", "error")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	var ms members
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		code, out, _ := run(t, bins.Sensuctl, "--endpoints", client, "cluster", "member-list", "-o", "json")
		if code == 0 && json.Unmarshal([]byte(out), &ms) == nil && len(ms.Members) == 1 && ms.Members[0].Role == "leader" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plain etcd not ready: %s", logs.String())
		}
	}
	for _, args := range [][]string{
		{"cluster", "health"},
		{"cluster", "status", "-o", "json"},
		{"cluster", "id"},
		{"cluster", "alarm", "list"},
		{"cluster", "compact"},
		{"cluster", "defrag", "plain"},
		{"cluster", "move-leader", "plain"},
	} {
		if code, out, errOut := run(t, bins.Sensuctl, append([]string{"--endpoints", client}, args...)...); code != 0 {
			t.Errorf("%v against plain etcd: %d %q %q", args, code, out, errOut)
		}
	}
	code, out, errOut := run(t, bins.Sensuctl, "--endpoints", client, "cluster", "member-add", "extra", "--peer-urls", "http://127.0.0.1:1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"is_learner": true`) {
		t.Fatalf("member-add against plain etcd: %d %q %q", code, out, errOut)
	}
	// An unstarted member has no name yet: etcd learns it when the member
	// starts, so it is found by ID only.
	code, _, errOut = run(t, bins.Sensuctl, "--endpoints", client, "cluster", "member-remove", "extra", "--yes")
	if code != 5 || !strings.Contains(errOut, "(unstarted)") {
		t.Errorf("remove an unstarted member by name: %d %q", code, errOut)
	}
	var unstarted string
	for _, m := range memberList(t, bins, client).Members {
		if m.Name == "" {
			unstarted = m.ID
		}
	}
	if code, out, errOut = run(t, bins.Sensuctl, "--endpoints", client, "cluster", "member-remove", unstarted, "--yes"); code != 0 {
		t.Errorf("remove the unstarted learner by ID: %d %q %q", code, out, errOut)
	}
}

// TestNoSpaceRecovery follows docs/cluster.md: fill the quota with history,
// see the alarm, then compact, defragment and disarm.
func TestNoSpaceRecovery(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	p := testutil.StartBackend(t, bins, testutil.BackendConfig{Name: "small", Args: []string{"--etcd-quota-backend-bytes", "4194304"}})
	if err := p.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	cli := p.Client(t)
	ctx := testutil.Ctx(t, 2*time.Minute)
	value := strings.Repeat("x", 100*1024)
	var err error
	for i := 0; i < 500 && err == nil; i++ {
		_, err = cli.Put(ctx, "/e2e/big", value)
	}
	if err == nil || !strings.Contains(err.Error(), "database space exceeded") {
		t.Fatalf("the quota was never reached: %v", err)
	}
	sctl := func(args ...string) (int, string, string) {
		return run(t, bins.Sensuctl, append([]string{"--endpoints", p.ClientURL}, args...)...)
	}
	if code, out, _ := sctl("cluster", "alarm", "list"); code != 0 || !strings.Contains(out, "NOSPACE") {
		t.Errorf("alarm list: %d %q", code, out)
	}
	if code, out, errOut := sctl("cluster", "health"); code != 3 || !strings.Contains(out, "alarm NOSPACE") || !strings.Contains(errOut, "NOSPACE") {
		t.Errorf("health with NOSPACE: %d %q %q", code, out, errOut)
	}
	// The alarm is the cluster's, not a member fault: the member still votes,
	// so the recovery steps (which check quorum) are allowed.
	if code, out, _ := sctl("cluster", "status", "-o", "json"); code != 0 || !strings.Contains(out, `"healthy_voters": 1`) {
		t.Errorf("status with NOSPACE: %d %q", code, out)
	}
	if code, out, _ := sctl("cluster", "member-list", "-o", "json"); code != 0 || strings.Contains(out, "memberID:") || !strings.Contains(out, `"NOSPACE on `) {
		t.Errorf("member-list with NOSPACE: %d %q", code, out)
	}
	for _, step := range [][]string{
		{"cluster", "compact", "--physical"},
		{"cluster", "defrag", "--cluster"},
		{"cluster", "alarm", "disarm"},
	} {
		if code, out, errOut := sctl(step...); code != 0 {
			t.Fatalf("%v: %d %q %q", step, code, out, errOut)
		}
	}
	if code, out, _ := sctl("cluster", "health"); code != 0 {
		t.Errorf("health after recovery: %d %q", code, out)
	}
	if _, err := cli.Put(ctx, "/e2e/after", "ok"); err != nil {
		t.Errorf("write after recovery: %v", err)
	}
}

// keySet reads the keys under prefix.
func keySet(t *testing.T, cli *clientv3.Client, prefix string) map[string]bool {
	t.Helper()
	resp, err := cli.Get(testutil.Ctx(t, 30*time.Second), prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, kv := range resp.Kvs {
		keys[string(kv.Key)] = true
	}
	return keys
}
