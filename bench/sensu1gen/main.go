// Command sensu1gen writes a realistic Sensu 1.x (1.9) Redis keyspace for the
// migration benchmark (bench/migrate.sh): what a 1.x server and API leave in
// Redis for a fleet of clients, with the keys and value formats of 1.9's
// lib/sensu/server/process.rb and api/routes (as in the fixture
// testdata/sensu1/redis_dump.json): compact JSON with the keys in 1.x's
// order, history entries and timestamps as decimal strings.
//
//	go run ./bench/sensu1gen -url redis://127.0.0.1:45305/0
//	go run ./bench/sensu1gen -url redis://127.0.0.1:45305/0 -clients 100 -checks 5 -flush
//
// For every client: the member of the clients set, client:<c> (the registry
// JSON, with custom attributes by role), client:<c>:signature (most empty,
// some set, some absent as for clients created through the API), the
// result:<c> set, and for each of its -checks checks (keepalive first)
// result:<c>:<k> (the result JSON: server definition merged with the
// client's output), history:<c>:<k> (≤ 21 statuses as strings, the last one
// the current status), history:<c>:<k>:last_ok (when the history holds an
// OK), and, for the results that are not OK (-failing, 10% by default), a
// field <k> of the hash events:<c> with the event JSON (client, check with
// history and total_state_change, occurrences, silenced_by, …). Checks with
// a ttl are members of the ttl set. -silences entries silence:<id> (half of
// them with an expiry, as EXPIRE) are members of the silenced set, and the
// server's task ownership and lock keys and tessen:install_id are there as on
// a live 1.x installation.
//
// Clients are written by -workers goroutines, each with its own pipelines of
// about -pipeline commands. The content depends only on the flags: every
// client has its own random source derived from -seed and its index, and
// timestamps are relative to -now. It refuses a database that is not empty
// unless -flush is given. It prints one line of counts on stdout:
//
//	keys=334619 clients=10000 results=100000 events=9976 silences=20 bytes=41871720
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	url := flag.String("url", "", "the Redis database to fill: redis://host:port/db (required; there is no default)")
	clients := flag.Int("clients", 10000, "clients")
	checks := flag.Int("checks", 10, "checks (results) per client, keepalive included")
	failing := flag.Float64("failing", 0.10, "share of results that are not OK (and have a stored event)")
	silences := flag.Int("silences", 20, "silence entries")
	seed := flag.Uint64("seed", 1, "seed of the variations")
	now := flag.Int64("now", 1700000000, "the epoch of the snapshot: timestamps are a little before it")
	workers := flag.Int("workers", 4, "concurrent writers")
	pipeline := flag.Int("pipeline", 5000, "commands per pipeline")
	flush := flag.Bool("flush", false, "FLUSHDB first when the database is not empty")
	flag.Parse()
	switch {
	case flag.NArg() > 0:
		fail(2, "unexpected arguments: %v", flag.Args())
	case *url == "":
		fail(2, "-url is required (redis://host:port/db)")
	case *clients < 1 || *checks < 1 || *silences < 0 || *workers < 1 || *pipeline < 1:
		fail(2, "-clients, -checks, -workers and -pipeline must be at least 1, -silences at least 0")
	case *failing < 0 || *failing > 1:
		fail(2, "-failing must be between 0 and 1")
	}
	opt, err := redis.ParseURL(*url)
	if err != nil {
		fail(2, "-url: %v", err)
	}
	opt.PoolSize = *workers + 1
	opt.ReadTimeout, opt.WriteTimeout = time.Minute, time.Minute
	cl := redis.NewClient(opt)
	defer cl.Close()
	ctx := context.Background()

	n, err := cl.DBSize(ctx).Result()
	if err != nil {
		fail(1, "%s: %v", opt.Addr, err)
	}
	if n > 0 {
		if !*flush {
			fail(1, "%s db %d holds %d keys; refusing to add to it (use -flush to empty it first)", opt.Addr, opt.DB, n)
		}
		if err := cl.FlushDB(ctx).Err(); err != nil {
			fail(1, "FLUSHDB: %v", err)
		}
	}

	g := &generator{checks: *checks, failing: *failing, seed: *seed, now: *now}
	g.silences = g.makeSilences(*silences, *clients)
	started := time.Now()

	// The keys that do not belong to a client.
	var fixed counts
	p := &pipe{ctx: ctx, p: cl.Pipeline(), max: *pipeline, c: &fixed}
	for _, s := range g.silences {
		p.set("silence:"+s.id, s.json, time.Duration(s.ttl)*time.Second)
		p.p.SAdd(ctx, "silenced", "silence:"+s.id)
		fixed.silences++
	}
	// A live 1.x server leaves its task ownership and election locks, and
	// tessen its install id (server:<uuid> keys expire after 30 s: not here).
	for _, task := range []string{"check_request_publisher", "client_monitor", "check_result_monitor"} {
		p.set("task:"+task+":server", "8b3c6e4a-2f1d-4e5b-9a7c-1d2e3f405162", 0)
		p.set("lock:task:"+task, strconv.FormatInt((*now-3)*10_000_000, 10), 0)
	}
	p.set("tessen:install_id", "k3x9q2m7w1ab", 0)
	if err := p.exec(); err != nil {
		fail(1, "%v", err)
	}

	// Clients, split into -workers contiguous ranges.
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total = fixed
		errs  []error
	)
	for w := range *workers {
		lo, hi := w**clients / *workers, (w+1)**clients / *workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c counts
			p := &pipe{ctx: ctx, p: cl.Pipeline(), max: *pipeline, c: &c}
			var err error
			for i := lo; i < hi && err == nil; i++ {
				err = g.client(p, i)
			}
			if err == nil {
				err = p.exec()
			}
			mu.Lock()
			defer mu.Unlock()
			total.add(c)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		fail(1, "%v", err)
	}
	// The shared sets: clients, silenced and ttl.
	total.keys++
	if total.silences > 0 {
		total.keys++
	}
	if total.ttlMembers > 0 {
		total.keys++
	}
	keys, err := cl.DBSize(ctx).Result()
	if err != nil {
		fail(1, "DBSIZE: %v", err)
	}
	if keys != total.keys {
		fail(1, "DBSIZE is %d after writing %d keys: was the database written to meanwhile?", keys, total.keys)
	}
	fmt.Fprintf(os.Stderr, "sensu1gen: %d keys (%d clients, %d results, %d events, %d silences), %.1f MB of values, to %s db %d in %.1fs\n",
		keys, total.clients, total.results, total.events, total.silences, float64(total.bytes)/1e6, opt.Addr, opt.DB, time.Since(started).Seconds())
	fmt.Printf("keys=%d clients=%d results=%d events=%d silences=%d bytes=%d\n",
		keys, total.clients, total.results, total.events, total.silences, total.bytes)
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "sensu1gen: "+format+"\n", args...)
	os.Exit(code)
}

