package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1config"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

// End-to-end tests of `sensuctl migrate sensu1`: populate_redis.sh in a real
// redis-server and testdata/sensu1/config/07-synthetic-server, migrated into
// real sensu-backend processes, read back with `sensuctl dump`.

// migFixtureNow is the NOW given to populate_redis.sh (as in
// testdata/sensu1/redis_keys.txt): the data's timestamps count from it.
const migFixtureNow = 1700000000

var migFixture = filepath.Join("..", "testdata", "sensu1", "config", "07-synthetic-server")

// migConfigArgs are the flags that read fixture 07: the server's config.json
// and conf.d, and the three clients' directories.
func migConfigArgs() []string {
	args := []string{
		"--config-file", filepath.Join(migFixture, "server", "config.json"),
		"--config-dir", filepath.Join(migFixture, "server", "conf.d"),
	}
	for _, c := range []string{"db-01", "web-01", "win-01"} {
		args = append(args, "--client-config-dir", filepath.Join(migFixture, "clients", c, "conf.d"))
	}
	return args
}

// migSummary is the -o json summary of migrate (that of restore, plus the
// dry run's entries).
type migSummary struct {
	resSummary
	Entries []struct {
		Type    string `json:"type"`
		Key     string `json:"key"`
		Outcome string `json:"outcome"`
	} `json:"entries"`
}

// migReport is the --report file.
type migReport struct {
	Items []struct {
		Kind      string   `json:"kind"`
		Source    string   `json:"source"`
		Outcome   string   `json:"outcome"`
		Resources []string `json:"resources"`
		Notes     []string `json:"notes"`
		Keys      []string `json:"keys"`
		Content   any      `json:"content"`
	} `json:"items"`
	Summary []struct {
		Kind string `json:"kind"`
	} `json:"summary"`
}

// migrate runs `sensuctl migrate sensu1 ARGS... -o json` and reads the summary.
func migrate(t *testing.T, b *resBackend, args ...string) (int, migSummary, string) {
	t.Helper()
	code, out, stderr := b.ctl(t, append(append([]string{"migrate", "sensu1"}, args...), "-o", "json")...)
	var sum migSummary
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("migrate %v -o json printed no summary: %v\n%s\n%s", args, err, out, stderr)
		}
	}
	return code, sum, stderr
}

// dumpDoc is one resource of a -o json dump.
type dumpDoc struct {
	Type     string `json:"type"`
	Metadata struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec map[string]any `json:"spec"`
}

func dumpJSON(t *testing.T, b *resBackend, args ...string) []byte {
	t.Helper()
	code, out, stderr := b.ctl(t, append(append([]string{"dump"}, args...), "-o", "json")...)
	if code != 0 {
		t.Fatalf("dump %v: exit %d\n%s", args, code, stderr)
	}
	return []byte(out)
}

func dumpDocs(t *testing.T, b *resBackend) map[string]dumpDoc {
	t.Helper()
	var docs []dumpDoc
	if err := json.Unmarshal(dumpJSON(t, b, "all", "--all-namespaces"), &docs); err != nil {
		t.Fatal(err)
	}
	byName := map[string]dumpDoc{}
	for _, d := range docs {
		name := d.Metadata.Name
		if d.Type == "Event" {
			entity, _ := d.Spec["entity"].(map[string]any)
			check, _ := d.Spec["check"].(map[string]any)
			name = path(entity, "metadata", "name") + "/" + path(check, "metadata", "name")
		}
		byName[d.Type+" "+name] = d
	}
	return byName
}

