package sensuctl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/backup"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

func TestSnapshotBadFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	files := map[string][]byte{
		"empty.db": nil,
		"text.db":  []byte("hello\n"),
		"raw.db":   append(append(make([]byte, 16), 0xED, 0xDA, 0x0C, 0xED), make([]byte, 4096-20)...),
	}
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	for _, tc := range []struct{ file, want string }{
		{"empty.db", "empty file"},
		{"text.db", "not an etcd snapshot"},
		{"raw.db", "--skip-hash-check"},
		{"missing.db", "no such file"},
	} {
		for _, cmd := range []string{"verify", "inspect"} {
			r := run(t, e, false, "snapshot", cmd, filepath.Join(dir, tc.file))
			oneErrorLine(t, r, ExitError, tc.want)
		}
		target := filepath.Join(dir, "target-"+tc.file)
		r := run(t, e, false, "snapshot", "restore", filepath.Join(dir, tc.file), "--data-dir", target,
			"--name", "x", "--initial-cluster", "x=http://127.0.0.1:1", "--initial-advertise-peer-urls", "http://127.0.0.1:1")
		oneErrorLine(t, r, ExitError, tc.want)
		if _, err := os.Stat(target); !os.IsNotExist(err) {
			t.Errorf("%s: restore created %s", tc.file, target)
		}
	}
	r := run(t, e, false, "snapshot", "restore", filepath.Join(dir, "text.db"))
	oneErrorLine(t, r, ExitUsage, "--data-dir, --name")
	if !strings.Contains(run(t, e, false, "snapshot", "restore-plan", filepath.Join(dir, "x.db")).stderr, "--members is required") {
		t.Error("restore-plan without --members")
	}
}

// TestSnapshotSidecarMismatch: snapshots of two clusters with their sidecars
// swapped are refused by verify, inspect, restore and restore-plan with exit
// code 1 (as a damaged snapshot) and one line naming the field and both
// values; --ignore-sidecar goes on and says so on stderr. Data appended to a
// snapshot is reported as trailing bytes.
func TestSnapshotSidecarMismatch(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	ctx := testutil.Ctx(t, 60*time.Second)
	var paths [2]string
	var metas [2]backup.Meta
	for i := range paths {
		etcd := testutil.StartEtcd(t, 1)
		cli := etcd.Client(t)
		if _, err := cli.Put(ctx, "/sensu.io/checks/default/c", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		paths[i] = filepath.Join(dir, fmt.Sprintf("snapshot-%d.db", i))
		m, err := backup.Save(ctx, cli, etcd.Endpoints()[0], paths[i], backup.SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		metas[i] = m
	}
	// Swap the sidecars.
	side0, _ := os.ReadFile(backup.MetaPath(paths[0]))
	side1, _ := os.ReadFile(backup.MetaPath(paths[1]))
	os.WriteFile(backup.MetaPath(paths[0]), side1, 0o600)
	os.WriteFile(backup.MetaPath(paths[1]), side0, 0o600)

	path := paths[0]
	want := fmt.Sprintf("sensuctl: %s: the sidecar %s says cluster ID %s, the file holds cluster %s: they belong to different snapshots (use --ignore-sidecar to go on without it)",
		path, backup.MetaPath(path), metas[1].ClusterID, metas[0].ClusterID)
	target := filepath.Join(dir, "restored")
	restore := []string{"snapshot", "restore", path, "--data-dir", target, "--name", "x",
		"--initial-cluster", "x=http://127.0.0.1:1", "--initial-advertise-peer-urls", "http://127.0.0.1:1"}
	for _, args := range [][]string{
		{"snapshot", "verify", path}, {"snapshot", "inspect", path}, restore,
		{"snapshot", "restore-plan", path, "--members", "x=http://127.0.0.1:1"},
	} {
		r := run(t, e, false, args...)
		oneErrorLine(t, r, ExitError, want)
		if strings.TrimSpace(r.stderr) != want {
			t.Errorf("%s:\n got %q\nwant %q", args[1], strings.TrimSpace(r.stderr), want)
		}
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s", target)
	}

	warning := "warning: " + path + ": the sidecar " + backup.MetaPath(path) + " was ignored (--ignore-sidecar)"
	for _, args := range [][]string{
		{"snapshot", "verify", path, "--ignore-sidecar"}, {"snapshot", "inspect", path, "--ignore-sidecar"},
		append(append([]string(nil), restore...), "--ignore-sidecar"),
		{"snapshot", "restore-plan", path, "--members", "x=http://127.0.0.1:1", "--ignore-sidecar"},
	} {
		r := run(t, e, false, args...)
		if r.code != ExitOK || !strings.Contains(r.stderr, warning) {
			t.Errorf("%s --ignore-sidecar: exit %d, stderr %q", args[1], r.code, r.stderr)
		}
		if args[1] == "restore-plan" && !strings.Contains(r.stdout, "--restore-snapshot-ignore-sidecar\n") {
			t.Errorf("restore-plan --ignore-sidecar: the plan does not set restore-snapshot-ignore-sidecar:\n%s", r.stdout)
		}
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("restore --ignore-sidecar: %v", err)
	}

	// Junk appended, with its own sidecar back in place.
	os.WriteFile(backup.MetaPath(path), side0, 0o600)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, append(data, "junk"...), 0o600)
	r := run(t, e, false, "snapshot", "verify", path)
	oneErrorLine(t, r, ExitError, "trailing bytes after the database: "+path+" has 4 bytes after the database")
}
