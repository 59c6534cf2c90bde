package backendcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/AlecAivazis/survey/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sensu-etcd/sensu/internal/access"
	"github.com/sensu-etcd/sensu/internal/etcdconn"

	"github.com/sensu-etcd/sensu/internal/backend"
	"github.com/sensu-etcd/sensu/internal/backendconfig"
	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/resource"
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
		Short: "Seed a new store: default namespace, RBAC and users, cluster ID, schema version",
		Long: "Seed the store of a running backend (or cluster) once. It connects to etcd at\n" +
			"--etcd-client-urls (default: --etcd-advertise-client-urls) and writes, under a\n" +
			"lock so that several backends may run it at once and the store is seeded once:\n" +
			"the default namespace; Sensu Go's default cluster roles (cluster-admin, admin,\n" +
			"edit, view, system:agent, system:user) and their group bindings; the\n" +
			"system:pipeline role and binding in the default namespace; the user \"agent\"\n" +
			"(group system:agents, --agent-password); with --cluster-admin-username, a user\n" +
			"in group cluster-admins; a cluster ID, the schema version and the initialized\n" +
			"marker. Objects that already exist (restored before init) are left alone.\n\n" +
			"Once etcd authentication is on (--etcd-auth), init connects as\n" +
			"--etcd-client-username with --etcd-client-password.\n\n" +
			"Exit codes: 0 seeded, 1 error, 2 bad configuration, 3 already initialized\n" +
			"(0 with --ignore-already-initialized; also when authentication is on and no\n" +
			"credentials were given), 4 etcd refused the credentials or the permission.",
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
		return backend.InvalidSetting("timeout", s.Init.Timeout.String(), "must be positive")
	}
	if s.Init.EtcdAuth {
		var err error
		if s.Init.RootPassword, err = initPassword(opts.IO, s.Init.RootPassword, "etcd root", "etcd-root-password"); err != nil {
			return err
		}
		if s.Init.ViewerPassword, err = initPassword(opts.IO, s.Init.ViewerPassword, "etcd viewer", "etcd-viewer-password"); err != nil {
			return err
		}
	}
	if s.Init.ClusterAdminUsername != "" {
		var err error
		if s.Init.ClusterAdminPassword, err = initPassword(opts.IO, s.Init.ClusterAdminPassword, "Sensu cluster admin", "cluster-admin-password"); err != nil {
			return err
		}
	}
	seeds, err := initSeeds(s.Init)
	if err != nil {
		return err
	}
	endpoints := s.Init.ClientURLs
	if len(endpoints) == 0 {
		endpoints = s.Backend.Etcd.AdvertiseClientURLs
	}
	tlsFiles := s.Backend.Etcd.ClientTLS
	conn, err := etcdconn.New(etcdconn.Config{
		Endpoints: endpoints, CACert: tlsFiles.TrustedCAFile, Cert: tlsFiles.CertFile, Key: tlsFiles.KeyFile,
		User: s.Backend.Etcd.ClientUsername, Password: s.Backend.Etcd.ClientPassword, CredentialSettings: initCredentialSettings,
		DialTimeout: s.Init.Timeout / 2, CommandTimeout: s.Init.Timeout / 2,
	})
	if err != nil {
		return err
	}
	defer conn.Close()

	var result keyspace.InitResult
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, s.Init.Timeout)
		result, err = keyspace.Initialize(attemptCtx, conn.Client, version.Get().Version, seeds)
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
	alreadyInitialized := errors.Is(err, keyspace.ErrAlreadyInitialized)
	switch {
	case alreadyInitialized && (s.Init.IgnoreAlreadyInitialized || s.Init.EtcdAuth):
		fmt.Fprintln(opts.IO.ErrOut, "sensu-backend: the store is already initialized")
	case alreadyInitialized:
		return fmt.Errorf("%w (use --ignore-already-initialized to exit 0)", err)
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("%w: %v", errInterrupted, err)
	case err != nil:
		err = conn.Explain(ctx, err, "initialize the store")
		if errors.Is(err, etcdconn.ErrAuth) && s.Backend.Etcd.ClientUsername == "" {
			// Only init --etcd-auth turns authentication on, and only after
			// seeding: the store is initialized, but nothing more can be
			// read without credentials.
			if s.Init.IgnoreAlreadyInitialized {
				fmt.Fprintf(opts.IO.ErrOut, "sensu-backend: the store is already initialized: etcd authentication is on at %s (set %s to check anything further)\n",
					strings.Join(endpoints, ","), initCredentialSettings)
				return nil
			}
			return fmt.Errorf("%w: etcd authentication is on at %s, so init needs credentials to check anything further: set %s",
				keyspace.ErrAlreadyInitialized, strings.Join(endpoints, ","), initCredentialSettings)
		}
		return err
	default:
		fmt.Fprintf(opts.IO.Out, "initialized: cluster ID %s, namespace %q, schema version %d, %d default RBAC objects and users\n",
			result.ClusterID, result.Namespace, result.SchemaVersion, result.Seeded)
		if s.Init.AgentPassword == backendconfig.DefaultAgentPassword {
			fmt.Fprintln(opts.IO.ErrOut, "sensu-backend: warning: the user \"agent\" has Sensu's well-known default password; set --agent-password in production")
		}
	}
	if !s.Init.EtcdAuth {
		return nil
	}
	authCtx, cancel := context.WithTimeout(ctx, s.Init.Timeout)
	defer cancel()
	err = access.Enable(authCtx, conn.Client, access.Setup{RootPassword: s.Init.RootPassword, ViewerPassword: s.Init.ViewerPassword})
	if errors.Is(err, access.ErrAlreadyEnabled) {
		return fmt.Errorf("%w: %w", keyspace.ErrAlreadyInitialized, err)
	}
	if err != nil {
		return conn.Explain(ctx, err, "enable etcd authentication")
	}
	fmt.Fprintf(opts.IO.Out, "etcd authentication enabled: user %s (role %s, all rights), user %s (role %s, read-only on %s/)\n",
		access.RootUser, access.RootRole, access.ViewerUser, access.ViewerRole, keyspace.Root)
	return nil
}

