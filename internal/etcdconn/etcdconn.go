// Package etcdconn connects sensuctl to the etcd inside the backends and
// explains failures: which endpoint, what went wrong, and which flag fixes it.
// The v3.7 client dials lazily and retries until its context ends, so a bare
// error is often just "context deadline exceeded"; Explain probes the
// endpoints to say why.
package etcdconn

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"strings"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
)

// Config says how to reach the cluster.
type Config struct {
	Endpoints             []string
	CACert                string
	Cert                  string
	Key                   string
	InsecureSkipTLSVerify bool
	User                  string
	Password              string
	// CredentialSettings names, in hints, where the user and password come
	// from; empty means sensuctl's "--user and --password (or
	// SENSUCTL_PASSWORD)". sensu-backend init sets its own.
	CredentialSettings string
	DialTimeout        time.Duration
	CommandTimeout     time.Duration
	// Debug, when not nil, receives one line per RPC and the client's own log.
	Debug io.Writer
}

// Conn is a connected client plus what is needed to explain its failures.
type Conn struct {
	*clientv3.Client
	cfg Config
	tls *tls.Config
}

// New creates a client. Nothing is dialled until the first request.
func New(cfg Config) (*Conn, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, usageErrorf("no endpoints: set --endpoints")
	}
	for _, ep := range cfg.Endpoints {
		if !strings.HasPrefix(ep, "http://") && !strings.HasPrefix(ep, "https://") && !strings.HasPrefix(ep, "unix://") {
			return nil, usageErrorf("endpoint %q needs a scheme, e.g. http://%s or https://%s (--endpoints)", ep, ep, ep)
		}
	}
	tlsCfg, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	ccfg := clientv3.Config{
		Endpoints:   cfg.Endpoints,
		DialTimeout: cfg.DialTimeout,
		TLS:         tlsCfg,
		Username:    cfg.User,
		Password:    cfg.Password,
		Logger:      zap.NewNop(),
		// Keep the client on the endpoints it was given: the advertised
		// client URLs of the members may not be reachable from here.
		AutoSyncInterval: 0,
	}
	if cfg.Debug != nil {
		ccfg.Logger = debugLogger(cfg.Debug)
		ccfg.DialOptions = []grpc.DialOption{
			grpc.WithChainUnaryInterceptor(logUnary(cfg.Debug)),
			grpc.WithChainStreamInterceptor(logStream(cfg.Debug)),
		}
	}
	cli, err := clientv3.New(ccfg)
	if err != nil {
		return nil, explainNew(err, cfg, tlsCfg)
	}
	return &Conn{Client: cli, cfg: cfg, tls: tlsCfg}, nil
}

// credentialSettings is what an authentication hint tells the user to set.
func (cfg Config) credentialSettings() string {
	if cfg.CredentialSettings != "" {
		return cfg.CredentialSettings
	}
	return "--user and --password (or SENSUCTL_PASSWORD)"
}

// Config returns the configuration the connection was made with.
func (c *Conn) Config() Config { return c.cfg }

// Context bounds one request by the command timeout (and the dial timeout,
// since the v3.7 client only connects once a request is made).
func (c *Conn) Context(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, c.cfg.DialTimeout+c.cfg.CommandTimeout)
}

func (cfg Config) usesTLS() bool {
	if cfg.CACert != "" || cfg.Cert != "" || cfg.InsecureSkipTLSVerify {
		return true
	}
	for _, ep := range cfg.Endpoints {
		if strings.HasPrefix(ep, "https://") {
			return true
		}
	}
	return false
}

func (cfg Config) tlsConfig() (*tls.Config, error) {
	if !cfg.usesTLS() {
		return nil, nil
	}
	if (cfg.Cert == "") != (cfg.Key == "") {
		return nil, usageErrorf("--cert and --key must be given together")
	}
	info := transport.TLSInfo{CertFile: cfg.Cert, KeyFile: cfg.Key, TrustedCAFile: cfg.CACert, InsecureSkipVerify: cfg.InsecureSkipTLSVerify}
	tc, err := info.ClientConfig()
	if err != nil {
		return nil, &Error{Kind: ErrTLS, Msg: fmt.Sprintf("cannot load TLS files: %v", err), Hint: "check --cacert, --cert and --key"}
	}
	return tc, nil
}

func debugLogger(w io.Writer) *zap.Logger {
	enc := zap.NewDevelopmentEncoderConfig()
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(w), zapcore.DebugLevel)
	return zap.New(core).Named("etcd-client")
}

// logUnary writes one line per RPC: method, duration, outcome. It never logs
// request or response bodies, so passwords (Authenticate) stay out of logs.
func logUnary(w io.Writer) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		start := time.Now()
		err := invoker(ctx, method, req, reply, cc, opts...)
		writeRPCLine(w, method, cc.Target(), start, err)
		return err
	}
}

func logStream(w io.Writer) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		start := time.Now()
		s, err := streamer(ctx, desc, cc, method, opts...)
		writeRPCLine(w, method+" (stream opened)", cc.Target(), start, err)
		return s, err
	}
}

func writeRPCLine(w io.Writer, method, target string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error: " + err.Error()
	}
	fmt.Fprintf(w, "debug: rpc %s via %s took %s: %s\n", method, target, time.Since(start).Round(time.Microsecond), outcome)
}
