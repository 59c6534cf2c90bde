// Package clientconfig is sensuctl's settings: one table whose names are used
// as flags (--dial-timeout), environment variables (SENSUCTL_DIAL_TIMEOUT) and
// keys of a profile in the config file (dial-timeout:). Precedence: flag >
// environment > profile > default.
package clientconfig

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/settings"
)

// Options are the effective connection and output settings of one command.
type Options struct {
	etcdconn.Config
	Namespace string
	Format    string
}

// Defaults are the values with no flag, environment or profile.
func Defaults() Options {
	return Options{
		Config: etcdconn.Config{
			Endpoints:      []string{"http://127.0.0.1:2379"},
			DialTimeout:    5 * time.Second,
			CommandTimeout: 10 * time.Second,
		},
		Namespace: "default",
		Format:    "table",
	}
}

// Setting is one row of the table.
type Setting struct {
	Name  string
	Short string
	Usage string
	// Aliases are extra environment variables read after the SENSUCTL_ one,
	// for users coming from Sensu Go's sensuctl.
	Aliases []string
	bind    func(*Options) any
}

// Env is the setting's environment variable.
func (s Setting) Env() string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_"))
}

// EnvPrefix starts every sensuctl environment variable.
const EnvPrefix = "SENSUCTL_"

// Settings is the table of settings saved in profiles.
var Settings = []Setting{
	{Name: "endpoints", Usage: "etcd client URLs of the backends, comma-separated",
		bind: func(o *Options) any { return &o.Endpoints }},
	{Name: "cacert", Usage: "CA certificate that signed the backends' certificates (https endpoints)",
		bind: func(o *Options) any { return &o.CACert }},
	{Name: "cert", Usage: "client certificate, for backends that require one (etcd-client-cert-auth)",
		bind: func(o *Options) any { return &o.Cert }},
	{Name: "key", Usage: "private key of --cert",
		bind: func(o *Options) any { return &o.Key }},
	{Name: "insecure-skip-tls-verify", Usage: "do not verify the backends' certificates (testing only)",
		bind: func(o *Options) any { return &o.InsecureSkipTLSVerify }},
	{Name: "user", Usage: "etcd user, when the cluster has authentication enabled",
		bind: func(o *Options) any { return &o.User }},
	{Name: "password", Usage: "password of --user; prefer SENSUCTL_PASSWORD or the prompt, which keep it out of the process list",
		bind: func(o *Options) any { return &o.Password }},
	{Name: "dial-timeout", Usage: "how long to wait for a connection to an endpoint",
		bind: func(o *Options) any { return &o.DialTimeout }},
	{Name: "command-timeout", Usage: "how long one request may take",
		bind: func(o *Options) any { return &o.CommandTimeout }},
	{Name: "namespace", Usage: "Sensu namespace of namespaced resources", Aliases: []string{"SENSU_NAMESPACE"},
		bind: func(o *Options) any { return &o.Namespace }},
	{Name: "format", Short: "o", Usage: "output format: table, json, yaml or wrapped-json", Aliases: []string{"SENSU_FORMAT"},
		bind: func(o *Options) any { return &o.Format }},
}

// Lookup finds a setting by name.
func Lookup(name string) (Setting, bool) {
	for _, s := range Settings {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// Invocation settings: which file and profile to use. They are not saved in
// profiles.
const (
	ConfigFileFlag = "config-file"
	ProfileFlag    = "profile"
	ConfigFileEnv  = EnvPrefix + "CONFIG_FILE"
	ProfileEnv     = EnvPrefix + "PROFILE"
	DefaultProfile = "default"
)

// otherEnv are SENSUCTL_ variables that are not settings but are known.
var otherEnv = []string{ConfigFileEnv, ProfileEnv, EnvPrefix + "DEBUG"}

// ErrConfig marks a bad flag value, environment variable or config file.
var ErrConfig = errors.New("configuration error")

// ErrProfileNotFound is returned when the named profile does not exist.
var ErrProfileNotFound = errors.New("profile not found")

type configError struct {
	msg string
	is  error
}

func (e *configError) Error() string   { return e.msg }
func (e *configError) Is(t error) bool { return t == e.is }

func configErrorf(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...), is: ErrConfig}
}

// Register adds every setting to fs as a flag bound to opts, plus
// --config-file and --profile bound to inv.
func Register(fs *pflag.FlagSet, opts *Options, inv *Invocation) {
	for _, s := range Settings {
		env := s.Env()
		if len(s.Aliases) > 0 {
			env += ", " + strings.Join(s.Aliases, ", ")
		}
		settings.AddFlag(fs, s.Name, s.Short, s.Usage+" (env "+env+")", s.bind(opts))
	}
	fs.StringVar(&inv.ConfigFile, ConfigFileFlag, "", "sensuctl config file (env "+ConfigFileEnv+"; default $XDG_CONFIG_HOME/sensu/sensuctl/config.yml)")
	fs.StringVar(&inv.Profile, ProfileFlag, "", "profile of the config file to use (env "+ProfileEnv+"; default: the file's current profile)")
}

