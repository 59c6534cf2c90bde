package etcdconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Kinds of failure. Each *Error matches exactly one with errors.Is, so the
// command layer can map it to an exit code.
var (
	ErrUnreachable = errors.New("endpoint unreachable")
	ErrTimeout     = errors.New("request timed out")
	ErrTLS         = errors.New("TLS failure")
	ErrAuth        = errors.New("authentication failed")
	ErrPermission  = errors.New("permission denied")
	ErrUsage       = errors.New("bad connection settings")
	ErrNoQuorum    = errors.New("no quorum")
)

// QuorumLostHint says what to do when the running members cannot form a
// quorum.
const QuorumLostHint = "restart the down backends on their state dirs so that a quorum runs again; " +
	"if they are gone for good, rebuild the cluster from a snapshot of a running member (docs/backup.md, \"Quorum lost\"; docs/cluster.md)"

// Error is a connection or request failure explained for an operator.
type Error struct {
	Kind     error
	Endpoint string // the endpoint involved, when one is
	Msg      string
	Hint     string // what to do, usually the flag to set
	Err      error  // the underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

func (e *Error) Is(target error) bool { return target == e.Kind }
func (e *Error) Unwrap() error        { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &Error{Kind: ErrUsage, Msg: fmt.Sprintf(format, args...)}
}

// explainNew explains a failure of clientv3.New, which authenticates at once
// when a user is set.
func explainNew(err error, cfg Config, tlsCfg *tls.Config) error {
	c := &Conn{cfg: cfg, tls: tlsCfg}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.DialTimeout+time.Second)
	defer cancel()
	explained := c.Explain(ctx, err, "connect")
	var e *Error
	if errors.As(explained, &e) {
		return e
	}
	return &Error{Kind: ErrUsage, Msg: fmt.Sprintf("cannot create a client for %s: %v", strings.Join(cfg.Endpoints, ","), err), Err: err}
}

// Explain turns err, returned by a request made for action (e.g. "list
// members", "write /sensu.io/checks/default/x"), into an *Error. Errors that
// do not come from the connection are returned unchanged. ctx bounds the
// probes it may make.
func (c *Conn) Explain(ctx context.Context, err error, action string) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	eps := strings.Join(c.cfg.Endpoints, ",")
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, rpctypes.ErrAuthFailed), errors.Is(err, rpctypes.ErrGRPCAuthFailed):
		return &Error{Kind: ErrAuth, Endpoint: eps, Err: err,
			Msg:  fmt.Sprintf("%s: authentication failed for user %q at %s: wrong user name or password", action, c.cfg.User, eps),
			Hint: "check " + c.cfg.credentialSettings()}
	case errors.Is(err, rpctypes.ErrUserEmpty), errors.Is(err, rpctypes.ErrGRPCUserEmpty),
		errors.Is(err, rpctypes.ErrInvalidAuthToken), errors.Is(err, rpctypes.ErrGRPCInvalidAuthToken):
		return &Error{Kind: ErrAuth, Endpoint: eps, Err: err,
			Msg:  fmt.Sprintf("%s: the cluster at %s requires authentication", action, eps),
			Hint: "set " + c.cfg.credentialSettings()}
	case errors.Is(err, rpctypes.ErrPermissionDenied), errors.Is(err, rpctypes.ErrGRPCPermissionDenied):
		who := "this user"
		if c.cfg.User != "" {
			who = fmt.Sprintf("user %q", c.cfg.User)
		}
		return &Error{Kind: ErrPermission, Endpoint: eps, Err: err,
			Msg:  fmt.Sprintf("%s: permission denied: %s lacks the etcd permission for this (at %s)", action, who, eps),
			Hint: "use a user with the needed role: membership changes, snapshots and auth need root; writes need readwrite on the key"}
	}
	if errors.Is(err, rpctypes.ErrGRPCNotSupportedForLearner) || strings.Contains(err.Error(), "rpc not supported for learner") {
		return &Error{Kind: ErrUsage, Endpoint: eps, Err: err,
			Msg:  fmt.Sprintf("%s: %s is a learner, which only serves snapshots and serializable reads", action, eps),
			Hint: "point --endpoints at a voting member"}
	}
	if st, ok := status.FromError(err); ok && st.Code() == codes.PermissionDenied {
		return &Error{Kind: ErrPermission, Endpoint: eps, Err: err, Msg: fmt.Sprintf("%s: permission denied at %s: %s", action, eps, st.Message())}
	}
	if !isTransportFailure(err) {
		return err
	}
	// The client gives no cause for a deadline: probe each endpoint.
	probeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.DialTimeout+time.Second)
	defer cancel()
	var problems []*Error
	for _, ep := range c.cfg.Endpoints {
		if p := probe(probeCtx, ep, c.tls, c.cfg.DialTimeout); p != nil {
			problems = append(problems, p)
		}
	}
	switch {
	case len(problems) == 0:
		return &Error{Kind: ErrTimeout, Endpoint: eps, Err: err,
			Msg:  fmt.Sprintf("%s: no answer from %s within %s although the endpoints accept connections", action, eps, c.cfg.DialTimeout+c.cfg.CommandTimeout),
			Hint: "the cluster may have lost quorum (check each backend's /health), or raise --command-timeout"}
	case len(problems) == 1 && len(c.cfg.Endpoints) == 1:
		p := problems[0]
		p.Msg = action + ": " + p.Msg
		p.Err = err
		return p
	case len(problems) < len(c.cfg.Endpoints) && allUnreachable(problems):
		// Some endpoints accept connections yet did not answer in time while
		// others are down: the running members cannot form a quorum.
		var alive, down []string
		for _, ep := range c.cfg.Endpoints {
			if !hasProblem(problems, ep) {
				alive = append(alive, ep)
			}
		}
		for _, p := range problems {
			down = append(down, p.Msg)
		}
		return &Error{Kind: ErrNoQuorum, Endpoint: eps, Err: err,
			Msg: fmt.Sprintf("%s: no quorum: %s accepts connections but did not answer within %s, and %s; the running members cannot form a quorum (their /health says \"no leader\"), so the cluster cannot commit anything",
				action, strings.Join(alive, ","), c.cfg.DialTimeout+c.cfg.CommandTimeout, strings.Join(down, "; ")),
			Hint: QuorumLostHint}
	default:
		kind := ErrUnreachable
		var parts []string
		for _, p := range problems {
			if p.Kind == ErrTLS {
				kind = ErrTLS
			}
			parts = append(parts, p.Msg)
		}
		return &Error{Kind: kind, Endpoint: eps, Err: err,
			Msg:  fmt.Sprintf("%s: %s", action, strings.Join(parts, "; ")),
			Hint: problems[0].Hint}
	}
}

