package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
	"go.uber.org/zap"
)

// DefaultRevisionBump moves the restored store's revision far past anything
// the old cluster reached, so watchers and caches see a compaction instead of
// revisions going backwards.
const DefaultRevisionBump = 1_000_000_000

// RestoreOptions describe one member of the new cluster.
type RestoreOptions struct {
	SnapshotPath        string
	DataDir             string // must not exist or be empty
	WALDir              string // empty: DataDir/member/wal
	Name                string
	PeerURLs            []string
	InitialCluster      string // name=peerURL,… of every member of the new cluster
	InitialClusterToken string
	SkipHashCheck       bool
	// IgnoreSidecar does not compare FILE.meta.json with the file.
	IgnoreSidecar bool
	// RevisionBump is added to the revision and marked compacted; 0 means
	// DefaultRevisionBump. NoRevisionBump keeps the snapshot's revision.
	RevisionBump   uint64
	NoRevisionBump bool
}

// RestoreResult says what was restored.
type RestoreResult struct {
	Info
	DataDir     string `json:"data_dir"`
	WALDir      string `json:"wal_dir"`
	NewRevision int64  `json:"new_revision"`
}

// Restore checks the snapshot, then writes a new data dir for one member of a
// new cluster through etcdutl. It writes into a temporary directory beside
// the target and renames it into place, so a failure never leaves a partial
// directory.
func Restore(opts RestoreOptions) (RestoreResult, error) {
	res := RestoreResult{DataDir: opts.DataDir, WALDir: opts.WALDir}
	res.Sidecar = SidecarAbsent
	// Shape and a walk of the whole database here, where damage is caught
	// (etcd's code may crash on it); the SHA-256 is checked while etcdutl
	// copies the file (below).
	size, err := classify(opts.SnapshotPath)
	res.Size = size
	switch {
	case err == nil:
		res.HasHash = true
	case errors.Is(err, ErrMissingHash) && opts.SkipHashCheck:
	default:
		return res, err
	}
	side, err := sidecarFor(opts.SnapshotPath, opts.IgnoreSidecar, &res.Info)
	if err != nil {
		return res, err
	}
	var members []uint64
	if err := checkDB(opts.SnapshotPath, func(tx *bolt.Tx) error {
		res.Revision = lastRevision(tx)
		members = readMembers(tx)
		return walkAll(tx)
	}); err != nil {
		if res.HasHash {
			// Damaged in transit says more than damaged structure.
			if _, herr := CheckHash(opts.SnapshotPath); herr != nil {
				return res, herr
			}
		}
		return res, err
	}
	// The sidecar's fields but its SHA-256 are compared before anything is
	// written; the SHA-256 with the hash, before the result is moved in.
	facts := fileFacts{Size: size, Revision: res.Revision, Members: members}
	if side != nil {
		if err := compareSidecar(opts.SnapshotPath, side, facts); err != nil {
			return res, err
		}
	}
	info := res.Info
	if opts.Name == "" || opts.InitialCluster == "" || len(opts.PeerURLs) == 0 {
		return res, errors.New("restore needs the member's name, peer URLs and the initial cluster")
	}
	for _, dir := range []string{opts.DataDir, opts.WALDir} {
		if dir == "" {
			continue
		}
		if err := mustBeEmpty(dir); err != nil {
			return res, err
		}
	}
	parent := filepath.Dir(filepath.Clean(opts.DataDir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return res, fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(opts.DataDir)+".restoring-")
	if err != nil {
		return res, fmt.Errorf("create a work dir beside %s: %w", opts.DataDir, err)
	}
	defer os.RemoveAll(tmp)
	tmpData, tmpWAL := filepath.Join(tmp, "data"), ""
	if opts.WALDir != "" {
		tmpWAL = filepath.Join(tmp, "wal")
	}
	bump := opts.RevisionBump
	if bump == 0 {
		bump = DefaultRevisionBump
	}
	if opts.NoRevisionBump {
		bump = 0
	}
	cfg := snapshot.RestoreConfig{
		SnapshotPath:        opts.SnapshotPath,
		Name:                opts.Name,
		OutputDataDir:       tmpData,
		OutputWALDir:        tmpWAL,
		PeerURLs:            opts.PeerURLs,
		InitialCluster:      opts.InitialCluster,
		InitialClusterToken: opts.InitialClusterToken,
		// The hash is checked here, below, not by etcdutl.
		SkipHashCheck: true,
		RevisionBump:  bump,
		// etcdutl ignores a bump without this (its CLI checks the pair).
		MarkCompacted: bump > 0,
	}
	// etcdutl copies the file, then reads the copy again to hash it. Hashing
	// the snapshot while it copies (the copy runs in the kernel) takes that
	// second pass off the clock; the result is moved into place only when
	// the hash matches.
	hashed := make(chan error, 1)
	checkTrailer := info.HasHash && !opts.SkipHashCheck
	if checkTrailer || side != nil {
		go func() {
			sum, ok, err := hashFile(opts.SnapshotPath, size)
			switch {
			case err != nil:
			case checkTrailer && !ok:
				err = fmt.Errorf("%w: the contents of %s do not match its hash: the file is damaged", ErrHashMismatch, opts.SnapshotPath)
			case side != nil:
				facts.SHA256 = sum
				err = compareSidecar(opts.SnapshotPath, side, facts)
			}
			hashed <- err
		}()
	} else {
		hashed <- nil
	}
	err = protect(opts.SnapshotPath, func() error { return snapshot.NewV3(zap.NewNop()).Restore(cfg) })
	if herr := <-hashed; herr != nil {
		return res, herr // damage in the file explains any restore error too
	}
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return res, err
		}
		return res, fmt.Errorf("restore %s as member %s: %w", opts.SnapshotPath, opts.Name, err)
	}
	if err := moveInto(tmpData, opts.DataDir); err != nil {
		return res, err
	}
	if tmpWAL != "" {
		if err := moveInto(tmpWAL, opts.WALDir); err != nil {
			os.RemoveAll(opts.DataDir)
			return res, err
		}
	}
	syncDir(parent)
	if side != nil {
		res.Sidecar = SidecarMatches
	}
	res.NewRevision = info.Revision + int64(bump)
	return res, nil
}

