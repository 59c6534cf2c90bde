package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/sensu-etcd/sensu/internal/resource"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

func typ(t *testing.T, name string) *resource.Type {
	t.Helper()
	rt, err := resource.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// entry decodes one wrapped JSON document into a prepared Entry.
func entry(t *testing.T, doc string) Entry {
	t.Helper()
	d, err := resource.Decode([]byte(doc))
	if err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	if err := resource.Prepare(d.Type, d.Object, "default"); err != nil {
		t.Fatalf("prepare %s: %v", doc, err)
	}
	return Entry{Type: d.Type, Object: d.Object, Where: "test"}
}

func namespaceEntry(t *testing.T, name string) Entry {
	return entry(t, fmt.Sprintf(`{"type":"Namespace","spec":{"name":%q}}`, name))
}

func checkEntry(t *testing.T, ns, name string, interval int) Entry {
	return entry(t, fmt.Sprintf(`{"type":"CheckConfig","metadata":{"name":%q,"namespace":%q},"spec":{"command":"true","interval":%d}}`, name, ns, interval))
}

// keys returns every key under /sensu.io/ with its value.
func keys(t *testing.T, cli *clientv3.Client) map[string]string {
	t.Helper()
	resp, err := cli.Get(context.Background(), "/sensu.io/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, kv := range resp.Kvs {
		out[string(kv.Key)] = string(kv.Value)
	}
	return out
}

func noWarn(t *testing.T) func(string) {
	return func(msg string) { t.Logf("warning: %s", msg) }
}

func TestApplyOutcomesAndPolicies(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)

	first := []Entry{namespaceEntry(t, "default"), checkEntry(t, "default", "a", 60), checkEntry(t, "default", "b", 60)}
	sum, err := s.Apply(ctx, first, ApplyOptions{}, noWarn(t))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total(Created) != 3 || sum.Total(Unchanged) != 0 {
		t.Fatalf("first apply: %+v", sum.Types)
	}
	if len(sum.Types) != 2 || sum.Types[0].Type != "core/v2.Namespace" || sum.Types[1].Type != "core/v2.CheckConfig" {
		t.Errorf("types not in registry order: %+v", sum.Types)
	}

	// Idempotent.
	sum, err = s.Apply(ctx, first, ApplyOptions{}, noWarn(t))
	if err != nil || sum.Total(Unchanged) != 3 {
		t.Fatalf("second apply: %v %+v", err, sum)
	}

	changed := []Entry{checkEntry(t, "default", "a", 30), checkEntry(t, "default", "c", 60)}
	before := keys(t, cli)

	// Dry run: the same summary, nothing written.
	sum, err = s.Apply(ctx, changed, ApplyOptions{DryRun: true}, noWarn(t))
	if err != nil || !sum.DryRun || sum.Total(Updated) != 1 || sum.Total(Created) != 1 {
		t.Fatalf("dry run: %v %+v", err, sum)
	}
	// Fail: refused before writing, even the new one.
	_, err = s.Apply(ctx, changed, ApplyOptions{OnConflict: Fail}, noWarn(t))
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "/sensu.io/checks/default/a") {
		t.Fatalf("fail policy: %v", err)
	}
	if after := keys(t, cli); len(after) != len(before) || after["/sensu.io/checks/default/a"] != before["/sensu.io/checks/default/a"] {
		t.Fatal("something was written by a dry run or a refused apply")
	}
	// Skip keeps the old value and creates the new one.
	sum, err = s.Apply(ctx, changed, ApplyOptions{OnConflict: Skip}, noWarn(t))
	if err != nil || sum.Total(Skipped) != 1 || sum.Total(Created) != 1 {
		t.Fatalf("skip: %v %+v", err, sum)
	}
	if v := keys(t, cli)["/sensu.io/checks/default/a"]; !strings.Contains(v, `"interval":60`) {
		t.Errorf("skip overwrote: %s", v)
	}
	// Overwrite.
	sum, err = s.Apply(ctx, changed, ApplyOptions{OnConflict: Overwrite}, noWarn(t))
	if err != nil || sum.Total(Updated) != 1 || sum.Total(Unchanged) != 1 {
		t.Fatalf("overwrite: %v %+v", err, sum)
	}
	if v := keys(t, cli)["/sensu.io/checks/default/a"]; !strings.Contains(v, `"interval":30`) {
		t.Errorf("not overwritten: %s", v)
	}
}

