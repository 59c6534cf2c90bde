package sensu1redis_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

// summary is what two reads of the same data must agree on.
func summary(s *sensu1redis.Snapshot) string {
	return fmt.Sprintf("keys %v\nclients %d results %d events %d silences %d stashes %d aggregates %d dangling %v invalid %v",
		keyNames(s), len(s.Clients), len(s.Results), len(s.Events), len(s.Silences), len(s.Stashes), len(s.Aggregates), s.Dangling, s.Invalid)
}

func keyNames(s *sensu1redis.Snapshot) []string {
	var names []string
	for _, k := range s.Keys {
		names = append(names, k.Key+" "+k.Type+" "+k.Category)
	}
	return names
}

// TestReadDB reads a db other than 0 (SELECT) and an empty one.
func TestReadDB(t *testing.T) {
	r := populated(t, "REDIS_DB=3")
	snap := read(t, sensu1redis.Options{URL: r.URL() + "/3"})
	if snap.DB != 3 || len(snap.Clients) != 5 || len(snap.Results) != 18 || len(snap.Keys) != 95 {
		t.Errorf("db 3: %s", summary(snap))
	}
	empty := read(t, sensu1redis.Options{URL: r.URL() + "/0"})
	if len(empty.Keys) != 0 || len(empty.Clients) != 0 || len(empty.Dangling) != 0 {
		t.Errorf("db 0 is empty, read %s", summary(empty))
	}
}

// TestReadOnlyUsers reads with users that may run nothing but the read
// commands: the reader needs no write, no KEYS, no CONFIG, no CLIENT.
func TestReadOnlyUsers(t *testing.T) {
	r := populated(t, "REDIS_DB=2")
	want := read(t, sensu1redis.Options{URL: r.URL() + "/2"})

	// exactly the commands Read documents
	r.AddUser(t, "minimal", "pw-minimal", sensu1redis.MinimalACL...)
	// the usual "read only": @read without @dangerous (so no KEYS)
	r.AddReadOnlyUser(t, "reader", "pw-reader")
	for _, opts := range []sensu1redis.Options{
		{URL: r.UserURL("minimal", "pw-minimal", 2)},
		{URL: r.UserURL("reader", "pw-reader", 2)},
		{URL: r.URL() + "/2", Username: "reader", Password: "pw-reader"},
	} {
		got := read(t, opts)
		if summary(got) != summary(want) {
			t.Errorf("%s:\n%s\nwant\n%s", opts.URL, summary(got), summary(want))
		}
		if !reflect.DeepEqual(got.Results, want.Results) || !reflect.DeepEqual(got.Events, want.Events) {
			t.Errorf("%s: results or events differ", opts.URL)
		}
		raw, _, err := sensu1redis.ReadRaw(testutil.Ctx(t, time.Minute), opts)
		if err != nil || raw != len(want.Keys) {
			t.Errorf("ReadRaw %s: %d keys, %v", opts.URL, raw, err)
		}
	}
	// Nothing was refused on the way (ACL LOG lists denied commands).
	if log := r.Do(t, "ACL", "LOG"); len(log.([]any)) != 0 {
		t.Errorf("ACL LOG: %v", log)
	}
}