// mustBeEmpty accepts a missing or empty directory.
func mustBeEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if len(entries) > 0 {
		var names []string
		for i, e := range entries {
			if i == 3 {
				names = append(names, "…")
				break
			}
			names = append(names, e.Name())
		}
		return fmt.Errorf("%w: %s holds %s; restore only writes into an empty or new directory", ErrNotEmpty, dir, strings.Join(names, ", "))
	}
	return nil
}

// moveInto renames src to dst, replacing dst when it is an empty directory.
func moveInto(src, dst string) error {
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("replace %s: %w", dst, err)
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("move the restored files into %s: %w", dst, err)
	}
	return os.Chmod(dst, 0o700)
}

// RestoreTest restores the snapshot into a temporary directory, starts an
// etcd member on it (loopback, free ports), checks that it serves the
// snapshot's keys at the bumped revision, and removes everything.
func RestoreTest(ctx context.Context, path string, info Info) error {
	dir, err := os.MkdirTemp("", "sensu-restore-test-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	client, peer := fmt.Sprintf("http://127.0.0.1:%d", ports[0]), fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	dataDir := filepath.Join(dir, "data")
	res, err := Restore(RestoreOptions{SnapshotPath: path, DataDir: dataDir, Name: "restore-test", PeerURLs: []string{peer},
		InitialCluster: "restore-test=" + peer, SkipHashCheck: !info.HasHash,
		IgnoreSidecar: true}) // the caller's Verify compared it
	if err != nil {
		return fmt.Errorf("restore test: %w", err)
	}
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = "restore-test", dataDir
	cfg.Logger, cfg.ZapLoggerBuilder = "zap", embed.NewZapLoggerBuilder(zap.NewNop())
	cu, _ := url.Parse(client)
	pu, _ := url.Parse(peer)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = "restore-test=" + peer
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("restore test: start etcd on the restored dir: %w", err)
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		e.Server.HardStop()
		return errors.New("restore test: etcd did not become ready on the restored dir")
	case <-ctx.Done():
		e.Server.HardStop()
		return ctx.Err()
	}
	// Read the store itself, not through the API: a snapshot of a store with
	// authentication enabled restores with it enabled.
	// An empty, non-nil end means every key from the start key on.
	rr, err := e.Server.KV().Range(ctx, []byte{0}, []byte{}, mvcc.RangeOptions{CountOnly: true})
	if err != nil {
		return fmt.Errorf("restore test: read the restored store: %w", err)
	}
	if rr.Count != info.TotalKeys || rr.Rev != res.NewRevision {
		return fmt.Errorf("%w: the restored store has %d keys at revision %d, the snapshot %d keys (expected revision %d)",
			ErrCorrupt, rr.Count, rr.Rev, info.TotalKeys, res.NewRevision)
	}
	return nil
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