// counts is what was written.
type counts struct {
	keys, bytes                                    int64
	clients, results, events, silences, ttlMembers int
}

func (c *counts) add(o counts) {
	c.keys += o.keys
	c.bytes += o.bytes
	c.clients += o.clients
	c.results += o.results
	c.events += o.events
	c.silences += o.silences
	c.ttlMembers += o.ttlMembers
}

// pipe queues commands and sends them when there are max of them. set
// counts the key it writes; the callers count the other keys.
type pipe struct {
	ctx context.Context
	p   redis.Pipeliner
	max int
	c   *counts
}

func (p *pipe) set(key, value string, ttl time.Duration) {
	p.p.Set(p.ctx, key, value, ttl)
	p.c.keys++
	p.c.bytes += int64(len(value))
}

func (p *pipe) flushIfFull() error {
	if p.p.Len() >= p.max {
		return p.exec()
	}
	return nil
}

func (p *pipe) exec() error {
	if p.p.Len() == 0 {
		return nil
	}
	cmds, err := p.p.Exec(p.ctx)
	for _, c := range cmds {
		if c.Err() != nil {
			return fmt.Errorf("%s %v: %w", c.Name(), c.Args()[1], c.Err())
		}
	}
	return err
}

type generator struct {
	checks   int
	failing  float64
	seed     uint64
	now      int64
	silences []silence
	// silenced maps a silence id to itself for the ones in effect (begin
	// not in the future), for the events' silenced_by.
	silenced map[string]bool
}

