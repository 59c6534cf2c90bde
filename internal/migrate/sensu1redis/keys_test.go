package sensu1redis

import (
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want keyInfo
	}{
		{"clients", keyInfo{category: CategoryClientsSet}},
		{"client:web-01", keyInfo{category: CategoryClient, a: "web-01"}},
		{"client:web-01:signature", keyInfo{category: CategoryClientSignature, a: "web-01"}},
		{"client:signature", keyInfo{category: CategoryClient, a: "signature"}},
		{"client:web-01:other", keyInfo{category: CategoryUnknown}},
		{"client:", keyInfo{category: CategoryUnknown}},
		{"client::signature", keyInfo{category: CategoryUnknown}},
		{"events:web-01", keyInfo{category: CategoryEvents, a: "web-01"}},
		{"events:a:b", keyInfo{category: CategoryUnknown}},
		{"result:web-01", keyInfo{category: CategoryResultSet, a: "web-01"}},
		{"result:web-01:check-cpu", keyInfo{category: CategoryResult, a: "web-01", b: "check-cpu"}},
		{"result:web-01:", keyInfo{category: CategoryUnknown}},
		{"result:a:b:c", keyInfo{category: CategoryUnknown}},
		{"history:web-01:check-cpu", keyInfo{category: CategoryHistory, a: "web-01", b: "check-cpu"}},
		{"history:web-01:check-cpu:last_ok", keyInfo{category: CategoryHistoryLastOK, a: "web-01", b: "check-cpu"}},
		{"history:web-01:last_ok", keyInfo{category: CategoryHistory, a: "web-01", b: "last_ok"}},
		{"history:web-01:last_ok:last_ok", keyInfo{category: CategoryHistoryLastOK, a: "web-01", b: "last_ok"}},
		{"history:web-01:a:b", keyInfo{category: CategoryUnknown}},
		{"history:web-01", keyInfo{category: CategoryUnknown}},
		{"ttl", keyInfo{category: CategoryTTLSet}},
		{"aggregates", keyInfo{category: CategoryAggregatesSet}},
		{"aggregates:ntp", keyInfo{category: CategoryAggregate, a: "ntp"}},
		{"aggregates:team:a|b", keyInfo{category: CategoryAggregate, a: "team:a|b"}},
		{"aggregate:check-x:1699990000", keyInfo{category: CategoryLegacy}},
		{"aggregation:check-x:1699990000", keyInfo{category: CategoryLegacy}},
		{"silenced", keyInfo{category: CategorySilencedSet}},
		{"silence:*:check-disk", keyInfo{category: CategorySilence, a: "*:check-disk"}},
		{"silence:client:win-01:*", keyInfo{category: CategorySilence, a: "client:win-01:*"}},
		{"silence:roundrobin:web:*", keyInfo{category: CategorySilence, a: "roundrobin:web:*"}},
		{"stashes", keyInfo{category: CategoryStashesSet}},
		{"stash:silence/web-01/check-nginx", keyInfo{category: CategoryStash, a: "silence/web-01/check-nginx"}},
		{"stash:a:b/c", keyInfo{category: CategoryStash, a: "a:b/c"}},
		{"servers", keyInfo{category: CategoryServersSet}},
		{"server:8a41d2b0-6c2f-4d57-9a0f-3e2b1c9d7f10", keyInfo{category: CategoryServer, a: "8a41d2b0-6c2f-4d57-9a0f-3e2b1c9d7f10"}},
		{"task:client_monitor:server", keyInfo{category: CategoryTask, a: "client_monitor"}},
		{"task:client_monitor", keyInfo{category: CategoryUnknown}},
		{"lock:task:client_monitor", keyInfo{category: CategoryTaskLock, a: "client_monitor"}},
		{"lock:leader", keyInfo{category: CategoryLegacy}},
		{"leader", keyInfo{category: CategoryLegacy}},
		{"lock:other", keyInfo{category: CategoryUnknown}},
		{"tessen:install_id", keyInfo{category: CategoryTessen}},
		{"tessen", keyInfo{category: CategoryUnknown}},
		{"transport:0:list:keepalives", keyInfo{category: CategoryTransport, a: "keepalives"}},
		{"transport:12:list:roundrobin:snmp_pollers", keyInfo{category: CategoryTransport, a: "roundrobin:snmp_pollers"}},
		{"transport:x:list:results", keyInfo{category: CategoryUnknown}},
		{"transport:0:channel:linux", keyInfo{category: CategoryUnknown}},
		{"", keyInfo{category: CategoryUnknown}},
		{"sidekiq:queue:default", keyInfo{category: CategoryUnknown}},
	} {
		if got := parseKey(tc.key); got != tc.want {
			t.Errorf("parseKey(%q) = %+v, want %+v", tc.key, got, tc.want)
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want target
	}{
		{"", target{addr: "127.0.0.1:6379", host: "127.0.0.1"}},
		{"redis://10.0.0.5:6380/2", target{addr: "10.0.0.5:6380", host: "10.0.0.5", db: 2}},
		{"10.0.0.5:6380", target{addr: "10.0.0.5:6380", host: "10.0.0.5"}},
		{"redis://:s%40cret@redis.example.com", target{addr: "redis.example.com:6379", host: "redis.example.com", password: "s@cret"}},
		{"redis://sensu:pw@[::1]:7000/", target{addr: "[::1]:7000", host: "::1", user: "sensu", password: "pw"}},
		{"rediss://r.example.com:6390/15", target{addr: "r.example.com:6390", host: "r.example.com", db: 15, tls: true}},
		{"redis:///1", target{addr: "127.0.0.1:6379", host: "127.0.0.1", db: 1}},
	} {
		got, err := parseURL(tc.url)
		if err != nil || got != tc.want {
			t.Errorf("parseURL(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
	for _, bad := range []string{
		"http://h:1", "redis://h:0", "redis://h:99999", "redis://h:1/-1", "redis://h:1/a", "redis://h:1/1/2",
		"redis://:pw@h:1?db=2", "redis://h:1#x", "redis:h", "redis://:p%zzSecret@h",
	} {
		_, err := parseURL(bad)
		if err == nil {
			t.Errorf("parseURL(%q): no error", bad)
			continue
		}
		if strings.Contains(err.Error(), "Secret") || strings.Contains(err.Error(), "pw") {
			t.Errorf("parseURL(%q): %v shows the password", bad, err)
		}
	}
}
