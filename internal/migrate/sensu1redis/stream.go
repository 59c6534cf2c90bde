package sensu1redis

import (
	"context"
	"slices"
	"time"
)

// clientScoped are the categories of keys that belong to one client.
var clientScoped = map[string]bool{
	CategoryClient: true, CategoryClientSignature: true, CategoryEvents: true,
	CategoryResultSet: true, CategoryResult: true, CategoryHistory: true, CategoryHistoryLastOK: true,
}

// Stream reads like Read, but hands the clients over in parts of about
// partClients clients, so that memory does not grow with the database:
// each part is a Snapshot holding those clients' Clients, Results, Events,
// Keys, Invalid values and dangling result-set members. The index sets and
// every other key are read first; the Snapshot returned at the end holds
// them (Silences, Stashes, Aggregates, their Keys and dangling members). The
// next part is read while fn handles the last one.
func Stream(ctx context.Context, opts Options, partClients int, fn func(part *Snapshot) error) (*Snapshot, error) {
	c, err := connect(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	started := time.Now()
	names, err := c.scan(ctx)
	if err != nil {
		return nil, err
	}
	var global []string
	byClient := map[string][]string{}
	var clients []string
	for _, k := range names {
		info := parseKey(k)
		if !clientScoped[info.category] {
			global = append(global, k)
			continue
		}
		if _, ok := byClient[info.a]; !ok {
			clients = append(clients, info.a)
		}
		byClient[info.a] = append(byClient[info.a], k)
	}
	slices.Sort(clients)

	g := newReader(c, len(global))
	if err := g.readAll(ctx, global, opts, 0, len(names)); err != nil {
		return nil, err
	}
	exists := g.exists(names)
	clientsSet, ttl := toSet(g.sets["clients"]), ttlPairs(g.sets["ttl"])

	if partClients <= 0 {
		partClients = 500
	}
	type part struct {
		s   *Snapshot
		err error
	}
	parts := make(chan part, 1)
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(parts)
		done := len(global)
		for start := 0; start < len(clients); start += partClients {
			var keys []string
			for _, name := range clients[start:min(start+partClients, len(clients))] {
				keys = append(keys, byClient[name]...)
			}
			slices.Sort(keys)
			r := newReader(c, len(keys))
			err := r.readAll(readCtx, keys, opts, done, len(names))
			done += len(keys)
			var s *Snapshot
			if err == nil {
				s = &Snapshot{Keys: r.keys, Invalid: r.invalid, Addr: c.addr, DB: c.db}
				r.clientPart(s, func(key string) bool { return r.exists(nil)(key) || exists(key) }, clientsSet, ttl)
				sortFindings(s)
			}
			select {
			case parts <- part{s, err}:
			case <-readCtx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		if err := fn(p.s); err != nil {
			cancel()
			for range parts {
			}
			return nil, err
		}
	}
	s := &Snapshot{Keys: g.keys, Invalid: g.invalid}
	g.globalPart(s, exists)
	sortFindings(s)
	s.Addr, s.DB, s.Started, s.Finished = c.addr, c.db, started, time.Now()
	return s, nil
}

// Check connects as Read and Stream do and runs one SCAN step, so that an
// unreachable server, a wrong password, a missing db or a missing permission
// is found before anything is written.
func Check(ctx context.Context, opts Options) error {
	c, err := connect(ctx, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.cl.Scan(ctx, 0, "", 1).Err(); err != nil {
		return c.wrap(ctx, err)
	}
	return nil
}