// role is a kind of client: its name prefix, subscriptions, custom
// attributes and the checks its subscriptions bring.
type role struct {
	prefix        string
	subscriptions []string
	environment   string
	extra         func(r *rand.Rand) obj
	proxy         bool
}

var roles = []role{
	{prefix: "web", subscriptions: []string{"linux", "webserver", "roundrobin:webserver"}, environment: "production",
		extra: func(r *rand.Rand) obj {
			return obj{
				{"disk", obj{{"warning", 75}, {"critical", 85}}},
				{"keepalive", obj{{"handlers", []string{"pagerduty", "slack"}}, {"thresholds", obj{{"warning", 60}, {"critical", 120}}}}},
				{"socket", obj{{"bind", "127.0.0.1"}, {"port", 3030}}},
				{"nginx", obj{{"port", 80 + r.IntN(2)*8000}, {"worker_processes", 2 + r.IntN(7)}}},
			}
		}},
	{prefix: "db", subscriptions: []string{"linux", "mysql"}, environment: "production",
		extra: func(r *rand.Rand) obj {
			return obj{
				{"mysql", obj{{"user", "sensu"}, {"password", "REDACTED"}, {"port", 3306}}},
				{"safe_mode", false},
			}
		}},
	{prefix: "app", subscriptions: []string{"linux", "app", "roundrobin:snmp_pollers"}, environment: "staging",
		extra: func(r *rand.Rand) obj {
			return obj{
				{"app", obj{{"name", "billing"}, {"tier", []string{"gold", "silver", "bronze"}[r.IntN(3)]}}},
				{"redact", []string{"password", "api_key"}},
			}
		}},
	{prefix: "win", subscriptions: []string{"windows"}, environment: "production",
		extra: func(r *rand.Rand) obj {
			return obj{{"deregister", true}, {"deregistration", obj{{"handler", "deregister_client"}}}}
		}},
	{prefix: "switch", proxy: true},
}

// checkDef is a server-side check definition; result fills in the client's
// part.
type checkDef struct {
	name, command, handlerKey string
	subscribers, handlers     []string
	interval, ttl             int
	metric, standalone, hook  bool
	extra                     obj
	ok, warning, critical     string
}