// Invocation says which file and profile a command uses.
type Invocation struct {
	ConfigFile string
	Profile    string
}

// Source is where the environment comes from.
type Source = settings.Env

// OSSource reads the process environment.
func OSSource(warn func(string)) Source { return settings.OSEnv(warn) }

// Loaded is the outcome of Apply: where the settings came from.
type Loaded struct {
	Path    string // config file path (it may not exist)
	Profile string // profile name used
	File    *File  // the parsed file (empty when absent)
	// Sources says where each setting's value came from.
	Sources map[string]string
	missing error
}

// Apply fills every setting not given as a flag from the environment, then the
// profile, leaving defaults otherwise. fs must have parsed the command line.
func Apply(fs *pflag.FlagSet, inv *Invocation, src Source) (*Loaded, error) {
	fromFlags := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { fromFlags[f.Name] = true })
	warnUnknownEnv(src)

	path := inv.ConfigFile
	if path == "" {
		if v, ok := src.LookupEnv(ConfigFileEnv); ok && v != "" {
			path = v
		}
	}
	if path == "" {
		var err error
		if path, err = DefaultPath(src.LookupEnv); err != nil {
			return nil, err
		}
	}
	file, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	profile, explicit := inv.Profile, inv.Profile != ""
	if !explicit {
		if v, ok := src.LookupEnv(ProfileEnv); ok && v != "" {
			profile, explicit = v, true
		}
	}
	if profile == "" {
		profile = file.CurrentProfile
	}
	if profile == "" {
		profile = DefaultProfile
	}
	values, ok := file.Profiles[profile]
	loaded := &Loaded{Path: path, Profile: profile, File: file, Sources: map[string]string{}}
	if !ok && (explicit || len(file.Profiles) > 0) {
		loaded.missing = &configError{is: ErrProfileNotFound, msg: fmt.Sprintf("profile %q not found in %s (profiles: %s); create it with 'sensuctl configure --profile %s'",
			profile, path, strings.Join(file.ProfileNames(), ", "), profile)}
	}
	for _, s := range Settings {
		if fromFlags[s.Name] {
			loaded.Sources[s.Name] = SourceFlag
			continue
		}
		if name, v, ok := lookupEnv(src, s); ok {
			if err := fs.Set(s.Name, v); err != nil {
				return nil, configErrorf("invalid value %q for %s: %v", v, name, settings.Cause(err))
			}
			loaded.Sources[s.Name] = "env " + name
			continue
		}
		if pv, ok := values[s.Name]; ok {
			if err := fs.Set(s.Name, pv.Value); err != nil {
				return nil, configErrorf("%s:%d: profile %s: invalid value %q for %s: %v", path, pv.Line, profile, pv.Value, s.Name, settings.Cause(err))
			}
			loaded.Sources[s.Name] = SourceProfile
			continue
		}
		loaded.Sources[s.Name] = SourceDefault
	}
	return loaded, nil
}

// Where a setting's value came from, as Loaded.Sources reports it (an
// environment variable shows as "env NAME").
const (
	SourceFlag    = "flag"
	SourceProfile = "profile"
	SourceDefault = "default"
)

// MissingProfile is the error for a named profile that the file lacks, or nil.
// Only `configure`, which creates profiles, may go on without one.
func (l *Loaded) MissingProfile() error { return l.missing }

func lookupEnv(src Source, s Setting) (string, string, bool) {
	for _, name := range append([]string{s.Env()}, s.Aliases...) {
		if v, ok := src.LookupEnv(name); ok {
			return name, v, true
		}
	}
	return "", "", false
}

func warnUnknownEnv(src Source) {
	known := append([]string(nil), otherEnv...)
	for _, s := range Settings {
		known = append(known, s.Env())
	}
	src.WarnUnknown(EnvPrefix, known)
}

// DefaultPath is $XDG_CONFIG_HOME/sensu/sensuctl/config.yml, or
// ~/.config/sensu/sensuctl/config.yml when XDG_CONFIG_HOME is unset.
func DefaultPath(lookupEnv func(string) (string, bool)) (string, error) {
	if dir, ok := lookupEnv("XDG_CONFIG_HOME"); ok && dir != "" {
		return filepath.Join(dir, "sensu", "sensuctl", "config.yml"), nil
	}
	home, ok := lookupEnv("HOME")
	if !ok || home == "" {
		return "", configErrorf("cannot place the config file: neither XDG_CONFIG_HOME nor HOME is set (use --%s)", ConfigFileFlag)
	}
	return filepath.Join(home, ".config", "sensu", "sensuctl", "config.yml"), nil
}
