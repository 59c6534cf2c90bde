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
// keyspace, then reads the keys in batches of Options.BatchSize: one
// pipeline per batch with TYPE, PTTL and the command that reads the value
// the key's name calls for (GET, HGETALL, SMEMBERS or LRANGE 0 -1; only the
// size, STRLEN or LLEN, for keys that are not imported). Keys of another type
// than their name calls for, and keys that are neither 1.x state nor known,
// get a second pipeline that measures their size by their actual type.
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
	r := &reader{
		c:          c,
		keys:       make([]Key, 0, len(keys)),
		clients:    map[string]*Client{},
		signatures: map[string]string{},
		results:    map[pair]*Result{},
		histories:  map[pair][]int{},
		lastOK:     map[pair]int64{},
		resultSets: map[string][]string{},
		sets:       map[string][]string{},
	}
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	for start := 0; start < len(keys); start += size {
		end := min(start+size, len(keys))
		if err := r.batch(ctx, keys[start:end]); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(end, len(keys))
		}
	}
	s := r.snapshot()
	s.Addr, s.DB, s.Started, s.Finished = c.addr, c.db, started, time.Now()
	return s, nil
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

// batch reads keys (sorted) and appends them to r.keys.
func (r *reader) batch(ctx context.Context, keys []string) error {
	pipe := r.c.cl.Pipeline()
	infos := make([]keyInfo, len(keys))
	types := make([]*redis.StatusCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	values := make([]redis.Cmder, len(keys))
	for i, k := range keys {
		infos[i] = parseKey(k)
		types[i] = pipe.Type(ctx, k)
		ttls[i] = pipe.PTTL(ctx, k)
		if typ, op := expected(infos[i].category); typ != "" {
			values[i] = valueCmd(ctx, pipe, k, typ, op)
		}
	}
	// Exec returns the first failed command's error, which may be an
	// expected one (a missing key, WRONGTYPE): each is looked at below.
	_, _ = pipe.Exec(ctx)

	var measure []int // indexes in r.keys of keys whose size is still unknown
	for i, k := range keys {
		if err := cmp.Or(types[i].Err(), ttls[i].Err()); err != nil {
			return r.c.wrap(ctx, err)
		}
		key := Key{Key: k, Type: types[i].Val(), TTL: ttls[i].Val(), Category: infos[i].category}
		want, op := expected(key.Category)
		switch {
		case key.Type == typeNone:
			key.TTL = -2
		case want == "":
			measure = append(measure, len(r.keys))
		case key.Type != want:
			r.invalid = append(r.invalid, InvalidValue{Key: k, Error: fmt.Sprintf("a %s, expected a %s for a %s key", key.Type, want, key.Category)})
			measure = append(measure, len(r.keys))
		default:
			if err := r.value(ctx, &key, infos[i], op, values[i]); err != nil {
				return err
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

// measure sets the size of r.keys[idx] for each idx, by the type TYPE gave.
func (r *reader) measure(ctx context.Context, idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	pipe := r.c.cl.Pipeline()
	cmds := make([]*redis.IntCmd, len(idx))
	for j, i := range idx {
		cmds[j] = sizeCmd(ctx, pipe, r.keys[i].Key, r.keys[i].Type)
	}
	if pipe.Len() == 0 {
		return nil
	}
	_, _ = pipe.Exec(ctx)
	for j, i := range idx {
		if cmds[j] == nil {
			continue
		}
		if err := cmds[j].Err(); err != nil && !isWrongType(err) {
			return r.c.wrap(ctx, err)
		}
		r.keys[i].Len = cmds[j].Val()
	}
	return nil
}

func isWrongType(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE")
}

// value takes the value of key (of the type its category calls for), read
// by cmd with op, into r, and sets key.Len.
func (r *reader) value(ctx context.Context, key *Key, info keyInfo, op valueOp, cmd redis.Cmder) error {
	if err := cmd.Err(); err != nil {
		switch {
		case err == redis.Nil:
			// Expired or deleted between TYPE and GET.
			key.Type, key.TTL = typeNone, -2
			return nil
		case isWrongType(err):
			r.invalid = append(r.invalid, InvalidValue{Key: key.Key, Error: "changed its type while it was read"})
			return nil
		}
		return r.c.wrap(ctx, err)
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
				return nil
			}
			r.lastOK[p] = n
		default:
			data, err := decodeObject(s)
			if err != nil {
				bad(err)
				return nil
			}
			switch key.Category {
			case CategoryClient:
				r.clients[info.a] = &Client{Name: info.a, Data: data}
			case CategoryResult:
				r.results[p] = &Result{Client: info.a, Check: info.b, Data: data}
			case CategorySilence:
				r.silences = append(r.silences, Silence{ID: info.a, Data: data, TTL: key.TTL})
			case CategoryStash:
				r.stashes = append(r.stashes, Stash{Path: info.a, Data: data, TTL: key.TTL, Legacy: strings.HasPrefix(info.a, "silence/")})
			}
		}
	case opHGetAll:
		fields := cmd.(*redis.MapStringStringCmd).Val()
		if len(fields) == 0 {
			key.Type, key.TTL = typeNone, -2
			return nil
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
			return nil
		}
		key.Len = int64(len(members))
		switch key.Category {
		case CategoryAggregate:
			if legacyAggregate(members) {
				// aggregates:<check> of 1.x before 0.24: issued timestamps
				key.Category = CategoryLegacy
				return nil
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
			return nil
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
	return nil
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
	s := &Snapshot{Keys: r.keys, Invalid: r.invalid, Events: r.events, Silences: r.silences, Stashes: r.stashes, Aggregates: r.aggregates}
	exists := func(key string) bool {
		i, ok := slices.BinarySearchFunc(r.keys, key, func(k Key, t string) int { return strings.Compare(k.Key, t) })
		return ok && r.keys[i].Type != typeNone
	}
	dangling := func(set string, members []string, target func(string) string) {
		for _, m := range members {
			if t := target(m); !exists(t) {
				s.Dangling = append(s.Dangling, Dangling{Set: set, Member: m, MissingKey: t})
			}
		}
	}
	prefixed := func(prefix string) func(string) string { return func(m string) string { return prefix + m } }

	clientsSet := toSet(r.sets["clients"])
	dangling("clients", r.sets["clients"], prefixed("client:"))
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
		dangling("result:"+c, members, prefixed("result:"+c+":"))
	}
	ttl := map[pair]struct{}{}
	for _, m := range r.sets["ttl"] {
		if c, k, ok := strings.Cut(m, ":"); ok {
			ttl[pair{c, k}] = struct{}{}
		}
	}
	dangling("ttl", r.sets["ttl"], prefixed("result:"))
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

	silenced := toSet(r.sets["silenced"])
	dangling("silenced", r.sets["silenced"], func(m string) string { return m })
	for i := range s.Silences {
		_, s.Silences[i].InSilencedSet = silenced["silence:"+s.Silences[i].ID]
	}
	slices.SortFunc(s.Silences, func(a, b Silence) int { return strings.Compare(a.ID, b.ID) })

	stashes := toSet(r.sets["stashes"])
	dangling("stashes", r.sets["stashes"], prefixed("stash:"))
	for i := range s.Stashes {
		_, s.Stashes[i].InStashesSet = stashes[s.Stashes[i].Path]
	}
	slices.SortFunc(s.Stashes, func(a, b Stash) int { return strings.Compare(a.Path, b.Path) })

	aggregates := toSet(r.sets["aggregates"])
	dangling("aggregates", r.sets["aggregates"], prefixed("aggregates:"))
	for i := range s.Aggregates {
		a := &s.Aggregates[i]
		_, a.InAggregatesSet = aggregates[a.Name]
		dangling("aggregates:"+a.Name, a.Members, prefixed("result:"))
	}
	slices.SortFunc(s.Aggregates, func(a, b Aggregate) int { return strings.Compare(a.Name, b.Name) })

	dangling("servers", r.sets["servers"], prefixed("server:"))

	slices.SortFunc(s.Dangling, func(a, b Dangling) int {
		return cmp.Or(strings.Compare(a.Set, b.Set), strings.Compare(a.Member, b.Member))
	})
	slices.SortFunc(s.Invalid, func(a, b InvalidValue) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(a.Field, b.Field))
	})
	return s
}

func toSet(members []string) map[string]struct{} {
	set := make(map[string]struct{}, len(members))
	for _, m := range members {
		set[m] = struct{}{}
	}
	return set
}