var catalogue = []checkDef{
	{name: "check-cpu", command: "check-cpu.rb -w 80 -c 90", subscribers: []string{"linux"}, interval: 60, handlers: []string{"default"},
		ok:       "CheckCPU TOTAL OK: total=%d.4 user=22.5 nice=0.0 system=7.9 idle=69.0 iowait=0.4 irq=0.0 softirq=0.2 steal=0.0 guest=0.0 guest_nice=0.0\n",
		warning:  "CheckCPU TOTAL WARNING: total=%d.1 user=71.0 nice=0.0 system=11.3 idle=17.6 iowait=0.0\n",
		critical: "CheckCPU TOTAL CRITICAL: total=%d.7 user=88.2 nice=0.0 system=6.5 idle=5.3 iowait=0.0\n"},
	{name: "check-disk", command: "check-disk-usage.rb -w :::disk.warning|80::: -c :::disk.critical|90:::", subscribers: []string{"linux"},
		interval: 60, handlers: []string{"default", "mailer"}, extra: obj{{"occurrences", 3}, {"refresh", 1800}},
		ok:      "CheckDisk OK: All disk usage under %d%% and inode usage under 100%%\n",
		warning: "CheckDisk WARNING: / %d.12%% bytes usage (29 GiB/37 GiB)\n", critical: "CheckDisk CRITICAL: / %d.50%% bytes usage (35 GiB/37 GiB)\n"},
	{name: "check-memory", command: "check-memory-percent.rb -w 85 -c 95", subscribers: []string{"linux"}, interval: 60, handlers: []string{"default"},
		ok: "MEM OK - system memory usage: %d%%\n", warning: "MEM WARNING - system memory usage: %d%%\n", critical: "MEM CRITICAL - system memory usage: %d%%\n"},
	{name: "check-load", command: "check-load.rb -w 4,3,2 -c 8,6,4 -p", subscribers: []string{"linux"}, interval: 60, handlers: []string{"default"},
		ok: "CheckLoad OK: Per core load average (2 CPU): [0.%d, 0.31, 0.28]\n", warning: "CheckLoad WARNING: Per core load average (2 CPU): [4.%d, 3.10, 2.20]\n",
		critical: "CheckLoad CRITICAL: Per core load average (2 CPU): [9.%d, 7.00, 5.10]\n"},
	{name: "check-ntp", command: "check-ntp.rb -w 10 -c 100", subscribers: []string{"linux"}, interval: 300,
		extra: obj{{"aggregates", []string{"ntp", "linux_baseline"}}, {"handle", false}},
		ok:    "NTP OK: Offset 0.00%d secs\n", warning: "NTP WARNING: Offset %d.2 secs\n", critical: "NTP CRITICAL: Offset %d.9 secs\n"},
	{name: "check-nginx", command: "check-process.rb -p nginx", subscribers: []string{"webserver"}, interval: 30, handlers: []string{"default", "slack"},
		extra: obj{{"low_flap_threshold", 20}, {"high_flap_threshold", 60}}, hook: true,
		ok: "CheckProcess OK: Found %d matching processes; cmd /nginx/\n", warning: "CheckProcess WARNING: Found %d matching processes; cmd /nginx/\n",
		critical: "CheckProcess CRITICAL: Found 0 matching processes; cmd /nginx/ (%d)\n"},
	{name: "check-http-frontend", command: "check-http.rb -u http://localhost/health", subscribers: []string{"roundrobin:webserver"}, interval: 60,
		handlers: []string{"default"}, extra: obj{{"aggregate", true}},
		ok: "CheckHttp OK: 200, %d bytes\n", warning: "CheckHttp WARNING: 301, %d bytes\n", critical: "CheckHttp CRITICAL: 503, %d bytes\n"},
	{name: "check-mysql-replication", command: "check-mysql-replication-status.rb --user sensu --password :::mysql.password:::", subscribers: []string{"mysql"},
		interval: 30, handlerKey: "pagerduty",
		ok: "MySQL slave replication status: OK (lag %d)\n", warning: "MySQL replication lag %d seconds\n", critical: "Slave not running! (%d)\n"},
	{name: "metrics-cpu", command: "metrics-cpu.rb --scheme :::name:::.cpu", subscribers: []string{"linux"}, interval: 10, handlers: []string{"graphite"}, metric: true},
	{name: "check-windows-service", command: "check-windows-service.ps1 -s W3SVC", standalone: true, interval: 60, ttl: 600,
		ok: "CheckWindowsService OK: W3SVC Running (%d)\n", warning: "CheckWindowsService WARNING: W3SVC Paused (%d)\n", critical: "CheckWindowsService CRITICAL: W3SVC Stopped (%d)\n"},
	{name: "backup-job", handlers: []string{"mailer"}, interval: 86400, ttl: 90000,
		ok: "Backup completed: %d files\n", warning: "Last check execution was %d seconds ago", critical: "Backup FAILED: %d files skipped\n"},
	{name: "check-snmp-if", command: "check-snmp-if.rb -h 10.0.9.2 -C public -i eth0", subscribers: []string{"roundrobin:snmp_pollers"}, interval: 60,
		handlers: []string{"default"},
		ok:       "OK: eth0 is up (ifOperStatus=1, %d)\n", warning: "WARNING: eth0 errors (%d/s)\n", critical: "CRITICAL: eth0 is down (ifOperStatus=2, %d)\n"},
}

type silence struct {
	id, json string
	ttl      int // seconds; 0: no expiry
	active   bool
}

