package sensu1config

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
)

func TestDefinitions(t *testing.T) {
	dir := filepath.Join(testdata, "config", "07-synthetic-server", "server")
	s, _, err := Load(Options{ConfigFile: filepath.Join(dir, "config.json"), ConfigDirs: []string{filepath.Join(dir, "conf.d")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, category := range Categories {
		defs := s.Definitions(category)
		m, _ := s.Data[category].(map[string]any)
		if len(defs) != len(m) {
			t.Errorf("%s: %d definitions, the settings have %d", category, len(defs), len(m))
		}
		names := make([]string, 0, len(defs))
		for _, d := range defs {
			names = append(names, d.Name)
			if d.Attrs == nil {
				t.Errorf("%s.%s: nil Attrs", category, d.Name)
			}
			if _, ok := d.Attrs["name"]; ok {
				t.Errorf("%s.%s: a name attribute was added", category, d.Name)
			}
		}
		if !slices.IsSorted(names) {
			t.Errorf("%s: names not sorted: %q", category, names)
		}
	}
	defs := s.Definitions("checks")
	i := slices.IndexFunc(defs, func(d Definition) bool { return d.Name == "check-disk" })
	if i < 0 {
		t.Fatalf("no check-disk in %v", defs)
	}
	if got := defs[i].Attrs["interval"]; got != json.Number("60") {
		t.Errorf("check-disk interval = %#v", got)
	}
	if got := s.Definitions("nope"); got != nil {
		t.Errorf("Definitions(nope) = %v", got)
	}
	if s.Client() != nil {
		t.Errorf("Client() = %v, the server files have no client", s.Client())
	}
}

func TestDefinitionsOddShapes(t *testing.T) {
	s, _, _ := loadFiles(t, `{"checks": {"b": {"command": "true"}, "a": "not an object"}, "handlers": [], "client": {"name": "x"}}`)
	defs := s.Definitions("checks")
	if len(defs) != 2 || defs[0].Name != "a" || defs[0].Attrs != nil || defs[1].Name != "b" || defs[1].Attrs["command"] != "true" {
		t.Errorf("Definitions(checks) = %v", defs)
	}
	if got := s.Definitions("handlers"); got != nil {
		t.Errorf("Definitions(handlers) = %v, want nil for a non-object", got)
	}
	if got := s.Client(); got["name"] != "x" {
		t.Errorf("Client() = %v", got)
	}
}

func TestOrigin(t *testing.T) {
	dir := filepath.Join(testdata, "config", "01-sensu-core-spec")
	config, merger := filepath.Join(dir, "config.json"), filepath.Join(dir, "conf.d", "merger.json")
	s, _, err := Load(Options{ConfigFile: config, ConfigDirs: []string{filepath.Join(dir, "conf.d")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path []string
		want string
	}{
		{[]string{"checks", "merger", "command"}, merger},
		{[]string{"checks", "merger", "interval"}, config},
		{[]string{"checks", "merger"}, merger},
		{[]string{"checks", "tokens", "command"}, config},
		{[]string{"checks", "nope"}, ""},
	} {
		if got := s.Origin(tt.path...); got != tt.want {
			t.Errorf("Origin(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// The importer reads files: the variables sensu-settings read are ignored.
func TestEnvironmentIgnored(t *testing.T) {
	for k, v := range map[string]string{
		"SENSU_TRANSPORT_NAME":       "rabbitmq",
		"RABBITMQ_URL":               "amqp://guest:guest@localhost:5672/%2F",
		"REDIS_URL":                  "redis://localhost:6379/0",
		"REDIS_SENTINEL_URLS":        "redis://localhost:26379",
		"SENSU_CLIENT_NAME":          "from-env",
		"SENSU_CLIENT_ADDRESS":       "192.0.2.1",
		"SENSU_CLIENT_SUBSCRIPTIONS": "env1,env2",
		"SENSU_API_PORT":             "9999",
	} {
		t.Setenv(k, v)
	}
	dir := filepath.Join(testdata, "config", "07-synthetic-server", "clients", "web-01", "conf.d")
	s, _, err := Load(Options{ConfigDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	if c["name"] != "web-01" || c["address"] != "10.0.1.11" || len(c["subscriptions"].([]any)) != 4 {
		t.Errorf("client = %v", c)
	}
	for _, k := range []string{"rabbitmq", "api"} {
		if _, ok := s.Data[k]; ok {
			t.Errorf("%s set from the environment", k)
		}
	}
	if tr := s.Data["transport"].(map[string]any); tr["name"] != "redis" {
		t.Errorf("transport = %v", tr)
	}
	if r := s.Data["redis"].(map[string]any); r["host"] != "10.0.0.5" {
		t.Errorf("redis = %v", r)
	}
}
