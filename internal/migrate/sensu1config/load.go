package sensu1config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Options say what to load, like sensu-server -c FILE -d DIR[,DIR].
type Options struct {
	// ConfigFile is loaded first, e.g. /etc/sensu/config.json; "" loads
	// none. A missing or unreadable file is a Warning, as in 1.x.
	ConfigFile string
	// ConfigDirs are searched in order, each recursively (see the package
	// comment). The caller splits a comma-separated -d value.
	ConfigDirs []string
}

// Settings is the result of Load.
type Settings struct {
	// Data is the deep-merged settings; numbers are json.Number, objects
	// map[string]any, arrays []any. Never nil.
	Data map[string]any
	// Files are the files loaded, in load order.
	Files []string

	origin map[string]string
}

// Warning is something Load noticed that did not stop it.
type Warning struct {
	File    string // the file (or directory) concerned
	Path    string // dotted path in the settings, e.g. "checks.check-disk.interval"; "" for the whole file
	Message string
}

func (w Warning) String() string {
	if w.Path == "" {
		return w.File + ": " + w.Message
	}
	return w.File + ": " + w.Path + ": " + w.Message
}

// Definition is one named definition of a category.
type Definition struct {
	Name string
	// Attrs is the definition as merged, shared with Settings.Data (not a
	// copy); nil when the definition is not a JSON object (which 1.x rejects
	// at validation). It has no "name" key unless a file wrote one: 1.x
	// added the name only when handing the definition out.
	Attrs map[string]any
}

// Categories are the scopes of named definitions in 1.x.
var Categories = []string{"checks", "filters", "mutators", "handlers", "extensions"}

// Load reads the config file and directories of opts and merges them.
// On error the returned Settings is nil; the warnings gathered so far are
// returned in any case.
func Load(opts Options) (*Settings, []Warning, error) {
	l := &loader{s: &Settings{Data: map[string]any{}, origin: map[string]string{}}}
	if opts.ConfigFile != "" {
		if err := l.loadConfigFile(opts.ConfigFile); err != nil {
			return nil, l.warnings, err
		}
	}
	for _, dir := range opts.ConfigDirs {
		files, err := l.discover(dir)
		if err != nil {
			return nil, l.warnings, err
		}
		for _, f := range files {
			if err := l.loadFile(f); err != nil {
				return nil, l.warnings, err
			}
		}
	}
	return l.s, l.warnings, nil
}

type loader struct {
	s        *Settings
	warnings []Warning
}

func (l *loader) warn(file, path, format string, args ...any) {
	l.warnings = append(l.warnings, Warning{File: file, Path: path, Message: fmt.Sprintf(format, args...)})
}

// loadConfigFile loads the -c file, which 1.x loaded with must_exist=false:
// a file that is missing, not a regular file or not readable is skipped with
// a warning.
func (l *loader) loadConfigFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission):
		l.warn(path, "", "config file does not exist or is not readable, ignoring it (%v)", unwrapPathError(err))
		return nil
	case err != nil:
		return fmt.Errorf("config file %s: %w", path, err)
	case !fi.Mode().IsRegular():
		l.warn(path, "", "config file is not a regular file, ignoring it")
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrPermission) {
		l.warn(path, "", "config file does not exist or is not readable, ignoring it (%v)", unwrapPathError(err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return l.merge(path, data)
}

func (l *loader) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, unwrapPathError(err))
	}
	return l.merge(path, data)
}

func (l *loader) merge(path string, data []byte) error {
	obj, err := parse(path, data)
	if err != nil {
		return err
	}
	l.mergeObject(l.s.Data, obj, nil, path)
	l.s.Files = append(l.s.Files, path)
	return nil
}

// unwrapPathError drops the *fs.PathError wrapper, whose path the caller
// already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Definitions returns the definitions of category ("checks", "filters",
// "mutators", "handlers", "extensions"; any top-level object works), sorted
// by name. It returns nil if the category is absent or not an object.
func (s *Settings) Definitions(category string) []Definition {
	m, ok := s.Data[category].(map[string]any)
	if !ok {
		return nil
	}
	defs := make([]Definition, 0, len(m))
	for _, name := range sortedKeys(m) {
		attrs, _ := m[name].(map[string]any)
		defs = append(defs, Definition{Name: name, Attrs: attrs})
	}
	return defs
}

// Client returns the "client" scope, or nil if it is absent or not an object.
func (s *Settings) Client() map[string]any {
	c, _ := s.Data["client"].(map[string]any)
	return c
}

// Origin returns the last file that set or merged into the value at path
// (keys from the top, e.g. "checks", "check-disk", "interval"), or "" if no
// loaded file holds that path. For an object it is the last file that added
// to it.
func (s *Settings) Origin(path ...string) string {
	return s.origin[originKey(path)]
}

// originKey joins a path with a byte that JSON keys rarely hold, so that
// "a.b" and ["a","b"] stay distinct.
func originKey(path []string) string { return strings.Join(path, "\x1f") }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