func allUnreachable(problems []*Error) bool {
	for _, p := range problems {
		if p.Kind != ErrUnreachable {
			return false
		}
	}
	return true
}

func hasProblem(problems []*Error, endpoint string) bool {
	for _, p := range problems {
		if p.Endpoint == endpoint {
			return true
		}
	}
	return false
}

func isTransportFailure(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unavailable, codes.DeadlineExceeded:
			return true
		}
	}
	return false
}

// probe checks one endpoint the way the client would reach it: TCP, then TLS
// with the client's configuration, then one read so that a server rejecting
// the client certificate (TLS 1.3 does that after the handshake) shows.
func probe(ctx context.Context, endpoint string, tlsCfg *tls.Config, dialTimeout time.Duration) *Error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return &Error{Kind: ErrUsage, Endpoint: endpoint, Msg: fmt.Sprintf("%s is not a URL", endpoint), Hint: "check --endpoints"}
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		msg := fmt.Sprintf("cannot reach %s: %s", endpoint, dialCause(err, dialTimeout))
		return &Error{Kind: ErrUnreachable, Endpoint: endpoint, Msg: msg, Hint: "is a backend running there? check --endpoints"}
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	if u.Scheme != "https" {
		// A plaintext etcd answers the HTTP/2 preface with a SETTINGS frame; a
		// TLS listener sends an alert (0x15) or just hangs up.
		if _, err := conn.Write([]byte(h2Preface)); err == nil {
			buf := make([]byte, 1)
			n, rerr := conn.Read(buf)
			if n == 1 && buf[0] == 0x15 || n == 0 && (errors.Is(rerr, io.EOF) || errors.Is(rerr, syscall.ECONNRESET)) {
				return &Error{Kind: ErrTLS, Endpoint: endpoint, Msg: fmt.Sprintf("%s hung up on a plaintext request: it speaks TLS", endpoint), Hint: "use https:// in --endpoints, with --cacert"}
			}
		}
		return nil
	}
	cfg := &tls.Config{}
	if tlsCfg != nil {
		cfg = tlsCfg.Clone()
	}
	cfg.ServerName = u.Hostname()
	cfg.NextProtos = []string{"h2"}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return tlsProblem(endpoint, err)
	}
	if _, err := tc.Write([]byte(h2Preface)); err != nil {
		return tlsProblem(endpoint, err)
	}
	if _, err := tc.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
		return tlsProblem(endpoint, err)
	}
	return nil
}

// h2Preface is the HTTP/2 connection preface plus an empty SETTINGS frame.
const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"

func dialCause(err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case isTimeout(err):
		return fmt.Sprintf("no answer within %s (--dial-timeout)", timeout)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "unknown host " + dnsErr.Name
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

func tlsProblem(endpoint string, err error) *Error {
	e := &Error{Kind: ErrTLS, Endpoint: endpoint}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	msg := err.Error()
	switch {
	case errors.As(err, &unknownCA) || strings.Contains(msg, "certificate signed by unknown authority"):
		e.Msg = fmt.Sprintf("%s: x509: certificate signed by unknown authority", endpoint)
		e.Hint = "set --cacert to the CA that signed the backend's certificate"
	case errors.As(err, &hostErr):
		e.Msg = fmt.Sprintf("%s: the certificate is not valid for %s", endpoint, hostErr.Host)
		e.Hint = "connect with a host name or address the certificate names"
	case errors.As(err, &certErr):
		e.Msg = fmt.Sprintf("%s: %v", endpoint, certErr.Err)
		e.Hint = "check --cacert"
	case strings.Contains(msg, "certificate required"):
		e.Msg = fmt.Sprintf("%s: the backend requires a client certificate", endpoint)
		e.Hint = "set --cert and --key"
	case strings.Contains(msg, "bad certificate"), strings.Contains(msg, "unknown certificate authority"):
		e.Msg = fmt.Sprintf("%s: the backend rejected the client certificate", endpoint)
		e.Hint = "--cert must be signed by a CA the backend trusts (its etcd-trusted-ca-file)"
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		e.Msg = fmt.Sprintf("%s does not speak TLS", endpoint)
		e.Hint = "use http:// in --endpoints"
	default:
		e.Msg = fmt.Sprintf("%s: TLS: %v", endpoint, err)
		e.Hint = "check --cacert, --cert and --key"
	}
	return e
}
