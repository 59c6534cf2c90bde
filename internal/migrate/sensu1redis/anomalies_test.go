package sensu1redis_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
)

// TestReadAnomalies adds to the fixture what a long-lived or half-deleted
// installation can hold, and values no 1.x writes: none of it stops the
// read, each is reported.
func TestReadAnomalies(t *testing.T) {
	r := populated(t)
	for _, cmd := range [][]any{
		// members whose key is gone, of the kinds the fixture lacks
		{"SADD", "clients", "decom-03"},
		{"SADD", "result:web-01", "check-removed"},
		{"SADD", "aggregates", "gone"},
		// malformed values
		{"SET", "client:broken", "{not json"},
		{"SADD", "clients", "broken"},
		{"SET", "result:web-01:check-array", "[1,2]"},
		{"SET", "stash:empty", ""},
		{"SET", "silence:null:*", "null"},
		{"SET", "stash:trailing", `{"a":1} {"b":2}`},
		{"HSET", "events:web-01", "check-bad", `{"id":`},
		{"RPUSH", "history:web-01:check-cpu", "x"},
		{"SET", "history:db-01:check-mysql-replication:last_ok", "soon"},
		{"SET", "history:web-01:check-ntp:last_ok", "1699999900.25"},
		// a key of the wrong type for its name
		{"HSET", "silence:weird:*", "a", "b"},
		// keys of versions before 0.29
		{"SET", "leader", "8a41d2b0"},
		{"SET", "lock:leader", "16999999970000000"},
		{"SADD", "aggregates:check-old", "1699990000", "1699990060"},
		{"HSET", "aggregate:check-old:1699990000", "ok", "1", "total", "1"},
		// a stash silence outside the stashes set
		{"SET", "stash:silence/all/check-disk", `{"reason":"x"}`},
		// an event of a client that is not registered (DELETE /clients race)
		{"HSET", "events:ghost-01", "check-x", `{"id":"1","client":{"name":"ghost-01"},"check":{"name":"check-x","status":2}}`},
		// names with ':' where 1.x has none, and keys of other applications
		{"SET", "client:a:b", "{}"},
		{"SET", "result:a:b:c", "{}"},
		{"RPUSH", "history:a:b:c", "0"},
		{"SET", "sidekiq:queue", "x"},
		{"ZADD", "leaderboard", "1", "a", "2", "b"},
		{"XADD", "events-stream", "*", "f", "v"},
		// a silence id with several ':'
		{"SET", "silence:roundrobin:web:check-http", `{"id":"roundrobin:web:check-http","subscription":"roundrobin:web","check":"check-http"}`},
		{"SADD", "silenced", "silence:roundrobin:web:check-http"},
	} {
		r.Do(t, cmd...)
	}
	snap := read(t, sensu1redis.Options{URL: r.URL()})

	wantInvalid := []sensu1redis.InvalidValue{
		{Key: "client:broken", Error: "invalid JSON at byte 2: invalid character 'n' looking for beginning of object key string"},
		{Key: "events:web-01", Field: "check-bad", Error: "invalid JSON: truncated"},
		{Key: "history:db-01:check-mysql-replication:last_ok", Error: `"soon" is not an epoch time`},
		{Key: "history:web-01:check-cpu", Error: `entry 21 is "x", not a check status`},
		{Key: "result:web-01:check-array", Error: "a JSON array, expected a JSON object"},
		{Key: "silence:null:*", Error: "JSON null, expected a JSON object"},
		{Key: "silence:weird:*", Error: "a hash, expected a string for a silence key"},
		{Key: "stash:empty", Error: "empty value, expected a JSON object"},
		{Key: "stash:trailing", Error: "invalid JSON: data after the object at byte 7"},
	}
	if !reflect.DeepEqual(snap.Invalid, wantInvalid) {
		t.Errorf("Invalid:\n%+v\nwant\n%+v", snap.Invalid, wantInvalid)
	}

	wantDangling := []sensu1redis.Dangling{
		{Set: "aggregates", Member: "gone", MissingKey: "aggregates:gone"},
		{Set: "aggregates:ntp", Member: "decom-02:check-ntp", MissingKey: "result:decom-02:check-ntp"},
		{Set: "clients", Member: "decom-03", MissingKey: "client:decom-03"},
		{Set: "result:web-01", Member: "check-removed", MissingKey: "result:web-01:check-removed"},
		{Set: "servers", Member: "1b2c3d4e-0000-4000-8000-aaaaaaaaaaaa", MissingKey: "server:1b2c3d4e-0000-4000-8000-aaaaaaaaaaaa"},
		{Set: "silenced", Member: "silence:old-sub:*", MissingKey: "silence:old-sub:*"},
		{Set: "stashes", Member: "maintenance/expired", MissingKey: "stash:maintenance/expired"},
		{Set: "ttl", Member: "decom-02:check-foo", MissingKey: "result:decom-02:check-foo"},
	}
	if !reflect.DeepEqual(snap.Dangling, wantDangling) {
		t.Errorf("Dangling:\n%+v\nwant\n%+v", snap.Dangling, wantDangling)
	}

	keys := map[string]sensu1redis.Key{}
	for _, k := range snap.Keys {
		keys[k.Key] = k
	}
	for name, want := range map[string]struct {
		typ, category string
		len           int64
	}{
		"leader":                         {"string", "legacy", 8},
		"lock:leader":                    {"string", "legacy", 17},
		"aggregates:check-old":           {"set", "legacy", 2},
		"aggregate:check-old:1699990000": {"hash", "legacy", 2},
		"silence:weird:*":                {"hash", "silence", 1},
		"client:broken":                  {"string", "client", 9},
		"client:a:b":                     {"string", "unknown", 2},
		"result:a:b:c":                   {"string", "unknown", 2},
		"history:a:b:c":                  {"list", "unknown", 1},
		"sidekiq:queue":                  {"string", "unknown", 1},
		"leaderboard":                    {"zset", "unknown", 2},
		"events-stream":                  {"stream", "unknown", 1},
		"stash:silence/all/check-disk":   {"string", "stash", 14},
		"events:ghost-01":                {"hash", "events", 1},
	} {
		k := keys[name]
		if k.Type != want.typ || k.Category != want.category || k.Len != want.len {
			t.Errorf("key %s: %s %s len %d, want %s %s len %d", name, k.Type, k.Category, k.Len, want.typ, want.category, want.len)
		}
	}

	// The valid rest is read as usual.
	var clients []string
	for _, c := range snap.Clients {
		clients = append(clients, c.Name)
	}
	if want := []string{"db-01", "legacy-app-01", "switch-x", "web-01", "win-01"}; !slices.Equal(clients, want) {
		t.Errorf("clients %v, want %v", clients, want)
	}
	if len(snap.Results) != 18 {
		t.Errorf("%d results, want 18", len(snap.Results))
	}
	var events []string
	for _, e := range snap.Events {
		events = append(events, e.Client+"/"+e.Check)
	}
	if !slices.Contains(events, "ghost-01/check-x") || len(events) != 9 {
		t.Errorf("events %v: want the 8 of the fixture and ghost-01/check-x", events)
	}
	for _, res := range snap.Results {
		switch res.Client + "/" + res.Check {
		case "web-01/check-cpu":
			if len(res.History) != 21 {
				t.Errorf("web-01/check-cpu: history %v, want the 21 valid entries", res.History)
			}
		case "db-01/check-mysql-replication":
			if res.HasLastOK {
				t.Errorf("invalid last_ok read as %d", res.LastOK)
			}
		case "web-01/check-ntp":
			if res.LastOK != 1699999900 {
				t.Errorf("float last_ok read as %d", res.LastOK)
			}
		}
	}
	var silences []string
	for _, s := range snap.Silences {
		silences = append(silences, s.ID)
		if s.ID == "roundrobin:web:check-http" && !s.InSilencedSet {
			t.Errorf("silence %s not InSilencedSet", s.ID)
		}
	}
	if want := []string{"*:check-disk", "client:win-01:*", "linux:check-ntp", "roundrobin:web:check-http"}; !slices.Equal(silences, want) {
		t.Errorf("silences %v, want %v", silences, want)
	}
	for _, s := range snap.Stashes {
		if s.Path == "silence/all/check-disk" && (!s.Legacy || s.InStashesSet) {
			t.Errorf("stash %s: legacy %v, in set %v", s.Path, s.Legacy, s.InStashesSet)
		}
	}
	for _, a := range snap.Aggregates {
		if a.Name == "check-old" {
			t.Errorf("the pre-0.24 aggregates:check-old is read as an aggregate: %+v", a)
		}
	}
}
