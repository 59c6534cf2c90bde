package sensuctl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/output"
)

type configureOptions struct {
	NonInteractive bool
}

func newConfigureCommand(f *Factory) *cobra.Command {
	opts := &configureOptions{}
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "Save connection settings to a profile, after testing them",
		Long: "Save the connection settings (endpoints, TLS files, user and password, namespace,\n" +
			"format) as a profile of the config file, and make it the current profile.\n\n" +
			"On a terminal it prompts for each setting, offering the current values. With\n" +
			"-n/--non-interactive it saves the effective settings (flags, SENSUCTL_* variables,\n" +
			"then the profile's values) without asking. Either way it first connects with them,\n" +
			"and saves nothing if that fails. The file is written with mode 0600.",
		Example: "  sensuctl configure\n" +
			"  sensuctl configure -n --endpoints https://10.0.0.1:2379,https://10.0.0.2:2379 --cacert ca.pem --profile prod",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfigure(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.NonInteractive, "non-interactive", "n", false, "do not prompt; save the settings given by flags and environment")
	return cmd
}

func runConfigure(ctx context.Context, f *Factory, opts *configureOptions) error {
	if !opts.NonInteractive {
		if !f.IO.InTerminal {
			return usageError{errors.New("configure prompts on a terminal and stdin is not one: pass -n/--non-interactive with --endpoints (and --cacert, --cert, --key, --user, SENSUCTL_PASSWORD as needed)")}
		}
		if err := f.askSettings(); err != nil {
			return err
		}
	}
	if f.Options.User != "" && f.Options.Password == "" {
		pw, err := f.promptPassword(fmt.Sprintf("Password for etcd user %s:", f.Options.User), "--password or SENSUCTL_PASSWORD")
		if err != nil {
			return err
		}
		f.Options.Password = pw
	}
	if err := testConnection(ctx, f); err != nil {
		return fmt.Errorf("not saved: %w", err)
	}
	file := f.Loaded.File
	file.SetProfile(f.Loaded.Profile, f.Options)
	file.CurrentProfile = f.Loaded.Profile
	if err := file.Save(f.Loaded.Path); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Saved profile %q to %s; it is now the current profile.\n", f.Loaded.Profile, f.Loaded.Path)
	return nil
}

// testConnection lists the members: cheap, and allowed for every etcd user.
func testConnection(ctx context.Context, f *Factory) error {
	conn, err := f.Conn()
	if err != nil {
		return err
	}
	rctx, cancel := conn.Context(ctx)
	defer cancel()
	if _, err := conn.MemberList(rctx); err != nil {
		return conn.Explain(ctx, err, "connect to "+strings.Join(f.Options.Endpoints, ","))
	}
	return nil
}

func (f *Factory) askSettings() error {
	o := &f.Options
	formats := make([]string, len(output.Formats))
	for i, v := range output.Formats {
		formats[i] = string(v)
	}
	var endpoints string
	qs := []*survey.Question{
		{Name: "endpoints", Prompt: &survey.Input{Message: "etcd endpoints (comma-separated):", Default: strings.Join(o.Endpoints, ",")}, Validate: survey.Required},
		{Name: "cacert", Prompt: &survey.Input{Message: "CA certificate file (empty for none):", Default: o.CACert}},
		{Name: "cert", Prompt: &survey.Input{Message: "Client certificate file (empty for none):", Default: o.Cert}},
		{Name: "key", Prompt: &survey.Input{Message: "Client key file (empty for none):", Default: o.Key}},
		{Name: "user", Prompt: &survey.Input{Message: "etcd user (empty when auth is off):", Default: o.User}},
		{Name: "namespace", Prompt: &survey.Input{Message: "Namespace:", Default: o.Namespace}},
		{Name: "format", Prompt: &survey.Select{Message: "Output format:", Options: formats, Default: o.Format}},
	}
	answers := struct {
		Endpoints string
		CACert    string `survey:"cacert"`
		Cert      string
		Key       string
		User      string
		Namespace string
		Format    string
	}{}
	if err := survey.Ask(qs, &answers, f.surveyStdio()); err != nil {
		if errors.Is(err, terminal.InterruptErr) {
			return errInterrupted
		}
		return err
	}
	endpoints = answers.Endpoints
	o.Endpoints = splitList(endpoints)
	o.CACert, o.Cert, o.Key, o.User, o.Namespace, o.Format = answers.CACert, answers.Cert, answers.Key, answers.User, answers.Namespace, answers.Format
	if o.User != "" {
		var pw string
		if err := survey.AskOne(&survey.Password{Message: fmt.Sprintf("Password for %s (empty keeps the current one):", o.User)}, &pw, f.surveyStdio()); err != nil {
			return err
		}
		if pw != "" {
			o.Password = pw
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
