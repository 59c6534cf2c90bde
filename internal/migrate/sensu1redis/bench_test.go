package sensu1redis_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

const (
	benchClients         = 10_000
	benchChecksPerClient = 10 // 100,000 results
)

// loadSynthetic writes a 1.9-shaped keyspace: clients, each with checks
// results (result, history, last_ok), one stored event, and the index sets.
func loadSynthetic(tb testing.TB, r *testutil.Redis, clients, checks int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cl := r.Client(tb, 0)
	const now = 1700000000
	history := make([]any, 21)
	for i := range history {
		history[i] = "0"
	}
	pipe := cl.Pipeline()
	flush := func() {
		if _, err := pipe.Exec(ctx); err != nil {
			tb.Fatalf("load: %v", err)
		}
	}
	for c := range clients {
		name := fmt.Sprintf("host-%05d", c)
		client := fmt.Sprintf(`{"name":%q,"address":"10.%d.%d.%d","subscriptions":["linux","webserver","client:%s"],"environment":"production","keepalive":{"thresholds":{"warning":60,"critical":120}},"version":"1.9.0","timestamp":%d}`,
			name, c>>16&255, c>>8&255, c&255, name, now-8)
		pipe.Set(ctx, "client:"+name, client, 0)
		pipe.Set(ctx, "client:"+name+":signature", "", 0)
		pipe.SAdd(ctx, "clients", name)
		for k := range checks {
			check := fmt.Sprintf("check-%02d", k)
			result := fmt.Sprintf(`{"command":"check-disk-usage.rb -w :::disk.warning|80::: -c :::disk.critical|90:::","subscribers":["linux"],"interval":60,"handlers":["default","mailer"],"name":%q,"issued":%d,"executed":%d,"duration":0.204,"output":"CheckDisk OK: All disk usage under 80%% and inode usage under 100%%\n","status":0,"type":"standard"}`,
				check, now-20, now-20)
			pipe.Set(ctx, "result:"+name+":"+check, result, 0)
			pipe.SAdd(ctx, "result:"+name, check)
			pipe.RPush(ctx, "history:"+name+":"+check, history...)
			pipe.Set(ctx, "history:"+name+":"+check+":last_ok", now-20, 0)
			if k == 0 {
				event := fmt.Sprintf(`{"id":"7c2b5b1e-1f0a-4c1d-9a53-0d2f8e6b4a11","client":%s,"check":%s,"occurrences":4,"occurrences_watermark":4,"last_ok":%d,"action":"create","timestamp":%d,"last_state_change":%d,"silenced":false,"silenced_by":[]}`,
					client, strings.TrimSuffix(result, "}")+`,"history":["0","0","1"],"total_state_change":0}`, now-260, now-20, now-200)
				pipe.HSet(ctx, "events:"+name, check, event)
			}
		}
		if pipe.Len() > 10_000 {
			flush()
		}
	}
	flush()
}

func benchRedis(b *testing.B) *testutil.Redis {
	b.Helper()
	r := testutil.StartRedis(b)
	start := time.Now()
	loadSynthetic(b, r, benchClients, benchChecksPerClient)
	b.Logf("loaded %d clients, %d results in %s", benchClients, benchClients*benchChecksPerClient, time.Since(start).Round(time.Millisecond))
	return r
}

// BenchmarkRead reads 10,000 clients and 100,000 results (340,000 keys).
func BenchmarkRead(b *testing.B) {
	r := benchRedis(b)
	ctx := context.Background()
	b.ReportAllocs()
	var keys int
	for b.Loop() {
		snap, err := sensu1redis.Read(ctx, sensu1redis.Options{URL: r.URL()})
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Results) != benchClients*benchChecksPerClient || len(snap.Clients) != benchClients {
			b.Fatalf("read %d clients, %d results", len(snap.Clients), len(snap.Results))
		}
		keys = len(snap.Keys)
	}
	b.ReportMetric(float64(keys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")

	// The heap a Snapshot keeps (outside the timing).
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	snap, err := sensu1redis.Read(ctx, sensu1redis.Options{URL: r.URL()})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-snapshot")
	runtime.KeepAlive(snap)
}

// BenchmarkReadRaw is the baseline: SCAN and GET of the same keyspace.
func BenchmarkReadRaw(b *testing.B) {
	r := benchRedis(b)
	ctx := context.Background()
	b.ReportAllocs()
	var keys int
	for b.Loop() {
		n, bytes, err := sensu1redis.ReadRaw(ctx, sensu1redis.Options{URL: r.URL()})
		if err != nil {
			b.Fatal(err)
		}
		keys = n
		b.SetBytes(bytes)
	}
	b.ReportMetric(float64(keys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}