func TestApplyMissingNamespaceWritesNothing(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)
	if _, err := s.Apply(ctx, []Entry{namespaceEntry(t, "default")}, ApplyOptions{}, noWarn(t)); err != nil {
		t.Fatal(err)
	}
	before := keys(t, cli)
	entries := []Entry{namespaceEntry(t, "new"), checkEntry(t, "new", "ok", 60), checkEntry(t, "default", "ok", 60), checkEntry(t, "nope", "x", 60)}
	_, err := s.Apply(ctx, entries, ApplyOptions{}, noWarn(t))
	var pe *PreflightError
	if !errors.As(err, &pe) || !errors.Is(err, ErrMissingNamespace) || len(pe.Problems) != 1 || !strings.Contains(pe.Problems[0], `"nope"`) {
		t.Fatalf("err = %v", err)
	}
	if after := keys(t, cli); len(after) != len(before) {
		t.Errorf("keys written: %d → %d", len(before), len(after))
	}
}

func TestApplyUsers(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)
	hash, _ := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)

	var warnings []string
	warn := func(m string) { warnings = append(warnings, m) }
	users := []Entry{
		entry(t, `{"type":"User","spec":{"username":"plain","password":"pw","groups":["ops"]}}`),
		entry(t, fmt.Sprintf(`{"type":"User","spec":{"username":"hashed","password_hash":%q}}`, hash)),
		entry(t, `{"type":"User","spec":{"username":"nohash","groups":["ops"]}}`),
	}
	sum, err := s.Apply(ctx, users, ApplyOptions{}, warn)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.DisabledUsers) != 1 || sum.DisabledUsers[0] != "nohash" || len(warnings) != 1 || !strings.Contains(warnings[0], "nohash") {
		t.Errorf("disabled users %v, warnings %v", sum.DisabledUsers, warnings)
	}
	get := func(name string) *resource.User {
		o, err := s.Get(ctx, typ(t, "users"), "", name)
		if err != nil {
			t.Fatal(err)
		}
		return o.(*resource.User)
	}
	if u := get("plain"); u.Password != "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte("pw")) != nil || u.Disabled {
		t.Errorf("plain password not hashed: %+v", u)
	}
	if u := get("hashed"); u.PasswordHash != string(hash) || u.Disabled {
		t.Errorf("hash not kept: %+v", u)
	}
	if u := get("nohash"); !u.Disabled || u.PasswordHash != "" {
		t.Errorf("user without hash not disabled: %+v", u)
	}

	// A dump without secrets restored over existing users keeps their hashes.
	again := []Entry{entry(t, `{"type":"User","spec":{"username":"hashed"}}`)}
	warnings = nil
	sum, err = s.Apply(ctx, again, ApplyOptions{}, warn)
	if err != nil || sum.Total(Unchanged) != 1 || len(sum.DisabledUsers) != 0 || len(warnings) != 0 {
		t.Fatalf("re-apply without hash: %v %+v %v", err, sum, warnings)
	}
	if u := get("hashed"); u.PasswordHash != string(hash) || u.Disabled {
		t.Errorf("existing hash lost: %+v", u)
	}
}

