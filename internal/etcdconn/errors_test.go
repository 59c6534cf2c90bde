package etcdconn

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/testutil"
)

// TestExplainLostQuorum: a read on a two-member cluster with one member down
// times out; Explain says the cluster lost quorum and what to do, instead of
// blaming the down member's endpoint alone.
func TestExplainLostQuorum(t *testing.T) {
	etcd := testutil.StartEtcd(t, 2)
	eps := etcd.Endpoints()
	etcd.Members[1].Stop()
	conn, err := New(Config{Endpoints: eps, DialTimeout: time.Second, CommandTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := conn.Context(context.Background())
	defer cancel()
	_, err = conn.Get(ctx, "/sensu.io/x")
	err = conn.Explain(context.Background(), err, "read /sensu.io/x")
	if !errors.Is(err, ErrNoQuorum) {
		t.Fatalf("want no quorum, got %v", err)
	}
	for _, want := range []string{"read /sensu.io/x: no quorum: " + eps[0] + " accepts connections but did not answer within 3s, and cannot reach " + eps[1] + ": connection refused",
		"restart the down backends", "rebuild the cluster from a snapshot"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

// TestCredentialSettingsInHints: sensu-backend init names its own settings.
func TestCredentialSettingsInHints(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	ep := etcd.Endpoints()[0]
	cli := etcd.Client(t)
	ctx := testutil.Ctx(t, 10*time.Second)
	if _, err := cli.UserAdd(ctx, "root", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.UserGrantRole(ctx, "root", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.AuthEnable(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ settings, user, want string }{
		{"", "root", `connect: authentication failed for user "root" at ` + ep + ": wrong user name or password (check --user and --password (or SENSUCTL_PASSWORD))"},
		{"--etcd-client-username and --etcd-client-password", "root", `(check --etcd-client-username and --etcd-client-password)`},
	} {
		_, err := New(Config{Endpoints: []string{ep}, User: tc.user, Password: "wrong", CredentialSettings: tc.settings, DialTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second})
		if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("settings %q: %v, want %q", tc.settings, err, tc.want)
		}
	}
	conn, err := New(Config{Endpoints: []string{ep}, CredentialSettings: "--etcd-client-username and --etcd-client-password", DialTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = conn.Get(ctx, "x")
	if err = conn.Explain(ctx, err, "read x"); !errors.Is(err, ErrAuth) || !strings.HasSuffix(err.Error(), "requires authentication (set --etcd-client-username and --etcd-client-password)") {
		t.Errorf("no user: %v", err)
	}
}
