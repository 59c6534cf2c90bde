package sensu1redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Options say which Redis database to read.
type Options struct {
	// URL is redis://[user:password@]host:port/db, or rediss:// for TLS.
	// Defaults: host 127.0.0.1, port 6379, db 0. As in 1.x, a password
	// alone is given as redis://:password@host. Special characters in the
	// user or password must be percent-encoded.
	URL string
	// Username and Password, when not empty, replace those of the URL (so
	// that a password need not appear on a command line).
	Username, Password string
	// TLS is the client TLS configuration for rediss:// (nil: the system
	// roots and the URL's host as server name).
	TLS *tls.Config
	// DialTimeout bounds connecting (default 5s); ReadTimeout bounds each
	// reply (default 30s).
	DialTimeout, ReadTimeout time.Duration
	// BatchSize is the number of keys per pipeline (default 1000).
	BatchSize int
	// Progress, when set, is called after each batch with the number of
	// keys read so far and the number of keys SCAN found.
	Progress func(done, total int)
}

const (
	defaultDialTimeout = 5 * time.Second
	defaultReadTimeout = 30 * time.Second
	defaultBatchSize   = 1000
	scanCount          = 1000
)

// Commands are the Redis commands Read and ReadRaw send (besides AUTH or
// HELLO, which every user may run): a user with exactly these, on all keys,
// can read a 1.x database — ACL SETUSER <user> on ><password> ~* with
// MinimalACL. SELECT is sent only for a db other than 0.
var Commands = []string{"PING", "SELECT", "SCAN", "TYPE", "PTTL", "GET", "STRLEN", "HGETALL", "HLEN",
	"SMEMBERS", "SCARD", "LRANGE", "LLEN", "ZCARD", "XLEN"}

// MinimalACL are ACL SETUSER rules that allow exactly Commands on every key.
var MinimalACL = func() []string {
	rules := []string{"resetkeys", "~*", "resetchannels", "-@all"}
	for _, c := range Commands {
		rules = append(rules, "+"+strings.ToLower(c))
	}
	return rules
}()

// Sentinel causes of an *Error, for errors.Is.
var (
	ErrInvalidURL  = errors.New("invalid Redis URL")
	ErrUnreachable = errors.New("Redis server unreachable")
	ErrAuth        = errors.New("Redis authentication failed")
	ErrNoDB        = errors.New("Redis database does not exist")
	ErrPermission  = errors.New("Redis permission denied")
)

// Error is a failure to reach or read the server at Addr. Its message names
// the address, never the password.
type Error struct {
	Addr string
	// Kind is one of the Err* sentinels, or nil.
	Kind error
	Msg  string
	Err  error // the underlying error, if any
}

func (e *Error) Error() string {
	if e.Addr == "" {
		return e.Msg
	}
	return "redis " + e.Addr + ": " + e.Msg
}

func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// target is a parsed Options.URL.
type target struct {
	addr     string
	host     string
	db       int
	user     string
	password string
	tls      bool
}

const urlForm = "expected redis://[user:password@]host:port/db or rediss://…"

// parseURL parses raw without ever putting the password in an error.
func parseURL(raw string) (target, error) {
	bad := func(format string, args ...any) (target, error) {
		return target{}, &Error{Kind: ErrInvalidURL, Msg: "invalid Redis URL: " + fmt.Sprintf(format, args...)}
	}
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	if !strings.Contains(raw, "://") {
		raw = "redis://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included.
		return bad("cannot parse it (%s; percent-encode special characters in the password)", urlForm)
	}
	t := target{host: u.Hostname()}
	switch u.Scheme {
	case "redis":
	case "rediss":
		t.tls = true
	default:
		return bad("scheme %q (%s)", u.Scheme, urlForm)
	}
	if u.Opaque != "" {
		return bad("no host (%s)", urlForm)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return bad("query parameters are not supported (%s)", urlForm)
	}
	if t.host == "" {
		t.host = "127.0.0.1"
	}
	port := u.Port()
	if port == "" {
		port = "6379"
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad("port %q", port)
	}
	t.addr = net.JoinHostPort(t.host, port)
	if u.User != nil {
		t.user = u.User.Username()
		t.password, _ = u.User.Password()
	}
	switch p := strings.TrimPrefix(u.Path, "/"); {
	case p == "":
	case isDigits(p) && len(p) <= 9:
		t.db, _ = strconv.Atoi(p)
	default:
		return bad("db %q: the path must be a database number", p)
	}
	return t, nil
}

// conn is an open connection to the database read.
type conn struct {
	cl   *redis.Client
	ro   *redis.Options
	addr string
	db   int
	tls  bool
	// connected is set once PING answered: hints about the URL are for
	// failures before.
	connected bool
}

// quietOnce silences go-redis, which logs through a process-wide logger
// (e.g. "failed to dial after 1 attempts"): a library does not print, and
// every failure it would log reaches the caller as an error.
var quietOnce sync.Once