func TestApplyBatchesAndScanAtRevision(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, 2*time.Minute)
	s := New(cli, 10*time.Second)

	// More than one batch per namespace and more than one scan page in all.
	var entries []Entry
	for _, ns := range []string{"a", "b", "c"} {
		entries = append(entries, namespaceEntry(t, ns))
		for i := range 450 {
			entries = append(entries, checkEntry(t, ns, fmt.Sprintf("check-%04d", i), 60))
		}
	}
	sum, err := s.Apply(ctx, entries, ApplyOptions{}, noWarn(t))
	if err != nil || sum.Total(Created) != len(entries) {
		t.Fatalf("apply: %v %+v", err, sum)
	}
	rev := sum.Revision

	// Change the store after the revision: a scan at rev sees the old state.
	if _, err := cli.Delete(ctx, "/sensu.io/checks/b/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	checks := typ(t, "checks")
	var n int
	var last string
	if _, err := s.Scan(ctx, []*resource.Type{checks}, "", rev, func(kv KV) error {
		if kv.Key <= last {
			t.Errorf("keys out of order: %s after %s", kv.Key, last)
		}
		last = kv.Key
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1350 {
		t.Errorf("scan at revision %d saw %d checks, want 1350", rev, n)
	}
	objs, _, err := s.List(ctx, checks, "b")
	if err != nil || len(objs) != 0 {
		t.Errorf("list now: %d, %v", len(objs), err)
	}
	objs, _, err = s.List(ctx, checks, "a")
	if err != nil || len(objs) != 450 {
		t.Errorf("list a: %d, %v", len(objs), err)
	}
}

func TestWriteBatchGuardsAgainstConcurrentChange(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)
	if _, err := s.Apply(ctx, []Entry{namespaceEntry(t, "default"), checkEntry(t, "default", "a", 60), checkEntry(t, "default", "b", 60)}, ApplyOptions{}, noWarn(t)); err != nil {
		t.Fatal(err)
	}
	stale := func(name string, interval int) *planned {
		e := checkEntry(t, "default", name, interval)
		v, _ := resource.Encode(e.Object)
		return &planned{Entry: e, key: "/sensu.io/checks/default/" + name, value: v, outcome: Updated, modRev: 1}
	}

	// The guard refuses a write based on a stale read.
	p := stale("a", 30)
	if _, ok, err := s.writeBatch(ctx, []*planned{p}); err != nil || ok {
		t.Fatalf("stale revision written: ok=%v err=%v", ok, err)
	}
	if v := keys(t, cli)[p.key]; strings.Contains(v, `"interval":30`) {
		t.Error("stale write went through")
	}

	// Under overwrite, the batch is read again and written.
	if _, err := s.writeBatchRetrying(ctx, []*planned{p}, Overwrite); err != nil || p.outcome != Updated {
		t.Fatalf("overwrite retry: %v, outcome %s", err, p.outcome)
	}
	if v := keys(t, cli)[p.key]; !strings.Contains(v, `"interval":30`) {
		t.Errorf("not written after the retry: %s", v)
	}

	// Under fail, only the entry that someone else created fails; the
	// rest of the batch is written.
	changed, fine := stale("b", 15), stale("z", 15)
	changed.outcome, fine.outcome = Created, Created
	_, err := s.writeBatchRetrying(ctx, []*planned{changed, fine}, Fail)
	var bf *batchFailure
	if !errors.As(err, &bf) || len(bf.failed) != 1 || bf.failed[0] != changed {
		t.Fatalf("fail policy: %v", err)
	}
	if v := keys(t, cli)[fine.key]; !strings.Contains(v, `"interval":15`) {
		t.Errorf("the unchanged entry of the batch was not written: %s", v)
	}
}

func TestApplyCountsUnwrittenAsFailed(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)
	if _, err := s.Apply(ctx, []Entry{namespaceEntry(t, "default")}, ApplyOptions{}, noWarn(t)); err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	for i := range 500 {
		entries = append(entries, checkEntry(t, "default", fmt.Sprintf("c%03d", i), 60))
	}
	// A request that etcd refuses (too many operations) stops the restore:
	// nothing may be reported created that was not written.
	big := entry(t, `{"type":"CheckConfig","metadata":{"name":"huge"},"spec":{"command":"`+strings.Repeat("x", 2<<20)+`","interval":60}}`)
	entries = append(entries, big)
	sum, err := s.Apply(ctx, entries, ApplyOptions{}, noWarn(t))
	if err == nil {
		t.Fatal("a 2 MiB resource was accepted")
	}
	n := 0
	resp, _ := cli.Get(ctx, "/sensu.io/checks/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	n = int(resp.Count)
	if sum == nil || sum.Total(Created) != n || sum.Total(Failed) != len(entries)-n {
		t.Errorf("summary created=%d failed=%d, but %d of %d were written", sum.Total(Created), sum.Total(Failed), n, len(entries))
	}
}

func TestDelete(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)
	if _, err := s.Apply(ctx, []Entry{namespaceEntry(t, "full"), namespaceEntry(t, "empty"), checkEntry(t, "full", "a", 60)}, ApplyOptions{}, noWarn(t)); err != nil {
		t.Fatal(err)
	}
	ns := typ(t, "namespaces")
	if err := s.Delete(ctx, ns, "", "full"); !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "1 checks") {
		t.Errorf("non-empty namespace: %v", err)
	}
	if err := s.Delete(ctx, ns, "", "empty"); err != nil {
		t.Errorf("empty namespace: %v", err)
	}
	if err := s.Delete(ctx, ns, "", "empty"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted twice: %v", err)
	}
	if err := s.Delete(ctx, typ(t, "checks"), "full", "a"); err != nil {
		t.Errorf("check: %v", err)
	}
	if err := s.Delete(ctx, typ(t, "checks"), "full", "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("check twice: %v", err)
	}
	if err := s.Delete(ctx, ns, "", "full"); err != nil {
		t.Errorf("namespace emptied: %v", err)
	}
}