// path reads a string at a path of nested JSON objects.
func path(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		o, _ := v.(map[string]any)
		v = o[k]
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func namesOf(docs map[string]dumpDoc, kind string) []string {
	var names []string
	for k := range docs {
		if name, ok := strings.CutPrefix(k, kind+" "); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// fixtureRedisKeys reads testdata/sensu1/redis_keys.txt: key → TTL.
func fixtureRedisKeys(t *testing.T) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "sensu1", "redis_keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		keys[fields[0]], _ = strconv.Atoi(fields[2])
	}
	return keys
}

// The generated 1.x state in db 1, for the interrupted migration: big
// enough that writing it takes a while (about 0.3 s on an idle machine).
const genClients, genChecks = 1500, 6

func TestMigrateSensu1(t *testing.T) {
	started := time.Now()
	bins := testutil.BuildBinaries(t)
	bs := startResourceBackends(t, bins, "migrated", "from-dir", "killed", "clean")
	mig, fromDir, killed, clean := bs[0], bs[1], bs[2], bs[3]
	redis := testutil.StartRedis(t)
	redis.AddReadOnlyUser(t, "reader", "reader-secret")
	generateSensu1(t, redis, 1, genClients, genChecks)
	populated := time.Now()
	testutil.PopulateSensu1(t, redis, migFixtureNow)
	reader := redis.UserURL("reader", "reader-secret", 0)
	t.Logf("setup took %s", time.Since(started).Round(time.Millisecond))

	// Every migration below reads as this user.
	t.Run("the read-only user cannot write", func(t *testing.T) {
		if out := runRedisCLI(t, redis, "--user", "reader", "--pass", "reader-secret", "SET", "probe", "1"); !strings.Contains(out, "NOPERM") {
			t.Fatalf("the reader user could run SET: %q", out)
		}
	})

	t.Run("an invalid config file writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		good := `{"checks": {"ok": {"command": "true", "interval": 60, "subscribers": ["linux"]}}}`
		bad := "{\n  \"checks\": {\n    \"broken\": {\"command\": \"true\",}\n  }\n}\n"
		if err := os.WriteFile(filepath.Join(dir, "a-good.json"), []byte(good), 0o600); err != nil {
			t.Fatal(err)
		}
		badFile := filepath.Join(dir, "b-bad.json")
		if err := os.WriteFile(badFile, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		before := sensuKVs(t, mig.cli)
		code, out, stderr := mig.ctl(t, "migrate", "sensu1", "--config-dir", dir, "--redis-url", reader)
		if code != 1 {
			t.Errorf("exit %d, want 1\n%s%s", code, out, stderr)
		}
		line3 := strings.Split(bad, "\n")[2]
		where := fmt.Sprintf("%s:3:%d", badFile, strings.Index(line3, ",}")+2) // the brace after the stray comma
		if !strings.Contains(stderr, where) {
			t.Errorf("the error should name %s: %q", where, stderr)
		}
		if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
			t.Errorf("the error is %d lines, want one: %q", n+1, stderr)
		}
		if diff := diffKVs(before, sensuKVs(t, mig.cli)); len(diff) > 0 {
			t.Errorf("a failed migration wrote:\n  %s", strings.Join(diff, "\n  "))
		}
	})

	t.Run("Redis errors write nothing", func(t *testing.T) {
		unused := fmt.Sprintf("127.0.0.1:%d", testutil.FreePorts(t, 1)[0])
		// Exit codes as 'sensuctl help exit-codes' lists them: 4 for
		// authentication, 1 for the rest.
		cases := []struct {
			name, url, addr string
			code            int
			want            []string
			secret          string
		}{
			{"unreachable", "redis://" + unused + "/0", unused, 1, []string{"connection refused"}, ""},
			{"wrong password", redis.UserURL("reader", "not-the-password", 0), redis.Addr(), 4, []string{"authentication failed"}, "not-the-password"},
			{"wrong user", redis.UserURL("nobody", "reader-secret", 0), redis.Addr(), 4, []string{"authentication failed"}, "reader-secret"},
			{"wrong db", redis.UserURL("reader", "reader-secret", 16), redis.Addr(), 1, []string{"db 16 does not exist"}, "reader-secret"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := sensuKVs(t, mig.cli)
				code, out, stderr := mig.ctl(t, append([]string{"migrate", "sensu1", "--redis-url", tc.url}, migConfigArgs()...)...)
				if code != tc.code {
					t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out, stderr)
				}
				if !strings.Contains(stderr, "redis "+tc.addr+":") {
					t.Errorf("the error should name redis %s: %q", tc.addr, stderr)
				}
				for _, w := range tc.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("the error should say %q: %q", w, stderr)
					}
				}
				if tc.secret != "" && strings.Contains(stderr+out, tc.secret) {
					t.Errorf("the output shows the password: %q", stderr)
				}
				if diff := diffKVs(before, sensuKVs(t, mig.cli)); len(diff) > 0 {
					t.Errorf("a failed migration wrote:\n  %s", strings.Join(diff, "\n  "))
				}
			})
		}
	})

	wantCounts := map[string]int{"CheckConfig": 12, "Entity": 5, "Event": 18, "EventFilter": 5, "Handler": 9, "HookConfig": 1, "Mutator": 1, "Silenced": 3}
	args := append([]string{"--redis-url", reader}, migConfigArgs()...)

	t.Run("dry run writes nothing and prints the plan", func(t *testing.T) {
		before := sensuKVs(t, mig.cli)
		code, out, stderr := mig.ctl(t, append([]string{"migrate", "sensu1", "--dry-run"}, args...)...)
		if code != 0 {
			t.Fatalf("dry run: exit %d\n%s", code, stderr)
		}
		for _, w := range []string{"Plan (dry run, nothing written)", "/sensu.io/checks/default/check-disk", "/sensu.io/events/default/web-01/check-cert-expiry",
			"/sensu.io/silenced/default/entity:win-01:*", "Sources", "Dry run: nothing was written"} {
			if !strings.Contains(out, w) {
				t.Errorf("the dry run's output lacks %q:\n%s", w, out)
			}
		}
		code, sum, stderr := migrate(t, mig, append([]string{"--dry-run"}, args...)...)
		if code != 0 || !sum.DryRun {
			t.Fatalf("dry run -o json: exit %d %+v\n%s", code, sum, stderr)
		}
		total := 1
		for kind, n := range wantCounts {
			total += n
			if c := sum.of(kind); c.Created != n || c.Updated+c.Unchanged+c.Skipped+c.Failed != 0 {
				t.Errorf("%s: %+v, want %d to create", kind, c, n)
			}
		}
		if c := sum.of("Namespace"); c.Unchanged != 1 {
			t.Errorf("namespace default exists: %+v", c)
		}
		if len(sum.Entries) != total {
			t.Errorf("the plan lists %d entries, want %d", len(sum.Entries), total)
		}
		for _, e := range sum.Entries {
			if e.Key == "" || (e.Outcome != "created" && e.Outcome != "unchanged") {
				t.Errorf("plan entry %+v", e)
			}
		}
		if diff := diffKVs(before, sensuKVs(t, mig.cli)); len(diff) > 0 {
			t.Errorf("a dry run wrote:\n  %s", strings.Join(diff, "\n  "))
		}
	})

	report := filepath.Join(t.TempDir(), "report.json")
	if !t.Run("migrate", func(t *testing.T) {
		code, sum, stderr := migrate(t, mig, append([]string{"--report", report}, args...)...)
		if code != 0 {
			t.Fatalf("migrate: exit %d\n%s", code, stderr)
		}
		for kind, n := range wantCounts {
			if c := sum.of(kind); c.Created != n || c.Failed != 0 {
				t.Errorf("%s: %+v, want %d created", kind, c, n)
			}
		}
		if len(sum.Failures) != 0 {
			t.Errorf("failures: %q", sum.Failures)
		}
	}) {
		t.FailNow()
	}

	docs := dumpDocs(t, mig)
	t.Run("dump", func(t *testing.T) {
		keys := fixtureRedisKeys(t)
		var clients, results []string
		for k := range keys {
			if name, ok := strings.CutPrefix(k, "client:"); ok && !strings.HasSuffix(name, ":signature") {
				clients = append(clients, name)
			}
			if rest, ok := strings.CutPrefix(k, "result:"); ok && strings.Contains(rest, ":") {
				results = append(results, strings.Replace(rest, ":", "/", 1))
			}
		}
		slices.Sort(clients)
		slices.Sort(results)

		if got := namesOf(docs, "Entity"); !reflect.DeepEqual(got, clients) {
			t.Errorf("entities %q, want every client %q", got, clients)
		}
		if got := namesOf(docs, "Event"); !reflect.DeepEqual(got, results) {
			t.Errorf("events %q, want one per result %q", got, results)
		}
		// The status is the latest result's (the newer of result and stored
		// event; populate_redis.sh never stores an event newer than the result).
		rc := redis.Client(t, 0)
		ctx := testutil.Ctx(t, 30*time.Second)
		for _, r := range results {
			client, check, _ := strings.Cut(r, "/")
			raw, err := rc.Get(ctx, "result:"+client+":"+check).Result()
			if err != nil {
				t.Fatal(err)
			}
			var result struct {
				Status   int   `json:"status"`
				Executed int64 `json:"executed"`
			}
			if err := json.Unmarshal([]byte(raw), &result); err != nil {
				t.Fatal(err)
			}
			spec := docs["Event "+r].Spec
			if got := path(spec, "check", "status"); got != strconv.Itoa(result.Status) {
				t.Errorf("event %s: status %s, want %d", r, got, result.Status)
			}
			if got := path(spec, "check", "executed"); got != strconv.FormatInt(result.Executed, 10) {
				t.Errorf("event %s: executed %s, want %d", r, got, result.Executed)
			}
			state := map[bool]string{true: "passing", false: "failing"}[result.Status == 0]
			if r == "web-01/check-nginx" {
				state = "flapping"
			}
			if got := path(spec, "check", "state"); got != state {
				t.Errorf("event %s: state %s, want %s", r, got, state)
			}
		}
		for _, r := range []string{"web-01/check-disk", "win-01/check-windows-disk"} {
			if path(docs["Event "+r].Spec, "check", "is_silenced") != "true" {
				t.Errorf("event %s is not silenced", r)
			}
		}
		if got := path(docs["Entity switch-x"].Spec, "entity_class"); got != "proxy" {
			t.Errorf("switch-x: entity_class %s", got)
		}

		if got, want := namesOf(docs, "Silenced"), []string{"*:check-disk", "entity:win-01:*", "linux:check-ntp"}; !reflect.DeepEqual(got, want) {
			t.Errorf("silences %q, want %q", got, want)
		}
		for name, ttl := range map[string]int64{"*:check-disk": 82800, "linux:check-ntp": 10800} {
			at, _ := strconv.ParseInt(path(docs["Silenced "+name].Spec, "expire_at"), 10, 64)
			if from, to := populated.Add(-time.Minute).Unix()+ttl, time.Now().Unix()+ttl+11; at < from || at > to {
				t.Errorf("silence %s: expire_at %d, want the Redis expiry, between %d and %d", name, at, from, to)
			}
		}
		if s := docs["Silenced entity:win-01:*"].Spec; path(s, "expire") != "-1" || path(s, "subscription") != "entity:win-01" {
			t.Errorf("entity:win-01:*: %v", s)
		}

		want := map[string][]string{
			"CheckConfig": {"check-cert-expiry", "check-cpu", "check-disk", "check-http-frontend", "check-mysql-replication", "check-nginx",
				"check-ntp", "check-ping-proxies", "check-snmp-if", "check-windows-disk", "check-windows-service", "metrics-cpu"},
			"Handler":     {"default", "deregister_client", "graphite", "keepalive", "logstash", "mailer", "pagerduty", "registration", "slack"},
			"EventFilter": {"mailer-severities", "not_staging", "pagerduty-severities", "production", "sensu1-not-flapping"},
			"Mutator":     {"pd_context"},
			"HookConfig":  {"check-nginx-non-zero"},
		}
		for kind, names := range want {
			if got := namesOf(docs, kind); !reflect.DeepEqual(got, names) {
				t.Errorf("%s: %q, want %q", kind, got, names)
			}
		}
		if s := docs["CheckConfig check-http-frontend"].Spec; path(s, "round_robin") != "true" || fmt.Sprint(s["subscriptions"]) != "[webserver]" {
			t.Errorf("check-http-frontend: %v", s)
		}
		if s := docs["CheckConfig check-windows-disk"].Spec; fmt.Sprint(s["subscriptions"]) != "[entity:win-01]" {
			t.Errorf("check-windows-disk: %v", s)
		}
		if s := docs["CheckConfig check-disk"].Spec; !strings.Contains(path(s, "command"), `{{ index .labels "disk.warning" | default "80" }}`) {
			t.Errorf("check-disk: %v", s)
		}
		if s := docs["CheckConfig check-nginx"].Spec; !strings.Contains(fmt.Sprint(s["check_hooks"]), "check-nginx-non-zero") {
			t.Errorf("check-nginx: %v", s)
		}
		if s := docs["EventFilter not_staging"].Spec; path(s, "action") != "deny" {
			t.Errorf("not_staging: %v", s)
		}
		if s := docs["Handler pagerduty"].Spec; fmt.Sprint(s["filters"]) != "[is_incident recurrences pagerduty-severities not_silenced sensu1-not-flapping]" || path(s, "mutator") != "pd_context" {
			t.Errorf("pagerduty: %v", s)
		}
	})

	t.Run("the report lists every source object", func(t *testing.T) {
		data, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var r migReport
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("--report is not the report's JSON: %v", err)
		}
		outcomes := []string{"translated", "translated with changes", "no equivalent", "invalid"}
		sources := map[string]bool{}
		keys := map[string]bool{}
		for _, it := range r.Items {
			if !slices.Contains(outcomes, it.Outcome) || it.Kind == "" || it.Source == "" {
				t.Errorf("item %+v", it)
			}
			if it.Outcome == "invalid" {
				t.Errorf("%s %s is invalid: %q", it.Kind, it.Source, it.Notes)
			}
			sources[it.Kind+" "+it.Source] = true
			for _, k := range it.Keys {
				keys[k] = true
			}
		}
		late := time.Since(populated) > 25*time.Second // server:<id> expires 30 s after populating
		for k, ttl := range fixtureRedisKeys(t) {
			if !keys[k] && !(late && ttl > 0 && ttl <= 30) {
				t.Errorf("Redis key %s is in no report item", k)
			}
		}
		server, _, err := sensu1config.Load(sensu1config.Options{
			ConfigFile: filepath.Join(migFixture, "server", "config.json"),
			ConfigDirs: []string{filepath.Join(migFixture, "server", "conf.d")},
		})
		if err != nil {
			t.Fatal(err)
		}
		for scope := range server.Data {
			kind, isCategory := map[string]string{"checks": "check", "handlers": "handler", "filters": "filter", "mutators": "mutator", "extensions": "extension"}[scope]
			if !isCategory {
				if !sources["scope "+scope] {
					t.Errorf("scope %s is in no report item", scope)
				}
				continue
			}
			for _, d := range server.Definitions(scope) {
				if !sources[kind+" "+scope+"."+d.Name] {
					t.Errorf("%s %s is in no report item", kind, d.Name)
				}
			}
		}
		for _, s := range []string{"hook checks.check-nginx.hooks.non-zero", "check client win-01 checks.check-windows-disk",
			"check client win-01 checks.check-windows-service", "stash stash:deploy/web-01", "aggregate aggregates:ntp", "dangling silenced silence:old-sub:*"} {
			if !sources[s] {
				t.Errorf("no report item %s", s)
			}
		}
		if len(r.Summary) == 0 {
			t.Errorf("the report has no summary")
		}
	})

	t.Run("rerun changes nothing", func(t *testing.T) {
		before := sensuKVs(t, mig.cli)
		code, sum, stderr := migrate(t, mig, args...)
		if code != 0 {
			t.Fatalf("rerun: exit %d\n%s", code, stderr)
		}
		if tot := sum.total(); tot.Created+tot.Updated+tot.Failed != 0 {
			t.Errorf("a rerun wrote: %+v", sum.Types)
		}
		if diff := diffKVs(before, sensuKVs(t, mig.cli)); len(diff) > 0 {
			t.Errorf("a rerun wrote:\n  %s", strings.Join(diff, "\n  "))
		}
	})

	t.Run("output dir for sensuctl create", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sensu-go")
		before := sensuKVs(t, mig.cli)
		code, out, stderr := mig.ctl(t, append([]string{"migrate", "sensu1", "--output-dir", dir}, args...)...)
		if code != 0 {
			t.Fatalf("--output-dir: exit %d\n%s%s", code, out, stderr)
		}
		if diff := diffKVs(before, sensuKVs(t, mig.cli)); len(diff) > 0 {
			t.Errorf("--output-dir wrote to etcd:\n  %s", strings.Join(diff, "\n  "))
		}
		var files []string
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 + 12 + 5 + 18 + 5 + 9 + 1 + 1 + 3; len(files) != want {
			t.Errorf("%d files, want one per resource, %d", len(files), want)
		}
		for _, f := range files {
			var doc dumpDoc
			b, err := os.ReadFile(f)
			if err != nil || json.Unmarshal(b, &doc) != nil || doc.Type == "" || doc.Spec == nil {
				t.Errorf("%s is not a wrapped resource: %v %.200s", f, err, b)
			}
		}
		if code, _, stderr := mig.ctl(t, append([]string{"migrate", "sensu1", "--output-dir", dir}, args...)...); code == 0 || !strings.Contains(stderr, dir) {
			t.Errorf("a second run into the same --output-dir: exit %d %q, want an error naming it", code, stderr)
		}

		code, out, stderr = fromDir.ctl(t, "create", "-r", "-f", dir, "-o", "json")
		if code != 0 {
			t.Fatalf("create -r -f %s: exit %d\n%s%s", dir, code, out, stderr)
		}
		want, got := normalizedDump(t, mig), normalizedDump(t, fromDir)
		if want != got {
			t.Errorf("the backend created from --output-dir differs from the migrated one: %s", firstDiff(want, got))
		}
	})

	t.Run("killed and rerun ends like a clean run", func(t *testing.T) {
		big := []string{"migrate", "sensu1", "--redis-url", redis.UserURL("reader", "reader-secret", 1)}
		total := genClients * (1 + genChecks) // entities and events

		// The clean run, timed from its first write to its exit.
		cleanStart := time.Now()
		cmd := startCtl(t, clean, big...)
		firstWrite := waitFirstWrite(t, clean.cli, cmd, 0)
		if err := cmd.wait(); err != nil {
			t.Fatalf("clean run: %v\n%s", err, cmd.stderr.String())
		}
		whole, writing := time.Since(cleanStart), time.Since(firstWrite)
		t.Logf("clean run: %s, writing %s", whole.Round(time.Millisecond), writing.Round(time.Millisecond))
		if n := countMigrated(t, clean.cli); n != total {
			t.Fatalf("the clean run wrote %d entities and events, want %d", n, total)
		}

		// The first kill lands anywhere in the run (reading Redis included),
		// the second while the resources are being written.
		interrupted := false
		for attempt := range 2 {
			before := countMigrated(t, killed.cli)
			cmd := startCtl(t, killed, big...)
			var delay time.Duration
			if attempt == 0 {
				delay = rand.N(whole - writing/2)
				time.Sleep(delay)
			} else {
				// Within the first half of what is left to write.
				waitFirstWrite(t, killed.cli, cmd, before)
				delay = rand.N(writing*time.Duration(total-before)/time.Duration(2*total) + time.Millisecond)
				time.Sleep(delay)
			}
			exited := cmd.kill()
			n := countMigrated(t, killed.cli)
			t.Logf("kill %d after %s: exited before the kill %v, %d of %d entities and events written (%d before)",
				attempt+1, delay.Round(time.Millisecond), exited, n, total, before)
			if !exited && n > before && n < total {
				interrupted = true
			}
		}
		if !interrupted {
			t.Errorf("no kill interrupted the writes: the data set is too small for this machine")
		}

		code, sum, stderr := migrate(t, killed, big[2:]...)
		if code != 0 || sum.total().Failed != 0 {
			t.Fatalf("rerun after the kills: exit %d %+v\n%s", code, sum.Types, stderr)
		}
		want, got := yamlDump(t, clean), yamlDump(t, killed)
		if want != got {
			t.Errorf("killed and rerun differs from a clean run: %s", firstDiff(want, got))
		}
		code, sum, stderr = migrate(t, killed, big[2:]...)
		if tot := sum.total(); code != 0 || tot.Created+tot.Updated+tot.Failed != 0 {
			t.Errorf("another rerun: exit %d %+v\n%s", code, sum.Types, stderr)
		}
	})
}

