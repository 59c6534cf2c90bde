package backendconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/sensu-etcd/sensu/internal/settings"
)

// ErrConfig marks errors in flags, environment or config file, so the
// command can exit with the usage code.
var ErrConfig = errors.New("configuration error")

type configError struct{ msg string }

func (e *configError) Error() string   { return e.msg }
func (e *configError) Is(t error) bool { return t == ErrConfig }

func configErrorf(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// Register adds the flags of cmd's settings to fs, bound to opts, with opts'
// current values as defaults.
func Register(fs *pflag.FlagSet, cmd Command, opts *Options) {
	for _, s := range Settings {
		if s.For&cmd == 0 {
			continue
		}
		settings.AddFlag(fs, s.Name, s.Short, s.Usage+" (env "+s.Env()+")", s.bind(opts))
		if ann := s.Group; ann != "" {
			_ = fs.SetAnnotation(s.Name, groupAnnotation, []string{ann})
		}
	}
}

// groupAnnotation tags each flag with its group for help output.
const groupAnnotation = "sensu_backend_group"

// FlagGroup returns the group of a flag registered by Register.
func FlagGroup(f *pflag.Flag) string {
	if g := f.Annotations[groupAnnotation]; len(g) > 0 {
		return g[0]
	}
	return GroupGeneral
}

// Source is where the environment comes from.
type Source = settings.Env

// OSSource reads the process environment.
func OSSource(warn func(string)) Source { return settings.OSEnv(warn) }

// Apply fills the settings of cmd that were not given as flags: from the
// environment, else from the config file, else they keep their defaults. It
// must run after fs has parsed the command line.
func Apply(fs *pflag.FlagSet, cmd Command, src Source) error {
	fromFlags := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { fromFlags[f.Name] = true })

	warnUnknownEnv(src)

	path, explicit := fs.Lookup(configFileSetting).Value.String(), fromFlags[configFileSetting]
	if !explicit {
		if v, ok := src.LookupEnv(EnvName(configFileSetting)); ok && v != "" {
			path, explicit = v, true
			if err := fs.Set(configFileSetting, v); err != nil {
				return configErrorf("%s: %v", EnvName(configFileSetting), err)
			}
		}
	}
	file, err := readFile(path, explicit)
	if err != nil {
		return err
	}

	for _, s := range Settings {
		if s.For&cmd == 0 || fromFlags[s.Name] || s.Name == configFileSetting {
			continue
		}
		if v, ok := src.LookupEnv(s.Env()); ok {
			if err := fs.Set(s.Name, v); err != nil {
				return configErrorf("invalid value %q for %s: %v", v, s.Env(), settings.Cause(err))
			}
			continue
		}
		if fv, ok := file.values[s.Name]; ok {
			if err := fs.Set(s.Name, fv.value); err != nil {
				return configErrorf("%s:%d: invalid value %q for %s: %v", file.path, fv.line, fv.value, s.Name, settings.Cause(err))
			}
		}
	}
	return nil
}

func warnUnknownEnv(src Source) {
	known := make([]string, len(Settings))
	for i, s := range Settings {
		known[i] = s.Env()
	}
	src.WarnUnknown(EnvPrefix, known)
}

type fileValue struct {
	value string
	line  int
}

type configFile struct {
	path   string
	values map[string]fileValue
}

// readFile parses the YAML config file. Keys must be setting names; list
// settings take a YAML sequence or a comma-separated string.
func readFile(path string, explicit bool) (configFile, error) {
	cf := configFile{path: path, values: map[string]fileValue{}}
	if path == "" {
		return cf, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return cf, nil
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return cf, configErrorf("cannot read config file %s: %v", path, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return cf, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cf, configErrorf("config file %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return cf, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return cf, nil // a document with no settings
	}
	if root.Kind != yaml.MappingNode {
		return cf, configErrorf("%s:%d: the config file must be a mapping of setting: value", path, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		name := k.Value
		s, ok := Lookup(name)
		if !ok {
			msg := fmt.Sprintf("%s:%d: unknown setting %q", path, k.Line, name)
			if sug := suggest(name); sug != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sug)
			}
			return cf, configErrorf("%s; docs/backend.md lists every setting", msg)
		}
		if s.Name == configFileSetting {
			return cf, configErrorf("%s:%d: config-file cannot be set inside the config file", path, k.Line)
		}
		if prev, dup := cf.values[name]; dup {
			return cf, configErrorf("%s:%d: %s is set twice (first at line %d)", path, k.Line, name, prev.line)
		}
		value, err := settings.ScalarOrList(v)
		if err != nil {
			return cf, configErrorf("%s:%d: %s: %v", path, v.Line, name, err)
		}
		if !settings.IsList(s.bind(&Options{})) && v.Kind == yaml.SequenceNode {
			return cf, configErrorf("%s:%d: %s takes a single value, not a list", path, v.Line, name)
		}
		cf.values[name] = fileValue{value: value, line: k.Line}
	}
	return cf, nil
}

// suggest returns the setting name closest to name, if any is close.
func suggest(name string) string {
	names := make([]string, len(Settings))
	for i, s := range Settings {
		names[i] = s.Name
	}
	return settings.Suggest(name, names)
}