// TestApplySilences: a write gives a silence what Sensu Go's API gives it
// (begin, expire_at, creator), and applying the same input again keeps the
// stored begin, so nothing changes.
func TestApplySilences(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)
	now := time.Unix(1796424455, 0)
	input := func() []Entry {
		return []Entry{
			namespaceEntry(t, "default"),
			entry(t, `{"type":"Silenced","spec":{"check":"check-nginx","expire":-1}}`),
			entry(t, `{"type":"Silenced","spec":{"subscription":"linux","check":"check-disk","expire":3600,"creator":"alice"}}`),
			entry(t, `{"type":"Silenced","spec":{"subscription":"entity:web-01","begin":1796431655,"expire":600}}`),
		}
	}
	opts := ApplyOptions{Writer: resource.Writer{User: "admin", Now: now}}
	if _, err := s.Apply(ctx, input(), opts, noWarn(t)); err != nil {
		t.Fatal(err)
	}
	want := map[string][3]any{ // begin, expire_at, creator
		"*:check-nginx":    {now.Unix(), now.Unix() + 86400, "admin"},
		"linux:check-disk": {now.Unix(), now.Unix() + 3600, "alice"},
		"entity:web-01:*":  {int64(1796431655), int64(1796431655 + 600), "admin"},
	}
	for name, w := range want {
		o, err := s.Get(ctx, typ(t, "silenced"), "default", name)
		if err != nil {
			t.Fatal(err)
		}
		got := o.(*resource.Silenced)
		if g := [3]any{got.Begin, got.ExpireAt, got.Creator}; g != w {
			t.Errorf("%s: begin, expire_at, creator = %v, want %v", name, g, w)
		}
	}
	opts.Writer.Now = now.Add(time.Hour)
	sum, err := s.Apply(ctx, input(), opts, noWarn(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := sum.Total(Unchanged); n != 4 {
		t.Errorf("applying the same silences an hour later: %d unchanged, want 4 (%+v)", n, sum)
	}
}

// TestApplyKeepsRedactedValues: restoring a dump made without secrets,
// whose secret entity annotations read REDACTED, keeps the stored values
// (the resource is unchanged); a new entity is written as given, with a
// warning.
func TestApplyKeepsRedactedValues(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, time.Minute)
	s := New(cli, 10*time.Second)
	web := func(key string) Entry {
		return entry(t, fmt.Sprintf(`{"type":"Entity","metadata":{"name":"web-01","annotations":{"api_key":%q,"owner":"ops"}},"spec":{"entity_class":"agent"}}`, key))
	}
	if _, err := s.Apply(ctx, []Entry{namespaceEntry(t, "default"), web("s3cr3t")}, ApplyOptions{}, noWarn(t)); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Apply(ctx, []Entry{web("REDACTED")}, ApplyOptions{}, noWarn(t))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total(Unchanged) != 1 {
		t.Errorf("restoring a redacted copy: %+v, want it unchanged", sum)
	}
	o, err := s.Get(ctx, typ(t, "entities"), "default", "web-01")
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Meta().Annotations["api_key"]; got != "s3cr3t" {
		t.Errorf("stored api_key %q, want the real value kept", got)
	}
	var warnings []string
	db := entry(t, `{"type":"Entity","metadata":{"name":"db-01","annotations":{"api_key":"REDACTED"}},"spec":{"entity_class":"agent"}}`)
	if _, err := s.Apply(ctx, []Entry{db}, ApplyOptions{}, func(m string) { warnings = append(warnings, m) }); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "db-01") || !strings.Contains(warnings[0], "annotations.api_key") {
		t.Errorf("warnings %q, want one naming db-01 and annotations.api_key", warnings)
	}
}

