package sensu1redis

import (
	"time"
)

// Snapshot is the 1.x state read from one Redis database.
type Snapshot struct {
	// Addr is host:port of the server and DB the database number read.
	Addr string
	DB   int
	// Started and Finished bound the read. TTLs were measured in between:
	// a key's expiry is about Started + TTL.
	Started, Finished time.Time

	Clients    []Client    // sorted by name
	Results    []Result    // sorted by client, check
	Events     []Event     // sorted by client, check
	Silences   []Silence   // sorted by id
	Stashes    []Stash     // sorted by path
	Aggregates []Aggregate // sorted by name
	// Keys holds every key SCAN returned, sorted, with its type, TTL and
	// category, for the report.
	Keys []Key
	// Dangling are set members whose target key is missing (expired, or
	// deleted non-atomically by 1.x), sorted by set and member.
	Dangling []Dangling
	// Invalid are values that could not be used: malformed JSON, a key of
	// an unexpected type, a history entry that is not a number. The key
	// (or hash field) is left out of Clients, Results, Events, Silences,
	// Stashes and Aggregates. Sorted by key and field.
	Invalid []InvalidValue
}

// Client is one entry of the client registry: the key client:<name>.
type Client struct {
	Name string
	// Data is the client JSON (the keepalive payload, with secrets already
	// redacted by 1.x); numbers are json.Number.
	Data map[string]any
	// Signature is the value of client:<name>:signature: "" when the client
	// has none, "invalidated" after DELETE /clients/:c?invalidate=true.
	// HasSignature is false when that key does not exist (clients created
	// through the API).
	Signature    string
	HasSignature bool
	// InClientsSet reports whether the name is a member of the clients set
	// (1.x lists only those).
	InClientsSet bool
}

// Result is the latest check result of a client: result:<client>:<check>.
type Result struct {
	Client, Check string
	// Data is the check result JSON; numbers are json.Number.
	Data map[string]any
	// History are the last (≤ 21) statuses of history:<client>:<check>,
	// oldest first; nil when that key does not exist.
	History []int
	// LastOK is history:<client>:<check>:last_ok, the epoch of the last OK
	// result; HasLastOK is false when there is none.
	LastOK    int64
	HasLastOK bool
	// InResultSet reports whether the check is a member of result:<client>.
	InResultSet bool
	// TTLMonitored reports whether "<client>:<check>" is in the ttl set.
	TTLMonitored bool
}

// Event is a stored event: field <check> of the hash events:<client>.
type Event struct {
	Client, Check string
	// Data is the event JSON; numbers are json.Number. Its check.history
	// holds strings, as 1.x stores them.
	Data map[string]any
}

// Silence is one silence entry: silence:<id>.
type Silence struct {
	// ID is the key without "silence:" ("<subscription|*>:<check|*>").
	ID string
	// Data is the silence JSON; numbers are json.Number.
	Data map[string]any
	// TTL is the remaining time to live of the key (the expiry 1.x sets
	// with EXPIRE), -1 when the entry never expires.
	TTL time.Duration
	// ExpiresAt is when the key expires (zero when it does not): the time
	// its PTTL reply arrived plus TTL, so never before the real expiry and
	// later by at most one pipeline round trip.
	ExpiresAt time.Time
	// InSilencedSet reports whether the full key is in the silenced set.
	InSilencedSet bool
}

// Stash is one stash: stash:<path>.
type Stash struct {
	Path string
	// Data is the stash JSON object; numbers are json.Number.
	Data map[string]any
	// TTL is the remaining time to live, -1 when the stash never expires;
	// ExpiresAt is as for Silence.
	TTL       time.Duration
	ExpiresAt time.Time
	// Legacy marks stash-based silencing from before 1.x silences
	// (stash:silence/<client>[/<check>], stash:silence/all/<check>).
	Legacy bool
	// InStashesSet reports whether the path is in the stashes set.
	InStashesSet bool
}

// Aggregate is a named aggregate: the set aggregates:<name> of
// "<client>:<check>" members.
type Aggregate struct {
	Name    string
	Members []string // sorted
	// InAggregatesSet reports whether the name is in the aggregates set.
	InAggregatesSet bool
}

// Key is one key of the database.
type Key struct {
	Key string
	// Type is the Redis type, as TYPE names it: string, list, set, hash,
	// zset, stream (or a module's type), or "none" for a key that vanished
	// (expired) between SCAN and reading it.
	Type string
	// TTL is the remaining time to live (PTTL), -1 when the key never
	// expires, -2 when it vanished. It is read for the categories 1.x may
	// expire and for unknown keys; the others, which 1.x never expires,
	// have -1.
	TTL time.Duration
	// Category is what the key is in the 1.x keyspace; one of the Category*
	// constants.
	Category string
	// Len is the number of elements of a list, set, hash, sorted set or
	// stream, or the length in bytes of a string.
	Len int64
}

// Dangling is a member of an index set whose target key does not exist.
type Dangling struct {
	Set, Member, MissingKey string
}

// InvalidValue is a value that could not be used.
type InvalidValue struct {
	Key   string
	Field string // the hash field (check name) for events:<client>; else ""
	Error string
}

// The categories of Key.Category.
const (
	CategoryClient          = "client"           // client:<c>
	CategoryClientSignature = "client-signature" // client:<c>:signature
	CategoryClientsSet      = "clients-set"      // clients
	CategoryEvents          = "events"           // events:<c>
	CategoryResult          = "result"           // result:<c>:<k>
	CategoryResultSet       = "result-set"       // result:<c>
	CategoryHistory         = "history"          // history:<c>:<k>
	CategoryHistoryLastOK   = "history-last-ok"  // history:<c>:<k>:last_ok
	CategoryTTLSet          = "ttl-set"          // ttl
	CategoryAggregate       = "aggregate"        // aggregates:<name>
	CategoryAggregatesSet   = "aggregates-set"   // aggregates
	CategorySilence         = "silence"          // silence:<id>
	CategorySilencedSet     = "silenced-set"     // silenced
	CategoryStash           = "stash"            // stash:<path>
	CategoryStashesSet      = "stashes-set"      // stashes
	CategoryServer          = "server"           // server:<uuid>
	CategoryServersSet      = "servers-set"      // servers
	CategoryTask            = "task"             // task:<task>:server
	CategoryTaskLock        = "task-lock"        // lock:task:<task>
	CategoryTessen          = "tessen"           // tessen:install_id
	CategoryTransport       = "transport"        // transport:<db>:list:<pipe>
	CategoryLegacy          = "legacy"           // keys of 1.x before 0.29
	CategoryUnknown         = "unknown"          // not a Sensu 1.x key
)