// connect parses the options, connects, authenticates, selects the db and
// checks the connection with PING.
func connect(ctx context.Context, opts Options) (*conn, error) {
	t, err := parseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if opts.Username != "" {
		t.user = opts.Username
	}
	if opts.Password != "" {
		t.password = opts.Password
	}
	ro := &redis.Options{
		Addr:     t.addr,
		Username: t.user,
		Password: t.password,
		DB:       t.db,
		// RESP2 works with every Redis version a 1.x install may run; no
		// CLIENT SETINFO / MAINT_NOTIFICATIONS, which a read-only user may
		// not run.
		Protocol:                 2,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		DialTimeout:              orDefault(opts.DialTimeout, defaultDialTimeout),
		ReadTimeout:              orDefault(opts.ReadTimeout, defaultReadTimeout),
		WriteTimeout:             orDefault(opts.ReadTimeout, defaultReadTimeout),
		ContextTimeoutEnabled:    true,
		// One attempt: a one-shot read reports the failure instead of
		// retrying behind the user's back.
		MaxRetries:    -1,
		DialerRetries: 1,
		PoolSize:      2,
	}
	if t.tls {
		if opts.TLS != nil {
			ro.TLSConfig = opts.TLS.Clone()
		} else {
			ro.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		if ro.TLSConfig.ServerName == "" {
			ro.TLSConfig.ServerName = t.host
		}
	}
	quietOnce.Do(logging.Disable)
	c := &conn{cl: redis.NewClient(ro), ro: ro, addr: t.addr, db: t.db, tls: t.tls}
	if err := c.cl.Ping(ctx).Err(); err != nil {
		err = c.wrap(ctx, err)
		c.cl.Close()
		return nil, err
	}
	c.connected = true
	return c, nil
}

func orDefault(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func (c *conn) Close() error { return c.cl.Close() }

// wrap turns an error of go-redis into an *Error that says what failed and,
// when it can, what to do.
func (c *conn) wrap(ctx context.Context, err error) error {
	ro := c.ro
	e := &Error{Addr: c.addr, Err: err, Msg: err.Error()}
	var rerr redis.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case ctx.Err() != nil:
		e.Msg = "interrupted: " + ctx.Err().Error()
		e.Err = ctx.Err()
	case errors.As(err, &rerr):
		c.serverError(e, rerr.Error(), ro)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind, e.Msg = ErrUnreachable, "connection refused"
	case errors.As(err, &dnsErr):
		e.Kind, e.Msg = ErrUnreachable, "cannot resolve "+dnsErr.Name+": "+dnsErr.Err
	case errors.As(err, &certErr):
		e.Kind, e.Msg = ErrUnreachable, "TLS: "+certErr.Err.Error()+" (give the CA certificate that signed the server's)"
	case errors.As(err, &recErr):
		e.Kind, e.Msg = ErrUnreachable, "TLS handshake failed: the server does not speak TLS (use redis:// instead of rediss://)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout():
		// ctx is not done (above): the dial timeout, which covers the TLS
		// handshake.
		e.Kind = ErrUnreachable
		if c.tls {
			e.Msg = "no TLS connection within " + ro.DialTimeout.String() + " (dial timeout; is it a TLS port? rediss:// is for TLS, redis:// for plain ports)"
		} else {
			e.Msg = "no connection within " + ro.DialTimeout.String() + " (dial timeout)"
		}
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &opErr) && opErr.Timeout():
		e.Kind, e.Msg = ErrUnreachable, "no reply within "+ro.ReadTimeout.String()+" (read timeout; is it a Redis server?)"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		e.Kind, e.Msg = ErrUnreachable, opErr.Err.Error()
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET):
		e.Kind, e.Msg = ErrUnreachable, "the server closed the connection ("+err.Error()+")"
		if !c.connected && !c.tls {
			e.Msg += ": is it a TLS port? rediss:// is for TLS"
		}
	}
	return e
}

// serverError describes an error reply of the server.
func (c *conn) serverError(e *Error, msg string, ro *redis.Options) {
	switch {
	case strings.HasPrefix(msg, "WRONGPASS"), strings.Contains(msg, "invalid password"),
		strings.Contains(msg, "without any password configured"):
		e.Kind, e.Msg = ErrAuth, "authentication failed ("+msg+")"
	case strings.HasPrefix(msg, "NOAUTH"):
		e.Kind, e.Msg = ErrAuth, "authentication required ("+msg+"): give the password in the URL, redis://:PASSWORD@host:port, or as Options.Password"
	case strings.Contains(msg, "wrong number of arguments for 'auth'"):
		e.Kind, e.Msg = ErrAuth, "authentication failed ("+msg+"): this server (Redis < 6) has no users, give the password alone: redis://:PASSWORD@host:port"
	case strings.Contains(msg, "DB index is out of range"), strings.Contains(msg, "invalid DB index"):
		e.Kind, e.Msg = ErrNoDB, fmt.Sprintf("db %d does not exist (%s)", c.db, c.databases(ro, msg))
	case strings.HasPrefix(msg, "NOPERM"):
		e.Kind, e.Msg = ErrPermission, "permission denied ("+msg+"): the user needs "+strings.Join(Commands, " ")+" on all keys (~*)"
	case strings.HasPrefix(msg, "LOADING"):
		e.Kind, e.Msg = ErrUnreachable, "the server is loading its data set ("+msg+"): retry when it has finished"
	default:
		e.Msg = msg
	}
}

// databases asks the server how many databases it has (CONFIG GET
// databases, often not allowed); otherwise it returns msg.
func (c *conn) databases(ro *redis.Options, msg string) string {
	o := *ro
	o.DB = 0
	cl := redis.NewClient(&o)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), o.DialTimeout)
	defer cancel()
	v, err := cl.ConfigGet(ctx, "databases").Result()
	if err != nil {
		return msg
	}
	n, err := strconv.Atoi(v["databases"])
	if err != nil || n < 1 {
		return msg
	}
	if n == 1 {
		return "the server has 1 database, 0"
	}
	return fmt.Sprintf("the server has %d databases, 0-%d", n, n-1)
}
