package sensu1redis_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixtureNow is the NOW of testdata/sensu1/redis_keys.txt and redis_dump.json.
const fixtureNow = 1700000000

// populated starts a redis-server holding the fixture state (orphans and
// transport keys included) in db 0.
func populated(t *testing.T, env ...string) *testutil.Redis {
	t.Helper()
	r := testutil.StartRedis(t)
	testutil.PopulateSensu1(t, r, fixtureNow, env...)
	return r
}

func read(t *testing.T, opts sensu1redis.Options) *sensu1redis.Snapshot {
	t.Helper()
	snap, err := sensu1redis.Read(testutil.Ctx(t, time.Minute), opts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return snap
}

// fixtureKey is one line of testdata/sensu1/redis_keys.txt.
type fixtureKey struct {
	Type string
	TTL  int // seconds, -1: none
}

func fixtureKeys(t *testing.T) map[string]fixtureKey {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.RepoRoot(t), "testdata", "sensu1", "redis_keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]fixtureKey{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("redis_keys.txt: bad line %q", line)
		}
		ttl, err := strconv.Atoi(fields[2])
		if err != nil {
			t.Fatalf("redis_keys.txt: bad TTL in %q", line)
		}
		keys[fields[0]] = fixtureKey{Type: fields[1], TTL: ttl}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// dumpEntry is one key of testdata/sensu1/redis_dump.json.
type dumpEntry struct {
	TTL   int             `json:"ttl"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

func fixtureDump(t *testing.T) map[string]dumpEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "testdata", "sensu1", "redis_dump.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dump map[string]dumpEntry
	if err := json.Unmarshal(b, &dump); err != nil {
		t.Fatal(err)
	}
	return dump
}

// str is the value of a string key of the dump.
func (d dumpEntry) str(t *testing.T) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(d.Value, &s); err != nil {
		t.Fatalf("dump value %s: %v", d.Value, err)
	}
	return s
}

// object decodes JSON text the way Read must: numbers as json.Number.
func object(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return m
}

// approx reports whether got is want (seconds) less at most the seconds the
// test took since the fixture was written; the fixture's TTLs were measured
// up to a few seconds after the EXPIRE.
func approx(got time.Duration, want int) bool {
	d := got - time.Duration(want)*time.Second
	return d > -30*time.Second && d < 5*time.Second
}

func TestReadFixture(t *testing.T) {
	r := populated(t)
	snap := read(t, sensu1redis.Options{URL: r.URL()})

	if snap.Addr != r.Addr() || snap.DB != 0 {
		t.Errorf("Addr, DB = %s, %d", snap.Addr, snap.DB)
	}
	checkKeys(t, snap)
	checkGolden(t, snap)
	dump := fixtureDump(t)

	// Clients, with their signature and membership of "clients".
	var names []string
	for _, c := range snap.Clients {
		names = append(names, c.Name)
		if want := object(t, dump["client:"+c.Name].str(t)); !reflect.DeepEqual(c.Data, want) {
			t.Errorf("client %s: Data = %v, want %v", c.Name, c.Data, want)
		}
		sig, hasSig := dump["client:"+c.Name+":signature"]
		if c.HasSignature != hasSig || hasSig && c.Signature != sig.str(t) {
			t.Errorf("client %s: signature %q/%v, want %q/%v", c.Name, c.Signature, c.HasSignature, sig.Value, hasSig)
		}
		if !c.InClientsSet {
			t.Errorf("client %s: not InClientsSet", c.Name)
		}
	}
	if want := []string{"db-01", "legacy-app-01", "switch-x", "web-01", "win-01"}; !slices.Equal(names, want) {
		t.Errorf("clients %v, want %v", names, want)
	}
	db01 := snap.Clients[0]
	if db01.Signature != "yVNxtPbRGwqfD6bs" || !db01.HasSignature {
		t.Errorf("db-01 signature %q %v", db01.Signature, db01.HasSignature)
	}
	if c := snap.Clients[1]; c.HasSignature {
		t.Errorf("legacy-app-01 (created by the API) has a signature %q", c.Signature)
	}
	if ts := snap.Clients[2].Data["timestamp"]; ts != json.Number("1699395200") {
		t.Errorf("switch-x timestamp %#v, want json.Number 1699395200", ts)
	}

	// Results with history and last_ok.
	if len(snap.Results) != 18 {
		t.Errorf("%d results, want 18", len(snap.Results))
	}
	var ttlMonitored []string
	for _, res := range snap.Results {
		id := res.Client + ":" + res.Check
		if want := object(t, dump["result:"+id].str(t)); !reflect.DeepEqual(res.Data, want) {
			t.Errorf("result %s: Data = %v, want %v", id, res.Data, want)
		}
		var hist []string
		if err := json.Unmarshal(dump["history:"+id].Value, &hist); err != nil {
			t.Fatalf("history:%s: %v", id, err)
		}
		var want []int
		for _, h := range hist {
			n, _ := strconv.Atoi(h)
			want = append(want, n)
		}
		if !slices.Equal(res.History, want) || len(want) == 0 {
			t.Errorf("result %s: History %v, want %v", id, res.History, want)
		}
		lastOK, hasLastOK := dump["history:"+id+":last_ok"]
		if res.HasLastOK != hasLastOK || hasLastOK && strconv.FormatInt(res.LastOK, 10) != lastOK.str(t) {
			t.Errorf("result %s: LastOK %d/%v, want %s/%v", id, res.LastOK, res.HasLastOK, lastOK.Value, hasLastOK)
		}
		if !res.InResultSet {
			t.Errorf("result %s: not InResultSet", id)
		}
		if res.TTLMonitored {
			ttlMonitored = append(ttlMonitored, id)
		}
	}
	if want := []string{"web-01:backup-job", "win-01:check-windows-service"}; !slices.Equal(ttlMonitored, want) {
		t.Errorf("TTL-monitored results %v, want %v", ttlMonitored, want)
	}
	for _, res := range snap.Results {
		switch res.Client + "/" + res.Check {
		case "web-01/check-disk":
			want := append(make([]int, 17), 1, 1, 1, 1)
			if !slices.Equal(res.History, want) || res.LastOK != fixtureNow-260 {
				t.Errorf("web-01/check-disk: history %v last_ok %d", res.History, res.LastOK)
			}
		case "web-01/backup-job":
			if !slices.Equal(res.History, []int{0, 0, 0, 1, 1, 1, 1}) {
				t.Errorf("web-01/backup-job: history %v", res.History)
			}
		case "db-01/check-mysql-replication":
			if res.HasLastOK {
				t.Errorf("db-01/check-mysql-replication: never OK but LastOK %d", res.LastOK)
			}
		}
	}

	// Events.
	var events []string
	for _, ev := range snap.Events {
		events = append(events, ev.Client+"/"+ev.Check)
		var fields map[string]string
		if err := json.Unmarshal(dump["events:"+ev.Client].Value, &fields); err != nil {
			t.Fatal(err)
		}
		if want := object(t, fields[ev.Check]); !reflect.DeepEqual(ev.Data, want) {
			t.Errorf("event %s/%s: Data = %v, want %v", ev.Client, ev.Check, ev.Data, want)
		}
	}
	wantEvents := []string{"db-01/check-mysql-replication", "db-01/keepalive", "switch-x/check-snmp-if",
		"web-01/backup-job", "web-01/check-cert-expiry", "web-01/check-disk", "web-01/check-nginx", "win-01/check-windows-disk"}
	if !slices.Equal(events, wantEvents) {
		t.Errorf("events %v, want %v", events, wantEvents)
	}

	// Silences with the TTL that is their expiry.
	wantSilences := []struct {
		id  string
		ttl int
	}{{"*:check-disk", 82800}, {"client:win-01:*", -1}, {"linux:check-ntp", 10800}}
	if len(snap.Silences) != len(wantSilences) {
		t.Fatalf("silences %+v", snap.Silences)
	}
	for i, w := range wantSilences {
		s := snap.Silences[i]
		if s.ID != w.id || !s.InSilencedSet || (w.ttl < 0 && s.TTL != -1) || (w.ttl > 0 && !approx(s.TTL, w.ttl)) {
			t.Errorf("silence %d: %q TTL %s in set %v, want %q TTL %ds", i, s.ID, s.TTL, s.InSilencedSet, w.id, w.ttl)
		}
		if w.ttl < 0 && !s.ExpiresAt.IsZero() || w.ttl > 0 && (s.ExpiresAt.Before(snap.Started.Add(s.TTL)) || s.ExpiresAt.After(snap.Finished.Add(s.TTL))) {
			t.Errorf("silence %s: ExpiresAt %s, TTL %s, read from %s to %s", s.ID, s.ExpiresAt, s.TTL, snap.Started, snap.Finished)
		}
		if want := object(t, dump["silence:"+s.ID].str(t)); !reflect.DeepEqual(s.Data, want) {
			t.Errorf("silence %s: Data = %v, want %v", s.ID, s.Data, want)
		}
	}

	// Stashes; the stash:silence/... ones are pre-0.26 silences.
	wantStashes := []struct {
		path   string
		ttl    int
		legacy bool
	}{{"deploy/web-01", -1, false}, {"silence/legacy-app-01", -1, true}, {"silence/web-01/check-nginx", 3300, true}}
	if len(snap.Stashes) != len(wantStashes) {
		t.Fatalf("stashes %+v", snap.Stashes)
	}
	for i, w := range wantStashes {
		s := snap.Stashes[i]
		if s.Path != w.path || s.Legacy != w.legacy || !s.InStashesSet || (w.ttl < 0 && s.TTL != -1) || (w.ttl > 0 && !approx(s.TTL, w.ttl)) {
			t.Errorf("stash %d: %q TTL %s legacy %v in set %v, want %+v", i, s.Path, s.TTL, s.Legacy, s.InStashesSet, w)
		}
		if w.ttl < 0 && !s.ExpiresAt.IsZero() || w.ttl > 0 && (s.ExpiresAt.Before(snap.Started.Add(s.TTL)) || s.ExpiresAt.After(snap.Finished.Add(s.TTL))) {
			t.Errorf("stash %s: ExpiresAt %s, TTL %s, read from %s to %s", s.Path, s.ExpiresAt, s.TTL, snap.Started, snap.Finished)
		}
		if want := object(t, dump["stash:"+s.Path].str(t)); !reflect.DeepEqual(s.Data, want) {
			t.Errorf("stash %s: Data = %v, want %v", s.Path, s.Data, want)
		}
	}

	// Aggregates.
	wantAggregates := []sensu1redis.Aggregate{
		{Name: "check-http-frontend", Members: []string{"web-01:check-http-frontend"}, InAggregatesSet: true},
		{Name: "linux_baseline", Members: []string{"db-01:check-ntp", "web-01:check-ntp"}, InAggregatesSet: true},
		{Name: "ntp", Members: []string{"db-01:check-ntp", "decom-02:check-ntp", "web-01:check-ntp"}, InAggregatesSet: true},
	}
	if !reflect.DeepEqual(snap.Aggregates, wantAggregates) {
		t.Errorf("aggregates %+v\nwant %+v", snap.Aggregates, wantAggregates)
	}

	// One dangling member per kind the fixture creates (FACTS §2.5).
	wantDangling := []sensu1redis.Dangling{
		{Set: "aggregates:ntp", Member: "decom-02:check-ntp", MissingKey: "result:decom-02:check-ntp"},
		{Set: "servers", Member: "1b2c3d4e-0000-4000-8000-aaaaaaaaaaaa", MissingKey: "server:1b2c3d4e-0000-4000-8000-aaaaaaaaaaaa"},
		{Set: "silenced", Member: "silence:old-sub:*", MissingKey: "silence:old-sub:*"},
		{Set: "stashes", Member: "maintenance/expired", MissingKey: "stash:maintenance/expired"},
		{Set: "ttl", Member: "decom-02:check-foo", MissingKey: "result:decom-02:check-foo"},
	}
	if !reflect.DeepEqual(snap.Dangling, wantDangling) {
		t.Errorf("dangling %+v\nwant %+v", snap.Dangling, wantDangling)
	}
	if len(snap.Invalid) != 0 {
		t.Errorf("invalid values in the fixture: %+v", snap.Invalid)
	}
}

// checkKeys compares snap.Keys with testdata/sensu1/redis_keys.txt.
func checkKeys(t *testing.T, snap *sensu1redis.Snapshot) {
	t.Helper()
	want := fixtureKeys(t)
	got := map[string]sensu1redis.Key{}
	for i, k := range snap.Keys {
		got[k.Key] = k
		if i > 0 && snap.Keys[i-1].Key >= k.Key {
			t.Errorf("Keys not sorted: %q before %q", snap.Keys[i-1].Key, k.Key)
		}
	}
	for name, w := range want {
		k, ok := got[name]
		switch {
		case !ok:
			t.Errorf("key %s missing from Keys", name)
		case k.Type != w.Type:
			t.Errorf("key %s: type %s, want %s", name, k.Type, w.Type)
		case w.TTL < 0 && k.TTL != -1:
			t.Errorf("key %s: TTL %s, want none (-1)", name, k.TTL)
		case w.TTL >= 0 && !approx(k.TTL, w.TTL):
			t.Errorf("key %s: TTL %s, want about %ds", name, k.TTL, w.TTL)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d keys, want the %d of redis_keys.txt", len(got), len(want))
	}
}

// checkGolden compares key, type, category and length of every key with
// testdata/fixture-keys.golden (go test -update rewrites it).
func checkGolden(t *testing.T, snap *sensu1redis.Snapshot) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# KEY\tTYPE\tCATEGORY\tLEN (populate_redis.sh NOW=1700000000)\n")
	for _, k := range snap.Keys {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\n", k.Key, k.Type, k.Category, k.Len)
	}
	path := filepath.Join("testdata", "fixture-keys.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("keys differ from %s (go test -update rewrites it):\n%s", path, diffLines(string(want), got))
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
