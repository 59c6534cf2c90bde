package testutil

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Redis is a redis-server process started by StartRedis for one test. It
// listens on 127.0.0.1 only, keeps nothing on disk and is stopped by
// t.Cleanup. Its default user has no password and may run everything, so
// tests can set up data; AddUser adds restricted users.
type Redis struct {
	port    int
	tlsPort int
	tls     *RedisTLS
	dir     string
	logPath string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	exitErr error
	admin   *redis.Client
}

// ReadOnlyACL are the ACL rules of AddReadOnlyUser: every key, every command
// of the @read category except the @dangerous ones (so no KEYS), plus PING
// and SELECT, and nothing else (no @write, no CONFIG, no CLIENT).
var ReadOnlyACL = []string{"resetkeys", "~*", "resetchannels", "-@all", "+@read", "-@dangerous", "+ping", "+select"}

// RedisOptions tune StartRedis.
type RedisOptions struct {
	// TLS adds a TLS port (TLSAddr, TLSURL) beside the plain one.
	TLS *RedisTLS
}

// RedisTLS is the server's certificate; clients need no certificate.
type RedisTLS struct {
	CA   *CA
	Cert CertPair
}

// StartRedis starts a redis-server on a free 127.0.0.1 port with persistence
// off and its working directory in a temp dir, and waits until it answers
// PING. The server is stopped (SIGTERM, then SIGKILL) by t.Cleanup, which
// waits for the process to exit. Without redis-server on PATH the test is
// skipped, or fails when CI=true.
func StartRedis(t testing.TB, opts ...RedisOptions) *Redis {
	t.Helper()
	var opt RedisOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	bin := requireTool(t, "redis-server")
	var lastErr error
	// FreePorts cannot hold the port for us; another process can take it in
	// between, so a server that dies at start is retried on new ports.
	for range 3 {
		ports := FreePorts(t, 2)
		r := &Redis{port: ports[0], dir: t.TempDir(), tls: opt.TLS}
		if opt.TLS != nil {
			r.tlsPort = ports[1]
		}
		r.logPath = filepath.Join(r.dir, "redis.log")
		if err := r.start(bin); err != nil {
			t.Fatalf("start redis-server: %v", err)
		}
		if lastErr = r.waitReady(15 * time.Second); lastErr == nil {
			t.Cleanup(func() {
				r.Stop()
				if t.Failed() {
					t.Logf("log of redis-server on port %d:\n%s", r.port, tail(r.Logs(), 30))
				}
			})
			return r
		}
		r.Stop()
	}
	t.Fatalf("redis-server did not start: %v", lastErr)
	return nil
}

// requireTool returns the path of a program on PATH. A missing program skips
// the test, except on CI (CI=true), where it is an error.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not installed: %v (install the redis server package, e.g. apt-get install redis-server, to run the Redis tests)", name, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func (r *Redis) start(bin string) error {
	args := []string{
		"--port", strconv.Itoa(r.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", r.dir,
		"--logfile", r.logPath,
		"--daemonize", "no",
		"--databases", "16",
	}
	if r.tls != nil {
		args = append(args, "--tls-port", strconv.Itoa(r.tlsPort),
			"--tls-cert-file", r.tls.Cert.CertFile, "--tls-key-file", r.tls.Cert.KeyFile,
			"--tls-ca-cert-file", r.tls.CA.CertFile, "--tls-auth-clients", "no")
	}
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = childAttr()
	cmd.Dir = r.dir
	if err := cmd.Start(); err != nil {
		return err
	}
	r.mu.Lock()
	r.cmd, r.done = cmd, make(chan struct{})
	done := r.done
	r.mu.Unlock()
	go func() {
		err := cmd.Wait()
		r.mu.Lock()
		r.exitErr = err
		r.mu.Unlock()
		close(done)
	}()
	return nil
}

// waitReady sends PING until the server answers +PONG.
func (r *Redis) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := fmt.Errorf("no answer")
	for time.Now().Before(deadline) {
		select {
		case <-r.done:
			return fmt.Errorf("redis-server exited (%v): %s", r.exitErr, tail(r.Logs(), 5))
		default:
		}
		if last = ping(r.Addr()); last == nil && r.tls != nil {
			last = pingTLS(r.TLSAddr(), r.tls.CA.CertFile)
		}
		if last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no PONG from %s after %s: %v", r.Addr(), timeout, last)
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	return pingConn(c)
}

func pingTLS(addr, caFile string) error {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		return err
	}
	return pingConn(c)
}