// makeSilences returns n silences of the three 1.x forms: mostly a client's
// own subscription (client:<c>:*), then subscription and check, and a few
// checks everywhere (*:<check>). Half expire; a few begin in the future.
func (g *generator) makeSilences(n, clients int) []silence {
	r := rand.New(rand.NewPCG(g.seed, math.MaxUint64))
	subs := []string{"linux", "webserver", "mysql", "windows", "app"}
	creators := []string{"alice", "bob", "carol", "dave"}
	reasons := []string{"scheduled maintenance", "disk cleanup in progress", "Windows patching", "known issue, ticket OPS-1234", "decommissioning"}
	g.silenced = map[string]bool{}
	seen := map[string]bool{}
	var out []silence
	for i := 0; len(out) < n && i < 100*n+100; i++ {
		var sub, check any
		switch i % 10 {
		case 0:
			sub, check = nil, catalogue[r.IntN(len(catalogue))].name
		case 1, 2, 3:
			sub, check = subs[r.IntN(len(subs))], catalogue[r.IntN(len(catalogue))].name
		default:
			sub, check = "client:"+clientName(r.IntN(clients)), nil
		}
		id := orStar(sub) + ":" + orStar(check)
		if seen[id] {
			continue
		}
		seen[id] = true
		s := silence{id: id, active: true}
		begin := any(nil)
		if i%7 == 6 {
			begin = g.now + 3600 + int64(r.IntN(86400))
			s.active = false
		}
		if i%2 == 0 {
			// What is left of an expiry set at some earlier time: any
			// number of seconds, from 2 to 48 hours.
			s.ttl = 2*3600 + r.IntN(46*3600)
		}
		s.json = string(appendJSON(nil, obj{
			{"id", id}, {"subscription", sub}, {"check", check},
			{"reason", reasons[r.IntN(len(reasons))]}, {"creator", creators[r.IntN(len(creators))]},
			{"begin", begin}, {"expire_on_resolve", r.IntN(3) == 0}, {"timestamp", g.now - int64(r.IntN(86400))},
		}))
		if s.active {
			g.silenced[id] = true
		}
		out = append(out, s)
	}
	return out
}

func orStar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "*"
}

func clientName(i int) string {
	return fmt.Sprintf("%s-%05d", roles[i%len(roles)].prefix, i)
}

// client writes client i and its results.
func (g *generator) client(p *pipe, i int) error {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	rl := roles[i%len(roles)]
	name := clientName(i)
	subs := append(append([]string{}, rl.subscriptions...), "client:"+name)
	var data obj
	if rl.proxy {
		data = obj{{"name", name}, {"address", "unknown"}, {"subscriptions", subs}, {"keepalives", false},
			{"version", "1.9.0"}, {"timestamp", g.now - int64(86400+r.IntN(86400*7))}, {"type", "proxy"}}
	} else {
		data = obj{{"name", name}, {"address", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}, {"subscriptions", subs},
			{"environment", rl.environment}}
		data = append(data, rl.extra(r)...)
		data = append(data, field{"version", "1.9.0"}, field{"timestamp", g.now - int64(r.IntN(20))})
	}
	// Signature: most clients have none (""), some have one, and clients
	// created through the API have no key at all.
	sig, hasSig := "", true
	switch x := r.IntN(20); {
	case x == 0:
		sig = randString(r, 16)
		data = append(data[:len(data)-2], field{"signature", sig}, data[len(data)-2], data[len(data)-1])
	case x == 1 && !rl.proxy:
		hasSig = false
	}
	clientJSON := appendJSON(nil, data)
	p.set("client:"+name, string(clientJSON), 0)
	if hasSig {
		p.set("client:"+name+":signature", sig, 0)
	}
	p.p.SAdd(p.ctx, "clients", name)
	p.c.clients++

	names := g.checkNames(r, i)
	members := make([]any, len(names))
	for j, n := range names {
		members[j] = n
	}
	p.p.SAdd(p.ctx, "result:"+name, members...)
	p.c.keys++
	var events []any
	for _, cn := range names {
		res, hist, lastOK, ev := g.result(r, i, name, clientJSON, subs, cn)
		p.set("result:"+name+":"+cn, string(res), 0)
		h := make([]any, len(hist))
		for k, s := range hist {
			h[k] = strconv.Itoa(s)
		}
		p.p.RPush(p.ctx, "history:"+name+":"+cn, h...)
		p.c.keys++
		if lastOK > 0 {
			p.set("history:"+name+":"+cn+":last_ok", strconv.FormatInt(lastOK, 10), 0)
		}
		if ev != nil {
			events = append(events, cn, string(ev))
			p.c.bytes += int64(len(ev))
			p.c.events++
		}
		if checkTTL(cn) > 0 {
			p.p.SAdd(p.ctx, "ttl", name+":"+cn)
			p.c.ttlMembers++
		}
		p.c.results++
	}
	if len(events) > 0 {
		p.p.HSet(p.ctx, "events:"+name, events...)
		p.c.keys++
	}
	return p.flushIfFull()
}