// normalizedDump is a -o json dump of every namespace without the label
// `sensuctl create` adds (sensu.io/managed_by), as Sensu Go's does.
func normalizedDump(t *testing.T, b *resBackend) string {
	t.Helper()
	var docs []map[string]any
	if err := json.Unmarshal(dumpJSON(t, b, "all", "--all-namespaces"), &docs); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if md, ok := d["metadata"].(map[string]any); ok {
			// What create stamps on every resource, as Sensu Go's does.
			delete(md, "created_by")
			if labels, ok := md["labels"].(map[string]any); ok {
				delete(labels, "sensu.io/managed_by")
				if len(labels) == 0 {
					delete(md, "labels")
				}
			}
		}
	}
	out, err := json.MarshalIndent(docs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// yamlDump is the YAML dump of every namespace without its leading
// comment lines (revision, cluster, time).
func yamlDump(t *testing.T, b *resBackend) string {
	t.Helper()
	code, out, stderr := b.ctl(t, "dump", "all", "--all-namespaces")
	if code != 0 {
		t.Fatalf("dump: exit %d\n%s", code, stderr)
	}
	return stripLeadingComments(out)
}

// countMigrated counts the entities and events in namespace default.
func countMigrated(t *testing.T, cli *clientv3.Client) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	for _, prefix := range []string{"/sensu.io/entities/default/", "/sensu.io/events/default/"} {
		resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		n += int(resp.Count)
	}
	return n
}

