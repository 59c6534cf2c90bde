package sensu1redis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Read reads the 1.x state of the database opts.URL names. It SCANs the
// keyspace, then reads the keys in batches of Options.BatchSize, one
// pipeline per batch, while the previous batch is decoded:
//
//   - PTTL of the keys 1.x may set an expiry on, and of keys it does not
//     name (see readsTTL);
//   - for a key whose name tells its 1.x type, the command that reads it:
//     GET, HGETALL, SMEMBERS or LRANGE 0 -1, or only its size (STRLEN,
//     LLEN) for keys that are not imported (server, task, lock, tessen,
//     transport). TYPE is not needed for those: the reply shows it, and a key
//     of another type answers WRONGTYPE;
//   - TYPE for the other keys (legacy, unknown).
//
// A second pipeline asks TYPE of the keys that answered WRONGTYPE, and
// measures (STRLEN, LLEN, SCARD, HLEN, ZCARD, XLEN) those read only by TYPE.
//
// The database may change while it is read (it should not: stop the 1.x
// server and API first); a key that vanishes in between is kept in Keys
// with type "none".
func Read(ctx context.Context, opts Options) (*Snapshot, error) {
	c, err := connect(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	started := time.Now()
	keys, err := c.scan(ctx)
	if err != nil {
		return nil, err
	}
	r := newReader(c, len(keys))
	if err := r.readAll(ctx, keys, opts, 0, len(keys)); err != nil {
		return nil, err
	}
	s := r.snapshot()
	s.Addr, s.DB, s.Started, s.Finished = c.addr, c.db, started, time.Now()
	return s, nil
}

func newReader(c *conn, n int) *reader {
	return &reader{
		c:          c,
		keys:       make([]Key, 0, n),
		clients:    map[string]*Client{},
		signatures: map[string]string{},
		results:    map[pair]*Result{},
		histories:  map[pair][]int{},
		lastOK:     map[pair]int64{},
		resultSets: map[string][]string{},
		sets:       map[string][]string{},
	}
}

// readAll reads keys in pipelined batches: one goroutine runs the
// pipelines, this one decodes, so the next batch travels while the last one
// is decoded; at most three batches of values are in memory. Progress counts
// from done of total.
func (r *reader) readAll(ctx context.Context, keys []string, opts Options, done, total int) error {
	c := r.c
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	fetchCtx, cancel := context.WithCancel(ctx)
	batches := make(chan *batch, 1)
	go func() {
		defer close(batches)
		for start := 0; start < len(keys); start += size {
			b := fetch(fetchCtx, c, keys[start:min(start+size, len(keys))])
			select {
			case batches <- b:
			case <-fetchCtx.Done():
				return
			}
		}
	}()
	defer func() {
		cancel()
		for range batches {
		}
	}()
	for b := range batches {
		if err := r.batch(ctx, b); err != nil {
			return err
		}
		done += len(b.keys)
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	if err := ctx.Err(); err != nil {
		return c.wrap(ctx, err)
	}
	return nil
}

// scan returns every key of the database, sorted and without the duplicates
// SCAN may return.
func (c *conn) scan(ctx context.Context) ([]string, error) {
	var keys []string
	var cursor uint64
	for {
		page, next, err := c.cl.Scan(ctx, cursor, "", scanCount).Result()
		if err != nil {
			return nil, c.wrap(ctx, err)
		}
		keys = append(keys, page...)
		if next == 0 {
			break
		}
		cursor = next
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}

// pair names a client's check.
type pair struct{ client, check string }

// reader collects the keys of one Read; snapshot joins them.
type reader struct {
	c    *conn
	keys []Key

	clients    map[string]*Client
	signatures map[string]string
	results    map[pair]*Result
	histories  map[pair][]int
	lastOK     map[pair]int64
	events     []Event
	silences   []Silence
	stashes    []Stash
	aggregates []Aggregate
	// resultSets are the members of result:<client> by client; sets the
	// members of the other index sets by key.
	resultSets map[string][]string
	sets       map[string][]string
	invalid    []InvalidValue
}

// batch is one pipeline of commands for consecutive keys.
type batch struct {
	keys   []string
	infos  []keyInfo
	ttls   []*redis.DurationCmd
	types  []*redis.StatusCmd // for keys without an expected type
	values []redis.Cmder      // for keys with one
	// at is when the replies had arrived, the instant TTLs count from
	// (at most one round trip late).
	at time.Time
}

// fetch runs the first pipeline for keys (see Read).
func fetch(ctx context.Context, c *conn, keys []string) *batch {
	b := &batch{
		keys:   keys,
		infos:  make([]keyInfo, len(keys)),
		ttls:   make([]*redis.DurationCmd, len(keys)),
		types:  make([]*redis.StatusCmd, len(keys)),
		values: make([]redis.Cmder, len(keys)),
	}
	pipe := c.cl.Pipeline()
	for i, k := range keys {
		b.infos[i] = parseKey(k)
		if readsTTL(b.infos[i].category) {
			b.ttls[i] = pipe.PTTL(ctx, k)
		}
		if typ, op := expected(b.infos[i].category); typ != "" {
			b.values[i] = valueCmd(ctx, pipe, k, typ, op)
		} else {
			b.types[i] = pipe.Type(ctx, k)
		}
	}
	// Exec returns the first failed command's error, which may be an
	// expected one (a missing key, WRONGTYPE): each is looked at in
	// reader.batch.
	_, _ = pipe.Exec(ctx)
	b.at = time.Now()
	return b
}

// batch takes the replies of b into r, appending its keys to r.keys.
func (r *reader) batch(ctx context.Context, b *batch) error {
	var measure []int // indexes in r.keys of keys whose type or size is still unknown
	for i, k := range b.keys {
		key := Key{Key: k, TTL: -1, Category: b.infos[i].category}
		if ttl := b.ttls[i]; ttl != nil {
			if err := ttl.Err(); err != nil {
				return r.c.wrap(ctx, err)
			}
			key.TTL = ttl.Val()
		}
		switch want, op := expected(key.Category); {
		case key.TTL == -2:
			key.Type = typeNone
		case want == "":
			if err := b.types[i].Err(); err != nil {
				return r.c.wrap(ctx, err)
			}
			key.Type = b.types[i].Val()
			if key.Type == typeNone {
				key.TTL = -2
			} else {
				measure = append(measure, len(r.keys))
			}
		default:
			key.Type = want
			wrongType, err := r.value(ctx, &key, b.infos[i], op, b.values[i], b.at)
			if err != nil {
				return err
			}
			if wrongType {
				key.Type = ""
				measure = append(measure, len(r.keys))
			}
		}
		r.keys = append(r.keys, key)
	}
	return r.measure(ctx, measure)
}

// valueCmd queues the command that reads a key of type typ with op.
func valueCmd(ctx context.Context, pipe redis.Pipeliner, key, typ string, op valueOp) redis.Cmder {
	switch op {
	case opGet:
		return pipe.Get(ctx, key)
	case opHGetAll:
		return pipe.HGetAll(ctx, key)
	case opSMembers:
		return pipe.SMembers(ctx, key)
	case opLRange:
		return pipe.LRange(ctx, key, 0, -1)
	}
	return sizeCmd(ctx, pipe, key, typ)
}

// sizeCmd queues the command that measures a key of type typ; nil for types
// without one (module types).
func sizeCmd(ctx context.Context, pipe redis.Pipeliner, key, typ string) *redis.IntCmd {
	switch typ {
	case typeString:
		return pipe.StrLen(ctx, key)
	case typeList:
		return pipe.LLen(ctx, key)
	case typeSet:
		return pipe.SCard(ctx, key)
	case typeHash:
		return pipe.HLen(ctx, key)
	case typeZSet:
		return pipe.ZCard(ctx, key)
	case typeStream:
		return pipe.XLen(ctx, key)
	}
	return nil
}

// measure completes r.keys[i] for each i: TYPE when its Type is unknown
// (a WRONGTYPE reply), then its size by type.
func (r *reader) measure(ctx context.Context, idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	pipe := r.c.cl.Pipeline()
	types := make([]*redis.StatusCmd, len(idx))
	for j, i := range idx {
		if r.keys[i].Type == "" {
			types[j] = pipe.Type(ctx, r.keys[i].Key)
		}
	}
	if pipe.Len() > 0 {
		_, _ = pipe.Exec(ctx)
		for j, i := range idx {
			if types[j] == nil {
				continue
			}
			if err := types[j].Err(); err != nil {
				return r.c.wrap(ctx, err)
			}
			k := &r.keys[i]
			k.Type = types[j].Val()
			if k.Type == typeNone {
				k.TTL = -2
				continue
			}
			want, _ := expected(k.Category)
			r.invalid = append(r.invalid, InvalidValue{Key: k.Key, Error: fmt.Sprintf("a %s, expected a %s for a %s key", k.Type, want, k.Category)})
		}
	}
	sizes := make([]*redis.IntCmd, len(idx))
	for j, i := range idx {
		sizes[j] = sizeCmd(ctx, pipe, r.keys[i].Key, r.keys[i].Type)
	}
	if pipe.Len() == 0 {
		return nil
	}
	_, _ = pipe.Exec(ctx)
	for j, i := range idx {
		if sizes[j] == nil {
			continue
		}
		if err := sizes[j].Err(); err != nil && !isWrongType(err) {
			return r.c.wrap(ctx, err)
		}
		r.keys[i].Len = sizes[j].Val()
	}
	return nil
}

func isWrongType(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE")
}

// value takes the value of key, read by cmd with op, into r, and sets
// key.Len. It reports a key of another type than its category's.
func (r *reader) value(ctx context.Context, key *Key, info keyInfo, op valueOp, cmd redis.Cmder, at time.Time) (wrongType bool, err error) {
	if err := cmd.Err(); err != nil {
		switch {
		case err == redis.Nil:
			// Expired or deleted since SCAN.
			key.Type, key.TTL = typeNone, -2
			return false, nil
		case isWrongType(err):
			return true, nil
		}
		return false, r.c.wrap(ctx, err)
	}
	bad := func(err error) { r.invalid = append(r.invalid, InvalidValue{Key: key.Key, Error: err.Error()}) }
	p := pair{info.a, info.b}
	switch op {
	case opSize:
		key.Len = cmd.(*redis.IntCmd).Val()
	case opGet:
		s := cmd.(*redis.StringCmd).Val()
		key.Len = int64(len(s))
		switch key.Category {
		case CategoryClientSignature:
			r.signatures[info.a] = s
		case CategoryHistoryLastOK:
			n, err := parseEpoch(s)
			if err != nil {
				bad(err)
				return false, nil
			}
			r.lastOK[p] = n
		default:
			data, err := decodeObject(s)
			if err != nil {
				bad(err)
				return false, nil
			}
			switch key.Category {
			case CategoryClient:
				r.clients[info.a] = &Client{Name: info.a, Data: data}
			case CategoryResult:
				r.results[p] = &Result{Client: info.a, Check: info.b, Data: data}
			case CategorySilence:
				r.silences = append(r.silences, Silence{ID: info.a, Data: data, TTL: key.TTL, ExpiresAt: expiresAt(at, key.TTL)})
			case CategoryStash:
				r.stashes = append(r.stashes, Stash{Path: info.a, Data: data, TTL: key.TTL, ExpiresAt: expiresAt(at, key.TTL),
					Legacy: strings.HasPrefix(info.a, "silence/")})
			}
		}
	case opHGetAll:
		fields := cmd.(*redis.MapStringStringCmd).Val()
		if len(fields) == 0 {
			key.Type, key.TTL = typeNone, -2
			return false, nil
		}
		key.Len = int64(len(fields))
		for check, s := range fields {
			data, err := decodeObject(s)
			if err != nil {
				r.invalid = append(r.invalid, InvalidValue{Key: key.Key, Field: check, Error: err.Error()})
				continue
			}
			r.events = append(r.events, Event{Client: info.a, Check: check, Data: data})
		}
	case opSMembers:
		members := cmd.(*redis.StringSliceCmd).Val()
		if len(members) == 0 {
			key.Type, key.TTL = typeNone, -2
			return false, nil
		}
		key.Len = int64(len(members))
		switch key.Category {
		case CategoryAggregate:
			if legacyAggregate(members) {
				// aggregates:<check> of 1.x before 0.24: issued timestamps
				key.Category = CategoryLegacy
				return false, nil
			}
			slices.Sort(members)
			r.aggregates = append(r.aggregates, Aggregate{Name: info.a, Members: members})
		case CategoryResultSet:
			r.resultSets[info.a] = members
		default:
			r.sets[key.Key] = members
		}
	case opLRange:
		entries := cmd.(*redis.StringSliceCmd).Val()
		if len(entries) == 0 {
			key.Type, key.TTL = typeNone, -2
			return false, nil
		}
		key.Len = int64(len(entries))
		history := make([]int, 0, len(entries))
		for i, e := range entries {
			n, err := strconv.Atoi(e)
			if err != nil {
				bad(fmt.Errorf("entry %d is %q, not a check status", i, e))
				continue
			}
			history = append(history, n)
		}
		r.histories[p] = history
	}
	return false, nil
}

// expiresAt is the expiry of a key whose TTL was read by at; zero for -1.
func expiresAt(at time.Time, ttl time.Duration) time.Time {
	if ttl < 0 {
		return time.Time{}
	}
	return at.Add(ttl).Round(0)
}

// legacyAggregate reports whether the members of aggregates:<x> are issued
// timestamps, as 1.x before 0.24 stored them, rather than "<client>:<check>".
func legacyAggregate(members []string) bool {
	for _, m := range members {
		if !isDigits(m) {
			return false
		}
	}
	return true
}

// parseEpoch parses a last_ok value: epoch seconds, as 1.x writes an integer
// check "executed" (a float one is truncated).
func parseEpoch(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1<<62 {
		return int64(f), nil
	}
	return 0, fmt.Errorf("%q is not an epoch time", s)
}

// snapshot joins what the batches read.
func (r *reader) snapshot() *Snapshot {
	s := &Snapshot{Keys: r.keys, Invalid: r.invalid}
	exists := r.exists(nil)
	r.clientPart(s, exists, toSet(r.sets["clients"]), ttlPairs(r.sets["ttl"]))
	r.globalPart(s, exists)
	sortFindings(s)
	return s
}

// exists reports whether a key is in the database: read by this reader and
// not vanished, or else (for a reader of part of the keys) among names, the
// sorted names of every key.
func (r *reader) exists(names []string) func(string) bool {
	return func(key string) bool {
		if i, ok := slices.BinarySearchFunc(r.keys, key, func(k Key, t string) int { return strings.Compare(k.Key, t) }); ok {
			return r.keys[i].Type != typeNone
		}
		_, ok := slices.BinarySearch(names, key)
		return ok
	}
}

func ttlPairs(members []string) map[pair]struct{} {
	ttl := map[pair]struct{}{}
	for _, m := range members {
		if c, k, ok := strings.Cut(m, ":"); ok {
			ttl[pair{c, k}] = struct{}{}
		}
	}
	return ttl
}

func dangling(s *Snapshot, exists func(string) bool, set string, members []string, target func(string) string) {
	for _, m := range members {
		if t := target(m); !exists(t) {
			s.Dangling = append(s.Dangling, Dangling{Set: set, Member: m, MissingKey: t})
		}
	}
}

func prefixed(prefix string) func(string) string { return func(m string) string { return prefix + m } }

// clientPart fills in what belongs to clients: Clients, Results, Events and
// the dangling members of result:<client> sets. clientsSet and ttl are the
// members of the clients and ttl sets.
func (r *reader) clientPart(s *Snapshot, exists func(string) bool, clientsSet map[string]struct{}, ttl map[pair]struct{}) {
	s.Events = r.events
	s.Clients = make([]Client, 0, len(r.clients))
	for name, c := range r.clients {
		c.Signature, c.HasSignature = r.signatures[name]
		_, c.InClientsSet = clientsSet[name]
		s.Clients = append(s.Clients, *c)
	}
	slices.SortFunc(s.Clients, func(a, b Client) int { return strings.Compare(a.Name, b.Name) })

	inResultSet := map[pair]struct{}{}
	for c, members := range r.resultSets {
		for _, k := range members {
			inResultSet[pair{c, k}] = struct{}{}
		}
		dangling(s, exists, "result:"+c, members, prefixed("result:"+c+":"))
	}
	s.Results = make([]Result, 0, len(r.results))
	for p, res := range r.results {
		res.History = r.histories[p]
		res.LastOK, res.HasLastOK = r.lastOK[p]
		_, res.InResultSet = inResultSet[p]
		_, res.TTLMonitored = ttl[p]
		s.Results = append(s.Results, *res)
	}
	slices.SortFunc(s.Results, func(a, b Result) int {
		return cmp.Or(strings.Compare(a.Client, b.Client), strings.Compare(a.Check, b.Check))
	})
	slices.SortFunc(s.Events, func(a, b Event) int {
		return cmp.Or(strings.Compare(a.Client, b.Client), strings.Compare(a.Check, b.Check))
	})
}

// globalPart fills in the rest: silences, stashes, aggregates and the
// dangling members of the index sets.
func (r *reader) globalPart(s *Snapshot, exists func(string) bool) {
	s.Silences, s.Stashes, s.Aggregates = r.silences, r.stashes, r.aggregates
	dangling(s, exists, "clients", r.sets["clients"], prefixed("client:"))
	dangling(s, exists, "ttl", r.sets["ttl"], prefixed("result:"))

	silenced := toSet(r.sets["silenced"])
	dangling(s, exists, "silenced", r.sets["silenced"], func(m string) string { return m })
	for i := range s.Silences {
		_, s.Silences[i].InSilencedSet = silenced["silence:"+s.Silences[i].ID]
	}
	slices.SortFunc(s.Silences, func(a, b Silence) int { return strings.Compare(a.ID, b.ID) })

	stashes := toSet(r.sets["stashes"])
	dangling(s, exists, "stashes", r.sets["stashes"], prefixed("stash:"))
	for i := range s.Stashes {
		_, s.Stashes[i].InStashesSet = stashes[s.Stashes[i].Path]
	}
	slices.SortFunc(s.Stashes, func(a, b Stash) int { return strings.Compare(a.Path, b.Path) })

	aggregates := toSet(r.sets["aggregates"])
	dangling(s, exists, "aggregates", r.sets["aggregates"], prefixed("aggregates:"))
	for i := range s.Aggregates {
		a := &s.Aggregates[i]
		_, a.InAggregatesSet = aggregates[a.Name]
		dangling(s, exists, "aggregates:"+a.Name, a.Members, prefixed("result:"))
	}
	slices.SortFunc(s.Aggregates, func(a, b Aggregate) int { return strings.Compare(a.Name, b.Name) })

	dangling(s, exists, "servers", r.sets["servers"], prefixed("server:"))
}

func sortFindings(s *Snapshot) {
	slices.SortFunc(s.Dangling, func(a, b Dangling) int {
		return cmp.Or(strings.Compare(a.Set, b.Set), strings.Compare(a.Member, b.Member))
	})
	slices.SortFunc(s.Invalid, func(a, b InvalidValue) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(a.Field, b.Field))
	})
}

func toSet(members []string) map[string]struct{} {
	set := make(map[string]struct{}, len(members))
	for _, m := range members {
		set[m] = struct{}{}
	}
	return set
}
