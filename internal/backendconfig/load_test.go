package backendconfig

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// load parses args for cmd with the given environment and returns the options.
func load(t *testing.T, cmd Command, args []string, env map[string]string) (Options, []string, error) {
	t.Helper()
	opts := DefaultOptions()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	Register(fs, cmd, &opts)
	if err := fs.Parse(args); err != nil {
		return opts, nil, err
	}
	var warnings []string
	src := Source{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ: func() []string {
			var kv []string
			for k, v := range env {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
		Warn: func(s string) { warnings = append(warnings, s) },
	}
	err := Apply(fs, cmd, src)
	return opts, warnings, err
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "backend.yml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrecedenceFlagOverEnvOverFileOverDefault(t *testing.T) {
	file := writeFile(t, "etcd-name: from-file\nlog-level: info\nstate-dir: /file/state\netcd-heartbeat-interval: 250\n")
	env := map[string]string{
		"SENSU_BACKEND_ETCD_NAME": "from-env",
		"SENSU_BACKEND_LOG_LEVEL": "debug",
	}
	opts, _, err := load(t, Start, []string{"--config-file", file, "--etcd-name", "from-flag"}, env)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"etcd-name (flag > env > file)": opts.Backend.Etcd.Name,
		"log-level (env > file)":        opts.Backend.LogLevel,
		"state-dir (file > default)":    opts.Backend.StateDir,
		"heartbeat (file, uint)":        opts.Backend.Etcd.HeartbeatIntervalMs,
		"election (default)":            opts.Backend.Etcd.ElectionTimeoutMs,
	}
	want := map[string]any{
		"etcd-name (flag > env > file)": "from-flag",
		"log-level (env > file)":        "debug",
		"state-dir (file > default)":    "/file/state",
		"heartbeat (file, uint)":        uint(250),
		"election (default)":            uint(3000),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestDefaults(t *testing.T) {
	opts, _, err := load(t, Start, []string{"--config-file", filepath.Join(t.TempDir(), "absent.yml")}, nil)
	if err == nil || !strings.Contains(err.Error(), "absent.yml") {
		t.Fatalf("explicit missing file: want an error naming it, got %v", err)
	}
	// The default path may be absent without error.
	opts = DefaultOptions()
	opts.ConfigFile = filepath.Join(t.TempDir(), "absent.yml")
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	Register(fs, Start, &opts)
	if err := Apply(fs, Start, Source{LookupEnv: func(string) (string, bool) { return "", false }}); err != nil {
		t.Fatalf("missing default file: %v", err)
	}
	b := opts.Backend
	if b.StateDir != "/var/lib/sensu/sensu-backend" || b.APIListenAddress != "127.0.0.1:8080" || b.LogLevel != "warn" ||
		b.Etcd.HeartbeatIntervalMs != 300 || b.Etcd.ElectionTimeoutMs != 3000 || b.Etcd.QuotaBackendBytes != 4<<30 ||
		b.Etcd.InitialCluster != "" || !reflect.DeepEqual(b.Etcd.ListenClientURLs, []string{"http://127.0.0.1:2379"}) {
		t.Errorf("unexpected defaults: %+v", b)
	}
}

func TestConfigFileFromEnv(t *testing.T) {
	file := writeFile(t, "etcd-name: via-env-file\n")
	opts, _, err := load(t, Start, nil, map[string]string{"SENSU_BACKEND_CONFIG_FILE": file})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Backend.Etcd.Name != "via-env-file" {
		t.Errorf("etcd-name = %q", opts.Backend.Etcd.Name)
	}
	_, _, err = load(t, Start, nil, map[string]string{"SENSU_BACKEND_CONFIG_FILE": file + ".missing"})
	if err == nil || !strings.Contains(err.Error(), ".missing") {
		t.Errorf("missing file named by env: got %v", err)
	}
}

func TestListsFromFileAndEnv(t *testing.T) {
	file := writeFile(t, "etcd-listen-client-urls:\n  - http://127.0.0.1:1\n  - http://127.0.0.1:2\netcd-listen-peer-urls: http://127.0.0.1:3,http://127.0.0.1:4\n")
	opts, _, err := load(t, Start, []string{"--config-file", file}, map[string]string{
		"SENSU_BACKEND_ETCD_ADVERTISE_CLIENT_URLS": "http://127.0.0.1:5,http://127.0.0.1:6",
	})
	if err != nil {
		t.Fatal(err)
	}
	e := opts.Backend.Etcd
	for name, pair := range map[string][2][]string{
		"yaml sequence": {e.ListenClientURLs, {"http://127.0.0.1:1", "http://127.0.0.1:2"}},
		"yaml comma":    {e.ListenPeerURLs, {"http://127.0.0.1:3", "http://127.0.0.1:4"}},
		"env comma":     {e.AdvertiseClientURLs, {"http://127.0.0.1:5", "http://127.0.0.1:6"}},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s: got %v, want %v", name, pair[0], pair[1])
		}
	}
}

func TestFileErrors(t *testing.T) {
	cases := []struct {
		name, content string
		want          []string
	}{
		{"unknown key", "etcd-name: a\netcd-heartbeat: 100\n", []string{"backend.yml:2", `unknown setting "etcd-heartbeat"`, `did you mean "etcd-heartbeat-interval"`}},
		{"unknown key far from any", "bogus-setting-xyz: 1\n", []string{"backend.yml:1", `unknown setting "bogus-setting-xyz"`}},
		{"bad uint", "\n\netcd-election-timeout: soon\n", []string{"backend.yml:3", "etcd-election-timeout", `"soon"`}},
		{"duplicate", "log-level: info\nlog-level: debug\n", []string{"backend.yml:2", "log-level is set twice", "line 1"}},
		{"not a mapping", "- a\n- b\n", []string{"backend.yml:1", "mapping"}},
		{"list for scalar", "etcd-name:\n  - a\n", []string{"backend.yml:2", "etcd-name takes a single value"}},
		{"mapping value", "etcd-name:\n  a: b\n", []string{"backend.yml:2", "not a mapping"}},
		{"config-file inside", "config-file: /x\n", []string{"config-file cannot be set inside"}},
		{"malformed yaml", "etcd-name: [unclosed\n", []string{"backend.yml", "line"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := writeFile(t, tc.content)
			_, _, err := load(t, Start, []string{"--config-file", file}, nil)
			if err == nil {
				t.Fatal("want an error")
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("error %v is not ErrConfig", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestEmptyFileIsFine(t *testing.T) {
	for _, content := range []string{"", "\n  \n", "# only a comment\n", "---\n"} {
		file := writeFile(t, content)
		if _, _, err := load(t, Start, []string{"--config-file", file}, nil); err != nil {
			t.Errorf("content %q: %v", content, err)
		}
	}
}

func TestEnvErrorsAndWarnings(t *testing.T) {
	_, _, err := load(t, Start, nil, map[string]string{"SENSU_BACKEND_ETCD_HEARTBEAT_INTERVAL": "fast"})
	if err == nil || !strings.Contains(err.Error(), "SENSU_BACKEND_ETCD_HEARTBEAT_INTERVAL") || !strings.Contains(err.Error(), `"fast"`) {
		t.Errorf("bad env value: got %v", err)
	}
	_, warnings, err := load(t, Start, nil, map[string]string{"SENSU_BACKEND_ETCD_NAM": "x", "SENSU_BACKEND_ETCD_NAME": "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "SENSU_BACKEND_ETCD_NAM") || !strings.Contains(warnings[0], "did you mean SENSU_BACKEND_ETCD_NAME") {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestInitTakesOnlyItsSettings(t *testing.T) {
	// A start-only key in the shared file is known, so init accepts the file.
	file := writeFile(t, "state-dir: /x\netcd-advertise-client-urls: http://127.0.0.1:9999\ntimeout: 3s\n")
	opts, _, err := load(t, Init, []string{"--config-file", file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Init.Timeout != 3*time.Second || opts.Backend.Etcd.AdvertiseClientURLs[0] != "http://127.0.0.1:9999" {
		t.Errorf("init options: %+v, advertise %v", opts.Init, opts.Backend.Etcd.AdvertiseClientURLs)
	}
	if opts.Backend.StateDir != DefaultOptions().Backend.StateDir {
		t.Errorf("init must not take state-dir, got %q", opts.Backend.StateDir)
	}
}

func TestEverySettingBindsAndHasUsage(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Settings {
		if seen[s.Name] {
			t.Errorf("setting %s listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Usage == "" || s.For == 0 || s.bind == nil {
			t.Errorf("setting %s is incomplete", s.Name)
		}
		if !strings.HasPrefix(s.Env(), "SENSU_BACKEND_") || strings.Contains(s.Env(), "-") {
			t.Errorf("setting %s has env %s", s.Name, s.Env())
		}
	}
}
