package backendcmd

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/backend"
	"github.com/sensu-etcd/sensu/internal/backendconfig"
)

type startOptions struct {
	IO       IO
	Settings backendconfig.Options
	// forceExit ends the process when a second signal arrives during a
	// graceful stop. Tests replace it.
	forceExit func(code int)
}

func newStartCommand(streams IO) *cobra.Command {
	opts := &startOptions{IO: streams, Settings: backendconfig.DefaultOptions(), forceExit: os.Exit}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start the backend and its embedded etcd member",
		Long: "Start the backend. With no settings it runs a single-member store on 127.0.0.1\n" +
			"(etcd clients on :2379, peers on :2380, HTTP API on :8080) in --state-dir.\n\n" +
			"SIGINT or SIGTERM stops it gracefully within --shutdown-timeout; a second signal\n" +
			"forces exit. Exit codes: 0 stopped, 1 error, 2 bad configuration, 4 this member\n" +
			"was removed from the cluster (wipe the state dir to rejoin as a new member).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := backendconfig.Apply(cmd.Flags(), backendconfig.Start, streams.Env); err != nil {
				return err
			}
			return runStart(cmd.Context(), opts)
		},
	}
	backendconfig.Register(cmd.Flags(), backendconfig.Start, &opts.Settings)
	setGroupedUsage(cmd)
	return cmd
}

func runStart(ctx context.Context, opts *startOptions) error {
	cfg := opts.Settings.Backend
	lg, err := backend.NewLogger(cfg, opts.IO.ErrOut)
	if err != nil {
		return err
	}
	defer func() { _ = lg.Sync() }()
	b, err := backend.New(cfg, lg)
	if err != nil {
		return err
	}

	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigc)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sigc:
		case <-runCtx.Done():
			return
		}
		cancel()
		select {
		case <-sigc:
			fmt.Fprintln(opts.IO.ErrOut, "sensu-backend: second signal received, exiting without a graceful stop")
			opts.forceExit(ExitInterrupted)
		case <-ctx.Done():
		}
	}()

	if err := b.Start(runCtx); err != nil {
		if runCtx.Err() != nil && ctx.Err() == nil {
			return nil // stopped by a signal while waiting for etcd
		}
		return err
	}
	announceReady(opts, b)

	var runErr error
	select {
	case <-runCtx.Done():
		lg.Info("stopping on signal")
	case runErr = <-b.Err():
		// Run prints it as the last line; for a removed member that line says
		// how to rejoin.
	}
	stopCtx, stopCancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer stopCancel()
	if err := b.Stop(stopCtx); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// announceReady prints one human line on a console log; JSON logs get a log
// entry instead so they stay machine-readable.
func announceReady(opts *startOptions, b *backend.Backend) {
	cfg := opts.Settings.Backend
	api := "disabled"
	if addr := b.APIAddr(); addr != "" {
		scheme := "http"
		if cfg.APICertFile != "" {
			scheme = "https"
		}
		api = scheme + "://" + addr
	}
	line := fmt.Sprintf("sensu-backend ready: etcd member %s (%016x) in %s; etcd clients %s; API %s",
		cfg.Etcd.Name, b.MemberID(), cfg.StateDir, strings.Join(cfg.Etcd.AdvertiseClientURLs, ","), api)
	if cfg.LogFormat == "console" {
		fmt.Fprintln(opts.IO.ErrOut, line)
	}
}