func pingConn(c net.Conn) error {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Stop ends the server and waits for the process to exit; safe to call more
// than once (t.Cleanup calls it too).
func (r *Redis) Stop() {
	r.mu.Lock()
	cmd, done, admin := r.cmd, r.done, r.admin
	r.admin = nil
	r.mu.Unlock()
	if admin != nil {
		admin.Close()
	}
	if cmd == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Logs returns what the server wrote to its log file so far.
func (r *Redis) Logs() string {
	b, _ := os.ReadFile(r.logPath)
	return string(b)
}

// Port is the TCP port the server listens on.
func (r *Redis) Port() int { return r.port }

// TLSAddr is host:port of the TLS port ("" without RedisOptions.TLS).
func (r *Redis) TLSAddr() string {
	if r.tls == nil {
		return ""
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.tlsPort))
}

// TLSURL is rediss://127.0.0.1:TLSPORT.
func (r *Redis) TLSURL() string { return "rediss://" + r.TLSAddr() }

// Addr is host:port of the server.
func (r *Redis) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// URL is redis://127.0.0.1:PORT (default user, db 0).
func (r *Redis) URL() string { return "redis://" + r.Addr() }

// UserURL is redis://USER:PASSWORD@127.0.0.1:PORT/DB.
func (r *Redis) UserURL(user, password string, db int) string {
	return fmt.Sprintf("redis://%s:%s@%s/%d", user, password, r.Addr(), db)
}

// Client returns a go-redis client for db as the (all-powerful) default
// user, closed by t.Cleanup; for setting up test data.
func (r *Redis) Client(t testing.TB, db int) *redis.Client {
	t.Helper()
	c := r.newClient(db)
	t.Cleanup(func() { c.Close() })
	return c
}

func (r *Redis) newClient(db int) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr: r.Addr(), DB: db, Protocol: 2, DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
}

// Do runs one command as the default user on db 0 and fails the test on an
// error reply.
func (r *Redis) Do(t testing.TB, args ...any) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.mu.Lock()
	if r.admin == nil {
		r.admin = r.newClient(0)
	}
	c := r.admin
	r.mu.Unlock()
	v, err := c.Do(ctx, args...).Result()
	if err != nil && err != redis.Nil {
		t.Fatalf("redis %v: %v", args, err)
	}
	return v
}

// AddUser creates (or resets) the ACL user name with password and the given
// ACL rules (ACL SETUSER name reset on >password rules...). Needs Redis >= 6.
func (r *Redis) AddUser(t testing.TB, name, password string, rules ...string) {
	t.Helper()
	args := []any{"ACL", "SETUSER", name, "reset", "on", ">" + password}
	for _, rule := range rules {
		args = append(args, rule)
	}
	r.Do(t, args...)
}

// AddReadOnlyUser creates a user that may read every key with the @read
// commands (without KEYS and the other @dangerous ones), PING and SELECT,
// and run nothing else: see ReadOnlyACL.
func (r *Redis) AddReadOnlyUser(t testing.TB, name, password string) {
	t.Helper()
	r.AddUser(t, name, password, ReadOnlyACL...)
}

// PopulateSensu1 runs testdata/sensu1/populate_redis.sh against r (db 0
// unless env sets REDIS_DB) with NOW=now, FLUSH=1, INCLUDE_TRANSPORT_KEYS=1
// and INCLUDE_ORPHANS=1; env (KEY=VALUE) adds or overrides variables, e.g.
// INCLUDE_ORPHANS=0 or REDIS_DB=3. The script needs bash and redis-cli.
func PopulateSensu1(t testing.TB, r *Redis, now int64, env ...string) {
	t.Helper()
	requireTool(t, "redis-cli")
	root := RepoRoot(t)
	cmd := exec.Command("bash", filepath.Join(root, "testdata", "sensu1", "populate_redis.sh"))
	cmd.Env = append(os.Environ(),
		"REDIS_HOST=127.0.0.1",
		"REDIS_PORT="+strconv.Itoa(r.Port()),
		"REDIS_DB=0",
		"NOW="+strconv.FormatInt(now, 10),
		"FLUSH=1",
		"INCLUDE_TRANSPORT_KEYS=1",
		"INCLUDE_ORPHANS=1",
	)
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("populate_redis.sh: %v\n%s", err, out)
	}
}

// RepoRoot is the directory holding go.mod, found by walking up from the
// test's working directory (the package directory under go test).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}