// checkNames are the checks of client i: keepalive (except for proxy
// clients, which send none), then the catalogue from an offset that
// depends on the client, with numbered variants when -checks is larger than
// the catalogue.
func (g *generator) checkNames(r *rand.Rand, i int) []string {
	names := make([]string, 0, g.checks)
	if !roles[i%len(roles)].proxy {
		names = append(names, "keepalive")
	}
	off := r.IntN(len(catalogue))
	for j := 0; len(names) < g.checks; j++ {
		n := catalogue[(off+j)%len(catalogue)].name
		if k := j / len(catalogue); k > 0 {
			n += "-" + strconv.Itoa(k+1)
		}
		names = append(names, n)
	}
	return names
}

func checkTTL(name string) int {
	if d := def(name); d != nil {
		return d.ttl
	}
	return 0
}

// def is the catalogue entry of a check name (numbered variants included).
func def(name string) *checkDef {
	base := name
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			base = name[:i]
		}
	}
	for k := range catalogue {
		if catalogue[k].name == base {
			return &catalogue[k]
		}
	}
	return nil
}

// result returns the result JSON of check cn of client i, its history
// (oldest first), the last OK epoch (0: no key) and, when the result is not
// OK, the event JSON.
func (g *generator) result(r *rand.Rand, i int, client string, clientJSON []byte, subs []string, cn string) (res []byte, hist []int, lastOK int64, event []byte) {
	status := 0
	if r.Float64() < g.failing {
		status = []int{1, 1, 1, 1, 1, 2, 2, 2, 2, 3}[r.IntN(10)]
	}
	var check obj
	var interval int
	var executed int64
	if cn == "keepalive" {
		interval = 20
		executed = g.now - int64(r.IntN(20))
		out := fmt.Sprintf("Keepalive sent from client %d seconds ago", r.IntN(20))
		if status != 0 {
			age := 120 + r.IntN(600)
			out = fmt.Sprintf("No keepalive sent from client for %d seconds (>=%d)", age, map[bool]int{true: 180, false: 120}[status == 2])
		}
		check = obj{{"thresholds", obj{{"warning", 120}, {"critical", 180}}}, {"handler", "keepalive"}, {"name", "keepalive"},
			{"issued", executed}, {"executed", executed}, {"output", out}, {"status", status}, {"type", "standard"}}
	} else {
		d := def(cn)
		interval = d.interval
		executed = g.now - int64(r.IntN(min(interval, 600)+1))
		if d.command != "" {
			check = append(check, field{"command", d.command})
		}
		if d.standalone {
			check = append(check, field{"standalone", true})
		}
		if len(d.subscribers) > 0 {
			check = append(check, field{"subscribers", d.subscribers})
		}
		check = append(check, field{"interval", d.interval})
		if d.ttl > 0 {
			check = append(check, field{"ttl", d.ttl})
		}
		check = append(check, d.extra...)
		if d.handlerKey != "" {
			check = append(check, field{"handler", d.handlerKey})
		}
		if len(d.handlers) > 0 {
			check = append(check, field{"handlers", d.handlers})
		}
		if d.hook && status != 0 {
			check = append(check, field{"hooks", obj{{"non-zero", obj{{"command", "ps aux | grep [n]ginx"}, {"timeout", 10},
				{"executed", executed}, {"duration", dur(r, 0.05)}, {"output", ""}, {"status", 1}}}}})
		}
		var out string
		switch {
		case d.metric:
			// Metric output is stored truncated to its first line.
			out = fmt.Sprintf("%s.cpu.total.user %d %d\n...", client, 100+r.IntN(2000), executed)
		case status == 0:
			out = fmt.Sprintf(d.ok, r.IntN(100))
		case status == 1:
			out = fmt.Sprintf(d.warning, r.IntN(100))
		case status == 2:
			out = fmt.Sprintf(d.critical, r.IntN(100))
		default:
			out = "Unmatched client token(s): mysql.password"
		}
		check = append(check, field{"name", cn}, field{"issued", executed}, field{"executed", executed})
		if status != 3 {
			check = append(check, field{"duration", dur(r, 2)})
		}
		check = append(check, field{"output", out}, field{"status", status})
		if status == 3 {
			check = append(check, field{"handle", false})
		}
		if d.metric {
			check = append(obj{{"type", "metric"}}, check...)
		} else {
			check = append(check, field{"type", "standard"})
		}
	}
	res = appendJSON(nil, check)

	// History: 21 entries, or fewer for young checks; the current status
	// repeated over the last occurrences.
	n := 21
	if r.IntN(20) == 0 {
		n = 1 + r.IntN(20)
	}
	hist = make([]int, n)
	occ := 1
	if status != 0 {
		occ = 1 + r.IntN(n)
		if r.IntN(4) == 0 {
			occ = n // failing for the whole window
		}
	} else if r.IntN(10) == 0 && n > 3 {
		hist[n-3] = 1 + r.IntN(2) // a blip
	}
	for k := n - occ; k < n; k++ {
		hist[k] = status
	}
	if status != 0 && occ == n && r.IntN(2) == 0 {
		occ += r.IntN(3000) // failing since before the window
	}
	for k := n - 1; k >= 0; k-- {
		if hist[k] == 0 {
			lastOK = executed - int64((n-1-k)*interval)
			break
		}
	}
	if lastOK == 0 && r.IntN(2) == 0 {
		lastOK = executed - int64(occ*interval) // OK before the window
	}
	if status == 0 {
		return res, hist, lastOK, nil
	}

	// The event: the result plus history (strings) and total_state_change.
	hs := make([]string, n)
	for k, s := range hist {
		hs[k] = strconv.Itoa(s)
	}
	echeck := append(append(obj{}, check...), field{"history", hs}, field{"total_state_change", stateChange(hist)})
	var silencedBy []string
	for _, s := range subs {
		for _, id := range []string{s + ":*", s + ":" + cn} {
			if g.silenced[id] {
				silencedBy = append(silencedBy, id)
			}
		}
	}
	if g.silenced["*:"+cn] {
		silencedBy = append(silencedBy, "*:"+cn)
	}
	if silencedBy == nil {
		silencedBy = []string{}
	}
	var lastOKv any
	if lastOK > 0 {
		lastOKv = lastOK
	}
	event = appendJSON(nil, obj{
		{"id", uuid(r)}, {"client", rawJSON(clientJSON)}, {"check", echeck},
		{"occurrences", occ}, {"occurrences_watermark", occ + r.IntN(2)*r.IntN(10)},
		{"last_ok", lastOKv}, {"action", "create"}, {"timestamp", executed},
		{"last_state_change", executed - int64((min(occ, n)-1)*interval)},
		{"silenced", len(silencedBy) > 0}, {"silenced_by", silencedBy},
	})
	return res, hist, lastOK, event
}

