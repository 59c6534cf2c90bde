package sensuctl

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sensu-etcd/sensu/internal/clientconfig"
	"github.com/sensu-etcd/sensu/internal/output"
)

func newConfigCommand(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "View the effective settings and switch profiles",
	}
	cmd.AddCommand(newConfigViewCommand(f), newConfigUseProfileCommand(f))
	return cmd
}

// ConfigView is what `sensuctl config view -o json` prints. The password is
// never shown, only whether one is set.
type ConfigView struct {
	ConfigFile string           `json:"config_file"`
	Profile    string           `json:"profile"`
	Profiles   []string         `json:"profiles"`
	Settings   []SettingSummary `json:"settings"`
}

// SettingSummary is one effective setting and where it came from.
type SettingSummary struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"` // flag, env, profile or default
}

func newConfigViewCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "view",
		Short: "Show the effective settings, where each comes from, and the profiles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			view := ConfigView{ConfigFile: f.Loaded.Path, Profile: f.Loaded.Profile, Profiles: f.Loaded.File.ProfileNames()}
			table := output.Table{
				Title:   fmt.Sprintf("Profile %s of %s", f.Loaded.Profile, f.Loaded.Path),
				Headers: []string{"Setting", "Value", "Source"},
			}
			for _, s := range clientconfig.Settings {
				fl := cmd.Flags().Lookup(s.Name)
				value := flagText(fl)
				if s.Name == "password" && value != "" {
					value = "(set)"
				}
				sum := SettingSummary{Name: s.Name, Value: value, Source: f.Loaded.Sources[s.Name]}
				view.Settings = append(view.Settings, sum)
				table.Rows = append(table.Rows, []string{sum.Name, sum.Value, sum.Source})
			}
			if view.Profiles == nil {
				view.Profiles = []string{}
			}
			return f.Printer().Print(output.Data{Table: table, Value: view})
		},
	}
}

func flagText(fl *pflag.Flag) string {
	if fl.Value.Type() == "stringSlice" {
		return strings.Trim(fl.Value.String(), "[]")
	}
	return fl.Value.String()
}

func newConfigUseProfileCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "use-profile NAME",
		Short: "Make NAME the current profile of the config file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, path := f.Loaded.File, f.Loaded.Path
			name := args[0]
			if _, ok := file.Profiles[name]; !ok {
				return fmt.Errorf("%w: profile %q is not in %s (profiles: %s)", ErrNotFound, name, path, strings.Join(file.ProfileNames(), ", "))
			}
			file.CurrentProfile = name
			if err := file.Save(path); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Current profile is now %q.\n", name)
			return nil
		},
	}
}