// initCredentialSettings is what init's authentication errors tell the user
// to set: init's own settings, not sensuctl's --user and --password.
var initCredentialSettings = "--etcd-client-username and --etcd-client-password (or " +
	backendconfig.EnvName("etcd-client-username") + " and " + backendconfig.EnvName("etcd-client-password") + ")"

// initSeeds are Sensu Go's default RBAC objects and users, as keys.
func initSeeds(s backendconfig.InitOptions) ([]keyspace.Seed, error) {
	if s.ClusterAdminPassword != "" && s.ClusterAdminUsername == "" {
		return nil, backend.InvalidSetting("cluster-admin-username", "", "required with cluster-admin-password")
	}
	objs, err := resource.DefaultSeeds(keyspace.DefaultNamespace, s.AgentPassword, s.ClusterAdminUsername, s.ClusterAdminPassword)
	if err != nil {
		return nil, backend.InvalidSetting("cluster-admin-username", s.ClusterAdminUsername, err.Error())
	}
	seeds := make([]keyspace.Seed, len(objs))
	for i, o := range objs {
		v, err := resource.Encode(o.Object)
		if err != nil {
			return nil, err
		}
		seeds[i] = keyspace.Seed{Key: o.Type.KeyOf(o.Object), Value: string(v)}
	}
	return seeds, nil
}

// initPassword returns the given password, or asks for it on a terminal.
// Without a terminal it fails and names the flag and variable to use; there
// is never a default password.
func initPassword(streams IO, given, who, setting string) (string, error) {
	if given != "" {
		return given, nil
	}
	in, ok := streams.In.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return "", backend.InvalidSetting(setting, "", fmt.Sprintf("required with --etcd-auth and stdin is not a terminal to ask for it: set --%s or %s",
			setting, backendconfig.EnvName(setting)))
	}
	var pw, again string
	stdio := survey.WithStdio(in, os.Stderr, os.Stderr)
	if err := survey.AskOne(&survey.Password{Message: "Password for the " + who + " user:"}, &pw, stdio, survey.WithValidator(survey.Required)); err != nil {
		return "", err
	}
	if err := survey.AskOne(&survey.Password{Message: "Again:"}, &again, stdio); err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the passwords do not match")
	}
	return pw, nil
}