// stateChange is 1.x's total_state_change (server/process.rb
// check_history_state_change): 0 unless the history is full.
func stateChange(hist []int) int {
	if len(hist) < 21 {
		return 0
	}
	changes, weight := 0.0, 0.8
	prev := hist[0]
	for _, s := range hist {
		if s != prev {
			changes += weight
		}
		weight += 0.02
		prev = s
	}
	return int(changes / 20 * 100)
}

// dur is a duration in seconds with 3 decimals, as 1.x rounds it.
func dur(r *rand.Rand, max float64) float64 {
	return math.Round(r.Float64()*max*1000+1) / 1000
}

func randString(r *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

func uuid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	a = a&^0xf000 | 0x4000     // version 4
	b = b&^(0xc<<60) | 0x8<<60 // variant 10
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// obj is a JSON object that keeps its keys in order, as Ruby hashes do.
type obj []field

type field struct {
	k string
	v any
}

// rawJSON is JSON written as is.
type rawJSON []byte

// appendJSON appends v compactly, as 1.x's Oj compat mode writes it (no HTML
// escaping).
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	case obj:
		b = append(b, '{')
		for i, f := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.k)
			b = append(b, ':')
			b = appendJSON(b, f.v)
		}
		return append(b, '}')
	case rawJSON:
		return append(b, v...)
	}
	panic(fmt.Sprintf("appendJSON: %T", v))
}

func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