// TestScanIsPointInTime: dumps taken while writers create checks and
// change the tessen singleton hold exactly what the store held at the
// revision they read at, type by type.
func TestScanIsPointInTime(t *testing.T) {
	cli := testutil.StartEtcd(t, 1).Client(t)
	ctx := testutil.Ctx(t, 2*time.Minute)
	s := New(cli, 10*time.Second)
	if _, err := s.Apply(ctx, []Entry{namespaceEntry(t, "default")}, ApplyOptions{}, noWarn(t)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	writers := make(chan error, 1)
	go func() {
		defer close(writers)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			batch := []Entry{entry(t, fmt.Sprintf(`{"type":"TessenConfig","spec":{"opt_out":%v}}`, i%2 == 0))}
			for j := 0; j < 20; j++ {
				batch = append(batch, checkEntry(t, "default", fmt.Sprintf("check-%d-%d", i, j), 60))
			}
			if _, err := s.Apply(ctx, batch, ApplyOptions{}, func(string) {}); err != nil {
				writers <- err
				return
			}
		}
	}()
	for run := 0; run < 10; run++ {
		time.Sleep(20 * time.Millisecond)
		rev, _, err := s.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		scanned := map[string]string{}
		read, err := s.Scan(ctx, resource.All, "", rev, func(kv KV) error {
			scanned[kv.Key] = string(kv.Value)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if read != rev {
			t.Errorf("run %d: Scan says it read revision %d, asked for %d", run, read, rev)
		}
		want := map[string]string{}
		for _, typ := range resource.All {
			opts := []clientv3.OpOption{clientv3.WithRev(rev)}
			if !typ.Singleton {
				opts = append(opts, clientv3.WithPrefix())
			}
			resp, err := cli.Get(ctx, typ.ListPrefix(""), opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range resp.Kvs {
				want[string(kv.Key)] = string(kv.Value)
			}
		}
		if len(scanned) != len(want) {
			t.Errorf("run %d: %d keys scanned, the store held %d at revision %d", run, len(scanned), len(want), rev)
		}
		for k, v := range want {
			if scanned[k] != v {
				t.Errorf("run %d: %s differs from the store at revision %d", run, k, rev)
				break
			}
		}
	}
	close(stop)
	if err := <-writers; err != nil {
		t.Fatal(err)
	}
}
