package backendcmd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/backend"
	"github.com/sensu-etcd/sensu/internal/backendconfig"
	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/version"
)

type initOptions struct {
	IO       IO
	Settings backendconfig.Options
}

func newInitCommand(streams IO) *cobra.Command {
	opts := &initOptions{IO: streams, Settings: backendconfig.DefaultOptions()}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Seed a new store: default namespace, cluster ID, schema version",
		Long: "Seed the store of a running backend (or cluster) once. It connects to etcd at\n" +
			"--etcd-client-urls (default: --etcd-advertise-client-urls) and writes the default\n" +
			"namespace, a cluster ID, the schema version and the initialized marker under a\n" +
			"lock, so several backends may run it at once and the store is seeded once.\n\n" +
			"Exit codes: 0 seeded, 1 error, 2 bad configuration, 3 already initialized\n" +
			"(0 with --ignore-already-initialized).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := backendconfig.Apply(cmd.Flags(), backendconfig.Init, streams.Env); err != nil {
				return err
			}
			return runInit(cmd.Context(), opts)
		},
	}
	backendconfig.Register(cmd.Flags(), backendconfig.Init, &opts.Settings)
	setGroupedUsage(cmd)
	return cmd
}

func runInit(ctx context.Context, opts *initOptions) error {
	s := opts.Settings
	if s.Init.Timeout <= 0 {
		return &backend.SettingError{Setting: "timeout", Value: s.Init.Timeout.String(), Reason: "must be positive"}
	}
	endpoints := s.Init.ClientURLs
	if len(endpoints) == 0 {
		endpoints = s.Backend.Etcd.AdvertiseClientURLs
	}
	cli, err := newEtcdClient(endpoints, s.Backend.Etcd.ClientTLS)
	if err != nil {
		return err
	}
	defer cli.Close()

	var result keyspace.InitResult
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, s.Init.Timeout)
		result, err = keyspace.Initialize(attemptCtx, cli, version.Get().Version)
		timedOut := attemptCtx.Err() != nil
		cancel()
		if err == nil || errors.Is(err, keyspace.ErrAlreadyInitialized) || ctx.Err() != nil || !timedOut || !s.Init.Wait {
			break
		}
		fmt.Fprintf(opts.IO.ErrOut, "sensu-backend: etcd at %v not ready after %s (attempt %d); retrying (--wait)\n", endpoints, s.Init.Timeout, attempt)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	switch {
	case errors.Is(err, keyspace.ErrAlreadyInitialized):
		if s.Init.IgnoreAlreadyInitialized {
			fmt.Fprintln(opts.IO.ErrOut, "sensu-backend: the store is already initialized; nothing to do")
			return nil
		}
		return fmt.Errorf("%w (use --ignore-already-initialized to exit 0)", err)
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("%w: %v", errInterrupted, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("cannot reach etcd at %v within %s (--timeout; check --etcd-client-urls, TLS settings, and that the backend is running): %w",
			endpoints, s.Init.Timeout, err)
	case err != nil:
		return fmt.Errorf("init against %v: %w", endpoints, err)
	}
	fmt.Fprintf(opts.IO.Out, "initialized: cluster ID %s, namespace %q, schema version %d\n", result.ClusterID, result.Namespace, result.SchemaVersion)
	return nil
}

// newEtcdClient connects to the endpoints with the backend's client TLS files.
// The v3.7 client does not dial until the first RPC; every call carries its
// own deadline.
func newEtcdClient(endpoints []string, files backend.TLSFiles) (*clientv3.Client, error) {
	var tlsCfg *tls.Config
	if files.CertFile != "" || files.TrustedCAFile != "" {
		info := transport.TLSInfo{CertFile: files.CertFile, KeyFile: files.KeyFile, TrustedCAFile: files.TrustedCAFile}
		c, err := info.ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("etcd client TLS (etcd-cert-file, etcd-key-file, etcd-trusted-ca-file): %w", err)
		}
		tlsCfg = c
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 5 * time.Second,
		TLS:         tlsCfg,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("etcd client for %v: %w", endpoints, err)
	}
	return cli, nil
}