// ctlProcess is a sensuctl started in the background.
type ctlProcess struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// startCtl starts sensuctl against b; t.Cleanup kills it if it still runs.
func startCtl(t *testing.T, b *resBackend, args ...string) *ctlProcess {
	t.Helper()
	p := &ctlProcess{done: make(chan struct{})}
	p.cmd = exec.Command(b.bins.Sensuctl, append([]string{"--endpoints", b.proc.ClientURL}, args...)...)
	p.cmd.Env = isolatedEnv(t)
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	return p
}

// kill sends SIGKILL and waits; it reports whether the process had
// already exited.
func (p *ctlProcess) kill() bool {
	select {
	case <-p.done:
		return true
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return false
}

func (p *ctlProcess) wait() error {
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		p.kill()
		return fmt.Errorf("sensuctl still running after 60 s")
	}
	return p.err
}

// waitFirstWrite polls until p has written an entity or event (there are
// more than before it started), or has exited, and returns when.
func waitFirstWrite(t *testing.T, cli *clientv3.Client, p *ctlProcess, before int) time.Time {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return time.Now()
		default:
		}
		if countMigrated(t, cli) > before {
			return time.Now()
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("nothing written after 30 s\n%s", p.stderr.String())
	return time.Time{}
}

// runRedisCLI runs redis-cli against r and returns what it printed (error
// replies included: redis-cli prints them on stdout and exits 0).
func runRedisCLI(t *testing.T, r *testutil.Redis, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(r.Port()), "--no-auth-warning"}, args...)...).CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatalf("redis-cli: %v", err)
	}
	return string(out)
}