func TestReadErrors(t *testing.T) {
	r := populated(t)
	r.AddReadOnlyUser(t, "reader", "pw-reader")
	r.AddUser(t, "noscan", "pw-noscan", "~*", "+ping")
	r.AddUser(t, "someKeys", "pw-some", "~client:*", "~clients", "+@read", "+ping")
	free := testutil.FreePorts(t, 1)[0]
	unused := fmt.Sprintf("127.0.0.1:%d", free)
	silent := silentServer(t)
	addr := r.Addr()

	for _, tc := range []struct {
		name   string
		opts   sensu1redis.Options
		kind   error
		prefix string // of the message
	}{
		{"unreachable", sensu1redis.Options{URL: "redis://" + unused}, sensu1redis.ErrUnreachable,
			"redis " + unused + ": connection refused"},
		{"wrong password", sensu1redis.Options{URL: r.UserURL("reader", "Secret-Wrong-1", 0)}, sensu1redis.ErrAuth,
			"redis " + addr + ": authentication failed (WRONGPASS"},
		{"wrong password option", sensu1redis.Options{URL: r.UserURL("reader", "pw-reader", 0), Password: "Secret-Wrong-1"}, sensu1redis.ErrAuth,
			"redis " + addr + ": authentication failed (WRONGPASS"},
		{"unknown user", sensu1redis.Options{URL: r.UserURL("nobody", "Secret-Wrong-1", 0)}, sensu1redis.ErrAuth,
			"redis " + addr + ": authentication failed (WRONGPASS"},
		{"no such db", sensu1redis.Options{URL: r.URL() + "/99"}, sensu1redis.ErrNoDB,
			"redis " + addr + ": db 99 does not exist (the server has 16 databases, 0-15)"},
		{"no such db, user without CONFIG", sensu1redis.Options{URL: r.UserURL("reader", "pw-reader", 16)}, sensu1redis.ErrNoDB,
			"redis " + addr + ": db 16 does not exist (ERR DB index is out of range)"},
		{"no SCAN", sensu1redis.Options{URL: r.UserURL("noscan", "pw-noscan", 0)}, sensu1redis.ErrPermission,
			"redis " + addr + ": permission denied (NOPERM"},
		{"not every key", sensu1redis.Options{URL: r.UserURL("someKeys", "pw-some", 0)}, sensu1redis.ErrPermission,
			"redis " + addr + ": permission denied (NOPERM"},
		{"TLS to a plain port", sensu1redis.Options{URL: "rediss://" + addr, DialTimeout: 300 * time.Millisecond}, sensu1redis.ErrUnreachable,
			"redis " + addr + ": no TLS connection within 300ms (dial timeout; is it a TLS port?"},
		{"no reply", sensu1redis.Options{URL: "redis://" + silent, ReadTimeout: 300 * time.Millisecond}, sensu1redis.ErrUnreachable,
			"redis " + silent + ": no reply within 300ms"},
		{"bad scheme", sensu1redis.Options{URL: "http://" + addr}, sensu1redis.ErrInvalidURL,
			`invalid Redis URL: scheme "http"`},
		{"bad escape in the password", sensu1redis.Options{URL: "redis://u:Secret%zz-Wrong-1@" + addr}, sensu1redis.ErrInvalidURL,
			"invalid Redis URL: cannot parse it"},
		{"bad db", sensu1redis.Options{URL: "redis://:Secret-Wrong-1@" + addr + "/x"}, sensu1redis.ErrInvalidURL,
			`invalid Redis URL: db "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sensu1redis.Read(testutil.Ctx(t, time.Minute), tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.prefix) {
				t.Errorf("error %q, want it to start with %q", msg, tc.prefix)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %q is not %v", msg, tc.kind)
			}
			if strings.Contains(msg, "Secret") {
				t.Errorf("error %q shows the password", msg)
			}
			var e *sensu1redis.Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not a *sensu1redis.Error", err)
			}
			t.Log(msg)
		})
	}

	t.Run("password required", func(t *testing.T) {
		r := testutil.StartRedis(t)
		r.Do(t, "CONFIG", "SET", "requirepass", "pw-default")
		_, err := sensu1redis.Read(testutil.Ctx(t, time.Minute), sensu1redis.Options{URL: r.URL()})
		if err == nil || !errors.Is(err, sensu1redis.ErrAuth) || !strings.HasPrefix(err.Error(), "redis "+r.Addr()+": authentication required (NOAUTH") {
			t.Fatalf("error %v", err)
		}
		t.Log(err)
		if _, err := sensu1redis.Read(testutil.Ctx(t, time.Minute), sensu1redis.Options{URL: "redis://:pw-default@" + r.Addr()}); err != nil {
			t.Errorf("with the password: %v", err)
		}
	})

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := sensu1redis.Read(ctx, sensu1redis.Options{URL: r.URL()})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestReadTLS reads over rediss:// and checks the TLS failures.
func TestReadTLS(t *testing.T) {
	ca := testutil.NewCA(t, "redis")
	r := testutil.StartRedis(t, testutil.RedisOptions{TLS: &testutil.RedisTLS{CA: ca, Cert: ca.Issue(t, "redis")}})
	testutil.PopulateSensu1(t, r, fixtureNow)
	pem, err := os.ReadFile(ca.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)

	snap := read(t, sensu1redis.Options{URL: r.TLSURL(), TLS: &tls.Config{RootCAs: roots}})
	if snap.Addr != r.TLSAddr() || len(snap.Clients) != 5 || len(snap.Results) != 18 || len(snap.Keys) != 95 {
		t.Errorf("over TLS: %s", summary(snap))
	}

	for _, tc := range []struct {
		name, url, prefix string
	}{
		{"unknown CA", r.TLSURL(), "redis " + r.TLSAddr() + ": TLS: x509: certificate signed by unknown authority"},
		{"plain to the TLS port", "redis://" + r.TLSAddr(), "redis " + r.TLSAddr() + ": the server closed the connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sensu1redis.Read(testutil.Ctx(t, time.Minute), sensu1redis.Options{URL: tc.url})
			if err == nil || !strings.HasPrefix(err.Error(), tc.prefix) || !errors.Is(err, sensu1redis.ErrUnreachable) {
				t.Errorf("error %v, want %q…", err, tc.prefix)
			}
			t.Log(err)
		})
	}
}
