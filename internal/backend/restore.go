package backend

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/backup"
)

// restoredMarker records which snapshot a state dir was restored from, so
// that restarting with the same --restore-snapshot starts normally instead of
// refusing the now non-empty state dir.
const restoredMarker = "RESTORED_FROM"

// defaultClusterToken is embed's token when none is configured; a restore must
// use the same one the member will start with.
const defaultClusterToken = "etcd-cluster"

// restore writes the snapshot into the empty state dir as this member of a
// new cluster, using the member's own settings.
func (b *Backend) restore() error {
	snap := b.cfg.RestoreSnapshot
	sum, err := fileSHA256(snap)
	if err != nil {
		return fmt.Errorf("restore-snapshot %s: %w", snap, unwrapPathError(err))
	}
	dataDir, walDir := filepath.Join(b.cfg.EtcdDir(), "data"), filepath.Join(b.cfg.EtcdDir(), "wal")
	marker := filepath.Join(b.cfg.StateDir, restoredMarker)
	if hasData(dataDir) {
		if prev, err := os.ReadFile(marker); err == nil && strings.HasPrefix(string(prev), sum) {
			b.lg.Info("state dir already restored from this snapshot; starting on it", zap.String("snapshot", snap))
			return nil
		}
		return fmt.Errorf("restore-snapshot %s: the state dir %s already holds data; a restore only goes into an empty state dir (empty it, or drop --restore-snapshot to start on the existing data)",
			snap, b.cfg.StateDir)
	}
	token := b.cfg.Etcd.InitialClusterToken
	if token == "" {
		token = defaultClusterToken
	}
	started := time.Now()
	if b.cfg.RestoreIgnoreSidecar && backup.SidecarExists(snap) {
		b.lg.Warn("restore-snapshot: the sidecar was ignored (restore-snapshot-ignore-sidecar): it is not compared with the snapshot",
			zap.String("snapshot", snap), zap.String("sidecar", backup.MetaPath(snap)))
	}
	res, err := backup.Restore(backup.RestoreOptions{
		SnapshotPath: snap, DataDir: dataDir, WALDir: walDir,
		Name: b.cfg.Etcd.Name, PeerURLs: b.cfg.Etcd.InitialAdvertisePeerURLs,
		InitialCluster: b.cfg.Etcd.ResolvedInitialCluster(), InitialClusterToken: token,
		IgnoreSidecar: b.cfg.RestoreIgnoreSidecar,
	})
	if err != nil {
		var se *backup.SidecarError
		if errors.As(err, &se) {
			se.Hint = "set restore-snapshot-ignore-sidecar to go on without it"
		}
		return fmt.Errorf("restore-snapshot: %w", err)
	}
	note := fmt.Sprintf("%s %s restored at %s, revision %d → %d\n", sum, snap, time.Now().UTC().Format(time.RFC3339), res.Revision, res.NewRevision)
	if err := os.WriteFile(marker, []byte(note), 0o600); err != nil {
		return fmt.Errorf("record the restore in %s: %w", marker, err)
	}
	b.lg.Warn("restored the state dir from a snapshot", zap.String("snapshot", snap), zap.Int64("revision", res.NewRevision), since(started))
	return nil
}

func hasData(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) > 0 || err != nil && !errors.Is(err, fs.ErrNotExist)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
