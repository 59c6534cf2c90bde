// Package sensu1redis reads the monitoring state that Sensu Core 1.x (0.29 –
// 1.9) keeps in Redis: the client registry, the latest check result and
// history per client and check, stored events, silences, stashes and
// aggregates.
//
// Read walks the whole database with SCAN and reads every key with
// read-only commands; it never writes and never runs KEYS. The 1.x keyspace
// is flat and has no prefix: key names are parsed according to the 1.x
// catalogue (client and check names contain no ':', while silence ids,
// aggregate names and stash paths may). What a live 1.x installation leaves
// behind — set members whose key is gone, values that are not JSON, keys of
// older versions or of other applications — is reported in the Snapshot and
// does not stop the read.
//
// # Redis commands and ACL
//
// Read and ReadRaw send only the commands listed in Commands: PING, SELECT
// (for a db other than 0), SCAN, TYPE, PTTL, GET, STRLEN, HGETALL, HLEN,
// SMEMBERS, SCARD, LRANGE, LLEN, ZCARD and XLEN, besides HELLO or AUTH,
// which every user may run. On Redis 6 and later a user for the import
// needs no more than
//
//	ACL SETUSER sensu-import on >PASSWORD resetkeys ~* resetchannels -@all +ping +select +scan +type +pttl +get +strlen +hgetall +hlen +smembers +scard +lrange +llen +zcard +xlen
//
// (MinimalACL), or the broader "~* -@all +@read -@dangerous +ping +select".
// When a db number does not exist, CONFIG GET databases is tried to say how
// many there are; without that permission the error says less.
//
// Errors are *Error values naming the server's address, never the password,
// with a sentinel (ErrUnreachable, ErrAuth, ErrNoDB, ErrPermission,
// ErrInvalidURL) for errors.Is.
package sensu1redis