// generateSensu1 writes a Sensu 1.x state of clients × checks results into
// db, as 1.9 would: the registry, every result with its history, and a
// stored event for each failing result.
func generateSensu1(t *testing.T, r *testutil.Redis, db, clients, checks int) {
	t.Helper()
	ctx := testutil.Ctx(t, time.Minute)
	c := r.Client(t, db)
	const now = migFixtureNow
	pipe := c.Pipeline()
	for i := range clients {
		name := fmt.Sprintf("gen-%05d", i)
		client := fmt.Sprintf(`{"name":%q,"address":"10.%d.%d.%d","subscriptions":["linux","rack-%d","client:%s"],"environment":"production","version":"1.9.0","timestamp":%d}`,
			name, i/65536, i/256%256, i%256, i%20, name, now-int64(i%30))
		pipe.Set(ctx, "client:"+name, client, 0)
		pipe.Set(ctx, "client:"+name+":signature", "", 0)
		pipe.SAdd(ctx, "clients", name)
		for k := range checks {
			check := fmt.Sprintf("check-%d", k)
			status := 0
			if (i+k)%7 == 0 {
				status = 1 + (i+k)%3
			}
			executed := now - int64(10+i%50+k)
			history := make([]any, 21)
			hist := make([]string, 21) // a stored event's check.history holds strings
			for h := range history {
				s := 0
				if h >= 18 {
					s = status
				}
				history[h], hist[h] = strconv.Itoa(s), strconv.Itoa(s)
			}
			result := fmt.Sprintf(`{"command":"check-%d.rb -w 80 -c 90","subscribers":["linux"],"interval":60,"handlers":["default"],"name":%q,"issued":%d,"executed":%d,"duration":0.25,"output":"CHECK %d: generated output line for %s with some text to make it a realistic size\n","status":%d,"type":"standard"}`,
				k, check, executed, executed, status, name, status)
			pipe.SAdd(ctx, "result:"+name, check)
			pipe.Set(ctx, "result:"+name+":"+check, result, 0)
			pipe.RPush(ctx, "history:"+name+":"+check, history...)
			pipe.Set(ctx, "history:"+name+":"+check+":last_ok", strconv.FormatInt(executed-180, 10), 0)
			if status != 0 {
				var checkData map[string]any
				if err := json.Unmarshal([]byte(result), &checkData); err != nil {
					t.Fatal(err)
				}
				checkData["history"], checkData["total_state_change"] = hist, 5
				var cl map[string]any
				if err := json.Unmarshal([]byte(client), &cl); err != nil {
					t.Fatal(err)
				}
				event, err := json.Marshal(map[string]any{
					"id": fmt.Sprintf("%08x-0000-4000-8000-%012x", i, k), "client": cl, "check": checkData,
					"occurrences": 3, "occurrences_watermark": 3, "last_ok": executed - 180, "action": "create",
					"timestamp": executed, "last_state_change": executed - 120, "silenced": false, "silenced_by": []string{},
				})
				if err != nil {
					t.Fatal(err)
				}
				pipe.HSet(ctx, "events:"+name, check, event)
			}
		}
		if pipe.Len() > 5000 {
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatalf("generate the 1.x state: %v", err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("generate the 1.x state: %v", err)
	}
}
