package sensu1redis

import "strings"

// keyInfo is a key name parsed according to the 1.x catalogue (FACTS §2.2).
type keyInfo struct {
	category string
	// a and b are the names in the key: client and check for client,
	// events, result, history keys; the id, path or name for silence:,
	// stash:, aggregates: keys.
	a, b string
}

// parseKey classifies a key by its name alone. Client, check, server and
// task names never contain ':' (1.x validates them with /\A[\w\.-]+\z/), so
// the keys built from them are split on ':'. Silence ids, aggregate names,
// stash paths and transport pipes may contain ':' and are taken whole.
func parseKey(key string) keyInfo {
	switch key {
	case "clients":
		return keyInfo{category: CategoryClientsSet}
	case "ttl":
		return keyInfo{category: CategoryTTLSet}
	case "aggregates":
		return keyInfo{category: CategoryAggregatesSet}
	case "silenced":
		return keyInfo{category: CategorySilencedSet}
	case "stashes":
		return keyInfo{category: CategoryStashesSet}
	case "servers":
		return keyInfo{category: CategoryServersSet}
	case "tessen:install_id":
		return keyInfo{category: CategoryTessen}
	case "leader", "lock:leader":
		// leader election of 0.26 – 0.28
		return keyInfo{category: CategoryLegacy}
	}
	prefix, rest, ok := strings.Cut(key, ":")
	if !ok || rest == "" {
		return keyInfo{category: CategoryUnknown}
	}
	switch prefix {
	case "client":
		if isName(rest) {
			return keyInfo{category: CategoryClient, a: rest}
		}
		if c, ok := strings.CutSuffix(rest, ":signature"); ok && isName(c) {
			return keyInfo{category: CategoryClientSignature, a: c}
		}
	case "events":
		if isName(rest) {
			return keyInfo{category: CategoryEvents, a: rest}
		}
	case "result":
		if isName(rest) {
			return keyInfo{category: CategoryResultSet, a: rest}
		}
		if c, k, ok := strings.Cut(rest, ":"); ok && isName(c) && isName(k) {
			return keyInfo{category: CategoryResult, a: c, b: k}
		}
	case "history":
		c, k, ok := strings.Cut(rest, ":")
		if !ok || !isName(c) {
			break
		}
		if isName(k) {
			return keyInfo{category: CategoryHistory, a: c, b: k}
		}
		if k, ok := strings.CutSuffix(k, ":last_ok"); ok && isName(k) {
			return keyInfo{category: CategoryHistoryLastOK, a: c, b: k}
		}
	case "aggregates":
		// Since 0.24 a set of "<client>:<check>"; before, a set of issued
		// timestamps (told apart by the members, see reader.aggregate).
		return keyInfo{category: CategoryAggregate, a: rest}
	case "aggregate", "aggregation":
		// aggregate:<check>:<issued> and aggregation:<check>:<issued>, ≤ 0.23
		return keyInfo{category: CategoryLegacy}
	case "silence":
		return keyInfo{category: CategorySilence, a: rest}
	case "stash":
		return keyInfo{category: CategoryStash, a: rest}
	case "server":
		if isName(rest) {
			return keyInfo{category: CategoryServer, a: rest}
		}
	case "task":
		if t, ok := strings.CutSuffix(rest, ":server"); ok && isName(t) {
			return keyInfo{category: CategoryTask, a: t}
		}
	case "lock":
		if t, ok := strings.CutPrefix(rest, "task:"); ok && isName(t) {
			return keyInfo{category: CategoryTaskLock, a: t}
		}
	case "transport":
		// transport:<db>:list:<pipe> (the Redis transport's queues)
		db, pipe, ok := strings.Cut(rest, ":list:")
		if ok && pipe != "" && isDigits(db) {
			return keyInfo{category: CategoryTransport, a: pipe}
		}
	}
	return keyInfo{category: CategoryUnknown}
}

// isName reports whether s can be a client, check, server or task name as
// it appears in a key: not empty and without ':'.
func isName(s string) bool {
	return s != "" && !strings.Contains(s, ":")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Redis types as TYPE names them.
const (
	typeString = "string"
	typeList   = "list"
	typeSet    = "set"
	typeHash   = "hash"
	typeZSet   = "zset"
	typeStream = "stream"
	typeNone   = "none"
)

// valueOp is how a key's value is read.
type valueOp int

const (
	opSize     valueOp = iota // only its size (STRLEN, LLEN, SCARD, ...)
	opGet                     // GET
	opHGetAll                 // HGETALL
	opSMembers                // SMEMBERS
	opLRange                  // LRANGE 0 -1
)

// expected returns the type a key of the category has in 1.x and how its
// value is read; type "" means any (legacy and unknown keys).
func expected(category string) (string, valueOp) {
	switch category {
	case CategoryClient, CategoryClientSignature, CategoryResult, CategoryHistoryLastOK, CategorySilence, CategoryStash:
		return typeString, opGet
	case CategoryServer, CategoryTask, CategoryTaskLock, CategoryTessen:
		return typeString, opSize
	case CategoryClientsSet, CategoryResultSet, CategoryTTLSet, CategoryAggregate, CategoryAggregatesSet,
		CategorySilencedSet, CategoryStashesSet, CategoryServersSet:
		return typeSet, opSMembers
	case CategoryEvents:
		return typeHash, opHGetAll
	case CategoryHistory:
		return typeList, opLRange
	case CategoryTransport:
		return typeList, opSize
	}
	return "", opSize
}

// readsTTL reports whether Read asks the PTTL of keys of the category:
// those 1.x sets an expiry on (silences, stashes, servers, invalidated
// signatures), those only measured (whose size cannot tell a vanished key),
// and those of no known category. The others (clients, results, histories,
// events, index sets) never expire in 1.x, and their read tells a vanished
// key (nil or empty), so their TTL is -1 without costing a command each.
func readsTTL(category string) bool {
	switch category {
	case CategoryClient, CategoryResult, CategoryHistoryLastOK, CategoryEvents, CategoryHistory,
		CategoryClientsSet, CategoryResultSet, CategoryTTLSet, CategoryAggregate, CategoryAggregatesSet,
		CategorySilencedSet, CategoryStashesSet, CategoryServersSet:
		return false
	}
	return true
}

// KeyCategory is the category of a key, from its name alone.
func KeyCategory(key string) string { return parseKey(key).category }

// ClientScoped reports whether keys of the category belong to one client
// (and come in Stream's parts).
func ClientScoped(category string) bool { return clientScoped[category] }
