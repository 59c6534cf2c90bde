package backendconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
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
		usage := s.Usage + " (env " + s.Env() + ")"
		switch p := s.bind(opts).(type) {
		case *string:
			fs.StringVarP(p, s.Name, s.Short, *p, usage)
		case *[]string:
			fs.StringSliceVarP(p, s.Name, s.Short, *p, usage)
		case *bool:
			fs.BoolVarP(p, s.Name, s.Short, *p, usage)
		case *uint:
			fs.UintVarP(p, s.Name, s.Short, *p, usage)
		case *int:
			fs.IntVarP(p, s.Name, s.Short, *p, usage)
		case *int64:
			fs.Int64VarP(p, s.Name, s.Short, *p, usage)
		case *time.Duration:
			fs.DurationVarP(p, s.Name, s.Short, *p, usage)
		default:
			panic(fmt.Sprintf("backendconfig: setting %s binds unsupported type %T", s.Name, p))
		}
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

// Source tells where the environment comes from; os.LookupEnv and os.Environ in
// production, a map in tests.
type Source struct {
	LookupEnv func(string) (string, bool)
	Environ   func() []string
	// Warn receives non-fatal notices (unknown SENSU_BACKEND_ variables).
	Warn func(string)
}

// OSSource reads the process environment.
func OSSource(warn func(string)) Source {
	return Source{LookupEnv: os.LookupEnv, Environ: os.Environ, Warn: warn}
}

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
				return configErrorf("invalid value %q for %s: %v", v, s.Env(), cause(err))
			}
			continue
		}
		if fv, ok := file.values[s.Name]; ok {
			if err := fs.Set(s.Name, fv.value); err != nil {
				return configErrorf("%s:%d: invalid value %q for %s: %v", file.path, fv.line, fv.value, s.Name, cause(err))
			}
		}
	}
	return nil
}

// cause drops pflag's "invalid argument ... for ... flag" wrapping, which
// repeats what our message already says.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

func warnUnknownEnv(src Source) {
	if src.Environ == nil || src.Warn == nil {
		return
	}
	known := map[string]bool{}
	for _, s := range Settings {
		known[s.Env()] = true
	}
	var unknown []string
	for _, kv := range src.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix) && !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		msg := fmt.Sprintf("ignoring unknown environment variable %s", name)
		if s := suggest(strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, EnvPrefix), "_", "-"))); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", EnvName(s))
		}
		src.Warn(msg)
	}
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
		value, err := scalarOrList(v)
		if err != nil {
			return cf, configErrorf("%s:%d: %s: %v", path, v.Line, name, err)
		}
		if _, isList := s.bind(&Options{}).(*[]string); !isList && v.Kind == yaml.SequenceNode {
			return cf, configErrorf("%s:%d: %s takes a single value, not a list", path, v.Line, name)
		}
		cf.values[name] = fileValue{value: value, line: k.Line}
	}
	return cf, nil
}

func scalarOrList(n *yaml.Node) (string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		items := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("list items must be plain values")
			}
			items = append(items, c.Value)
		}
		return strings.Join(items, ","), nil
	default:
		return "", fmt.Errorf("must be a value or a list of values, not a mapping")
	}
}

// suggest returns the setting name closest to name, if it is close enough to
// be a typo or a shortened name.
func suggest(name string) string {
	best, bestDist := "", 4
	for _, s := range Settings {
		if len(name) >= 6 && strings.HasPrefix(s.Name, name) {
			return s.Name
		}
		if d := editDistance(name, s.Name); d < bestDist {
			best, bestDist = s.Name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
