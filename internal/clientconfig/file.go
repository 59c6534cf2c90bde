package clientconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sensu-etcd/sensu/internal/settings"
)

// File is sensuctl's config file:
//
//	current-profile: default
//	profiles:
//	  default:
//	    endpoints: [https://10.0.0.1:2379]
//	    cacert: /etc/sensu/ca.pem
type File struct {
	CurrentProfile string
	Profiles       map[string]Profile
}

// Profile maps setting names to their text values.
type Profile map[string]Value

// Value is a setting's text as a flag would take it, and its line in the file.
type Value struct {
	Value string
	Line  int
}

// ProfileNames lists the profiles, sorted.
func (f *File) ProfileNames() []string {
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ReadFile parses path; a missing file is an empty File.
func ReadFile(path string) (*File, error) {
	f := &File{Profiles: map[string]Profile{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, configErrorf("cannot read config file %s: %v", path, unwrapPath(err))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, configErrorf("config file %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, configErrorf("%s:%d: expected current-profile and profiles", path, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "current-profile":
			f.CurrentProfile = v.Value
		case "profiles":
			if v.Kind != yaml.MappingNode {
				return nil, configErrorf("%s:%d: profiles must map profile names to settings", path, v.Line)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				name, body := v.Content[j], v.Content[j+1]
				p, err := readProfile(path, name.Value, body)
				if err != nil {
					return nil, err
				}
				f.Profiles[name.Value] = p
			}
		default:
			return nil, configErrorf("%s:%d: unknown key %q (expected current-profile or profiles)", path, k.Line, k.Value)
		}
	}
	return f, nil
}

func readProfile(path, name string, body *yaml.Node) (Profile, error) {
	p := Profile{}
	if body.Kind == yaml.ScalarNode && body.Tag == "!!null" {
		return p, nil
	}
	if body.Kind != yaml.MappingNode {
		return nil, configErrorf("%s:%d: profile %s must be a mapping of setting: value", path, body.Line, name)
	}
	names := make([]string, len(Settings))
	for i, s := range Settings {
		names[i] = s.Name
	}
	for i := 0; i+1 < len(body.Content); i += 2 {
		k, v := body.Content[i], body.Content[i+1]
		if _, ok := Lookup(k.Value); !ok {
			msg := fmt.Sprintf("%s:%d: profile %s: unknown setting %q", path, k.Line, name, k.Value)
			if s := settings.Suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, configErrorf("%s", msg)
		}
		text, err := settings.ScalarOrList(v)
		if err != nil {
			return nil, configErrorf("%s:%d: profile %s: %s: %v", path, v.Line, name, k.Value, err)
		}
		p[k.Value] = Value{Value: text, Line: k.Line}
	}
	return p, nil
}

// SetProfile stores opts as profile name, keeping only values that differ from
// the defaults so that later default changes reach old profiles.
func (f *File) SetProfile(name string, opts Options) {
	defaults := Defaults()
	p := Profile{}
	for _, s := range Settings {
		v, d := textOf(s.bind(&opts)), textOf(s.bind(&defaults))
		if v != d {
			p[s.Name] = Value{Value: v}
		}
	}
	f.Profiles[name] = p
}

func textOf(ptr any) string {
	switch p := ptr.(type) {
	case *string:
		return *p
	case *[]string:
		return strings.Join(*p, ",")
	case *bool:
		if *p {
			return "true"
		}
		return "false"
	case *time.Duration:
		return p.String()
	default:
		panic(fmt.Sprintf("clientconfig: unsupported type %T", ptr))
	}
}

// Marshal renders the file as YAML, settings in table order.
func (f *File) Marshal() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(m *yaml.Node, k string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	add(root, "current-profile", &yaml.Node{Kind: yaml.ScalarNode, Value: f.CurrentProfile})
	profiles := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range f.ProfileNames() {
		pm := &yaml.Node{Kind: yaml.MappingNode}
		for _, s := range Settings {
			v, ok := f.Profiles[name][s.Name]
			if !ok {
				continue
			}
			if settings.IsList(s.bind(&Options{})) {
				seq := &yaml.Node{Kind: yaml.SequenceNode}
				for _, item := range strings.Split(v.Value, ",") {
					if item != "" {
						seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: item})
					}
				}
				add(pm, s.Name, seq)
				continue
			}
			add(pm, s.Name, &yaml.Node{Kind: yaml.ScalarNode, Value: v.Value})
		}
		add(profiles, name, pm)
	}
	add(root, "profiles", profiles)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// Save writes the file atomically with mode 0600 (it may hold a password) in a
// directory of mode 0700.
func (f *File) Save(path string) error {
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %v", dir, unwrapPath(err))
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yml")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, unwrapPath(err))
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.Write(data)
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
	}
	if err != nil {
		tmp.Close()
		return fmt.Errorf("cannot save %s: %v", path, unwrapPath(err))
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
