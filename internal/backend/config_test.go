package backend

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error; empty means valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"initial cluster derived from a custom name", func(c *Config) { c.Etcd.Name = "backend-7" }, ""},
		{"name missing from initial cluster", func(c *Config) {
			c.Etcd.Name = "b3"
			c.Etcd.InitialCluster = "b1=http://127.0.0.1:2380,b2=http://127.0.0.1:3380"
		}, `etcd-initial-cluster "b1=http://127.0.0.1:2380,b2=http://127.0.0.1:3380": has no member named "b3" (etcd-name); it names b1, b2`},
		{"own peer URL differs", func(c *Config) {
			c.Etcd.InitialCluster = "default=http://127.0.0.1:9999"
		}, "gives default=http://127.0.0.1:9999 but etcd-initial-advertise-peer-urls is http://127.0.0.1:2380"},
		{"malformed initial cluster", func(c *Config) { c.Etcd.InitialCluster = "default" }, `entry "default" is not name=peer-url`},
		{"malformed listen URL", func(c *Config) { c.Etcd.ListenClientURLs = []string{"127.0.0.1:2379"} }, `etcd-listen-client-urls "127.0.0.1:2379": missing the scheme: write http://127.0.0.1:2379`},
		{"unknown scheme", func(c *Config) { c.Etcd.ListenClientURLs = []string{"tcp://127.0.0.1:2379"} }, "scheme must be http or https"},
		{"URL without port", func(c *Config) { c.Etcd.ListenPeerURLs = []string{"http://127.0.0.1"} }, "etcd-listen-peer-urls \"http://127.0.0.1\": needs an explicit host:port"},
		{"URL with path", func(c *Config) { c.Etcd.AdvertiseClientURLs = []string{"http://127.0.0.1:2379/x"} }, "without a path"},
		{"listen on a host name", func(c *Config) { c.Etcd.ListenClientURLs = []string{"http://example.com:2379"} }, "needs an IP address"},
		{"https without cert", func(c *Config) {
			c.Etcd.ListenClientURLs = []string{"https://127.0.0.1:2379"}
		}, "https needs a certificate"},
		{"bad state", func(c *Config) { c.Etcd.InitialClusterState = "join" }, "must be new or existing"},
		{"election too short", func(c *Config) { c.Etcd.ElectionTimeoutMs = 1000 }, "at least 5 times etcd-heartbeat-interval (300 ms)"},
		{"cert without key", func(c *Config) { c.Etcd.PeerTLS.CertFile = "/x.pem" }, "etcd-peer-cert-file and etcd-peer-key-file must be given together"},
		{"client cert auth without CA", func(c *Config) {
			c.Etcd.ClientTLS = TLSFiles{CertFile: "a", KeyFile: "b", ClientCertAuth: true}
		}, "etcd-client-cert-auth"},
		{"bad log level", func(c *Config) { c.LogLevel = "verbose" }, "log-level \"verbose\""},
		{"bad log format", func(c *Config) { c.LogFormat = "xml" }, "log-format"},
		{"bad api address", func(c *Config) { c.APIListenAddress = "8080" }, "api-listen-address"},
		{"name with comma", func(c *Config) { c.Etcd.Name = "a,b" }, "etcd-name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.mutate(&cfg)
			err := cfg.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\n does not contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error is not ErrInvalidConfig")
			}
		})
	}
}

func TestResolvedInitialCluster(t *testing.T) {
	e := DefaultConfig().Etcd
	e.Name = "backend-2"
	e.InitialAdvertisePeerURLs = []string{"http://127.0.0.1:12380", "http://[::1]:12380"}
	if got, want := e.ResolvedInitialCluster(), "backend-2=http://127.0.0.1:12380,backend-2=http://[::1]:12380"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e.InitialCluster = " a=http://127.0.0.1:1 "
	if got := e.ResolvedInitialCluster(); got != "a=http://127.0.0.1:1" {
		t.Errorf("explicit initial cluster: got %q", got)
	}
}
