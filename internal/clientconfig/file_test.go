package clientconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProfileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.yml")
	f := &File{Profiles: map[string]Profile{}}
	opts := Defaults()
	opts.Endpoints = []string{"https://10.0.0.1:2379", "https://10.0.0.2:2379"}
	opts.CACert = "/etc/sensu/ca.pem"
	opts.User, opts.Password = "viewer", "pw"
	opts.CommandTimeout = 30 * time.Second
	f.SetProfile("prod", opts)
	f.CurrentProfile = "prod"
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	want := `current-profile: prod
profiles:
  prod:
    endpoints:
      - https://10.0.0.1:2379
      - https://10.0.0.2:2379
    cacert: /etc/sensu/ca.pem
    user: viewer
    password: pw
    command-timeout: 30s
`
	if string(data) != want {
		t.Errorf("saved:\n%s\nwant:\n%s", data, want)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.CurrentProfile != "prod" || back.Profiles["prod"]["endpoints"].Value != "https://10.0.0.1:2379,https://10.0.0.2:2379" ||
		back.Profiles["prod"]["command-timeout"].Line != 10 {
		t.Errorf("read back: %+v", back)
	}
	if _, ok := back.Profiles["prod"]["namespace"]; ok {
		t.Error("defaults must not be written into profiles")
	}
}

func TestReadFileErrors(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{"profiles:\n  a:\n    endpoint: x\n", `:3: profile a: unknown setting "endpoint" (did you mean "endpoints"?)`},
		{"currentprofile: a\n", `:1: unknown key "currentprofile"`},
		{"profiles: [a]\n", ":1: profiles must map profile names to settings"},
		{"profiles:\n  a: [x]\n", ":2: profile a must be a mapping"},
		{"profiles: {a: {endpoints: [x: y]}}\n", "list items must be plain values"},
	} {
		path := filepath.Join(t.TempDir(), "config.yml")
		os.WriteFile(path, []byte(tc.content), 0o600)
		_, err := ReadFile(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%q: got %v, want %q", tc.content, err, tc.want)
		}
	}
}
