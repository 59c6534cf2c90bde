package backend

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sensu-etcd/sensu/internal/backup"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

// TestRestoreSnapshotComparesSidecar: --restore-snapshot refuses a snapshot
// whose sidecar belongs to another cluster's snapshot, naming the field and
// the setting that goes on without it, and writes nothing;
// restore-snapshot-ignore-sidecar restores it and logs that the sidecar was
// ignored.
func TestRestoreSnapshotComparesSidecar(t *testing.T) {
	ctx := testutil.Ctx(t, 60*time.Second)
	dir := t.TempDir()
	var paths [2]string
	var metas [2]backup.Meta
	for i := range paths {
		etcd := testutil.StartEtcd(t, 1)
		paths[i] = filepath.Join(dir, []string{"a.db", "b.db"}[i])
		m, err := backup.Save(ctx, etcd.Client(t), etcd.Endpoints()[0], paths[i], backup.SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		metas[i] = m
	}
	other, _ := os.ReadFile(backup.MetaPath(paths[1]))
	os.WriteFile(backup.MetaPath(paths[0]), other, 0o600)

	for _, ignore := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.StateDir = filepath.Join(t.TempDir(), "state")
		cfg.RestoreSnapshot, cfg.RestoreIgnoreSidecar = paths[0], ignore
		cfg.Etcd.Name = "r1"
		cfg.Etcd.InitialAdvertisePeerURLs = []string{"http://127.0.0.1:1"}
		core, logs := observer.New(zap.WarnLevel)
		b, err := New(cfg, zap.New(core))
		if err != nil {
			t.Fatal(err)
		}
		err = b.restore()
		data := filepath.Join(cfg.EtcdDir(), "data")
		_, serr := os.Stat(data)
		if !ignore {
			want := "restore-snapshot: " + paths[0] + ": the sidecar " + backup.MetaPath(paths[0]) + " says cluster ID " + metas[1].ClusterID +
				", the file holds cluster " + metas[0].ClusterID + ": they belong to different snapshots (set restore-snapshot-ignore-sidecar to go on without it)"
			if err == nil || err.Error() != want {
				t.Errorf("restore:\n got %v\nwant %s", err, want)
			}
			if !os.IsNotExist(serr) {
				t.Errorf("a refused restore left %s", data)
			}
			continue
		}
		if err != nil || serr != nil {
			t.Errorf("restore with the sidecar ignored: %v, %v", err, serr)
		}
		if logs.FilterMessageSnippet("the sidecar was ignored").Len() != 1 {
			t.Errorf("no warning that the sidecar was ignored: %v", logs.All())
		}
	}
}
