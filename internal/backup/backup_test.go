package backup

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/storage/schema"
	"go.uber.org/zap"

	"github.com/sensu-etcd/sensu/internal/access"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

var seed = map[string]string{
	"/sensu.io/.initialized":                  `{"at":"2026-01-01T00:00:00Z","version":"test"}`,
	"/sensu.io/cluster_id":                    `"11111111-2222-3333-4444-555555555555"`,
	"/sensu.io/namespaces/default":            `{"name":"default"}`,
	"/sensu.io/namespaces/team-a":             `{"name":"team-a"}`,
	"/sensu.io/checks/default/check-cpu":      `{"command":"check-cpu.sh","interval":60}`,
	"/sensu.io/checks/default/check-disk":     `{"command":"check-disk.sh","interval":60}`,
	"/sensu.io/checks/team-a/check-mem":       `{"command":"check-mem.sh","interval":30}`,
	"/sensu.io/entity_configs/default/web-01": `{"entity_class":"agent"}`,
	"/sensu.io/events/default/web-01/cpu":     `{"check":{"status":0}}`,
	"/sensu.io/rbac/clusterroles/admin":       `{"rules":[]}`,
	"/sensu.io/rbac/roles/team-a/readonly":    `{"rules":[]}`,
	"/unrelated/key":                          "x",
}

// savedSnapshot seeds a one-member cluster and saves a snapshot of it.
func savedSnapshot(t *testing.T) (string, Meta, *testutil.EtcdCluster) {
	t.Helper()
	etcd := testutil.StartEtcd(t, 1)
	cli := etcd.Client(t)
	ctx := testutil.Ctx(t, 30*time.Second)
	for k, v := range seed {
		if _, err := cli.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	cli.Delete(ctx, "/sensu.io/checks/default/check-disk") // a tombstone inspect must honour
	path := filepath.Join(t.TempDir(), "store.db")
	meta, err := Save(ctx, cli, etcd.Endpoints()[0], path, SaveOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return path, meta, etcd
}

func TestSaveVerifyInspectRestore(t *testing.T) {
	path, meta, etcd := savedSnapshot(t)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != meta.Size || !hasTrailer(fi.Size()) {
		t.Fatalf("snapshot file: %v %v %+v", fi, err, meta)
	}
	if _, err := os.Stat(path + ".part"); !errors.Is(err, os.ErrNotExist) {
		t.Error(".part left behind")
	}
	if meta.Revision == 0 || meta.MemberName != "m1" || len(meta.SHA256) != 64 || meta.EtcdVersion == "" {
		t.Errorf("meta: %+v", meta)
	}
	if whole, _ := os.ReadFile(path); fmt.Sprintf("%x", sha256.Sum256(whole)) != meta.SHA256 {
		t.Errorf("sidecar sha256 %s is not the file's", meta.SHA256)
	}
	if _, err := os.Stat(MetaPath(path)); err != nil {
		t.Errorf("sidecar: %v", err)
	}

	// A second save refuses to overwrite without Force.
	cli := etcd.Client(t)
	if _, err := Save(context.Background(), cli, etcd.Endpoints()[0], path, SaveOptions{}); !errors.Is(err, ErrExists) {
		t.Errorf("overwrite without force: %v", err)
	}

	info, err := Verify(path, CheckOptions{})
	if err != nil || !info.HasHash || info.Revision != meta.Revision || info.TotalKeys != len(seed)-1 {
		t.Fatalf("verify: %+v %v", info, err)
	}
	if err := RestoreTest(context.Background(), path, info); err != nil {
		t.Errorf("restore test: %v", err)
	}
	c, err := Inspect(path, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"checks/default": 1, "checks/team-a": 1, "entity_configs/default": 1, "events/default": 1,
		"namespaces/": 2, "rbac/clusterroles/": 1, "rbac/roles/team-a": 1, "(system)/": 2}
	got := map[string]int{}
	for _, r := range c.Resources {
		got[r.Type+"/"+r.Namespace] = r.Count
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || c.OtherKeys != 1 {
		t.Errorf("inspect: %v other %d\nwant %v", got, c.OtherKeys, want)
	}

	// Restore and boot a member from it.
	ports := testutil.FreePorts(t, 2)
	peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	dataDir := filepath.Join(t.TempDir(), "restored")
	res, err := Restore(RestoreOptions{SnapshotPath: path, DataDir: dataDir, Name: "r1", PeerURLs: []string{peer},
		InitialCluster: "r1=" + peer, InitialClusterToken: "restored"})
	if err != nil {
		t.Fatal(err)
	}
	if res.NewRevision != meta.Revision+DefaultRevisionBump {
		t.Errorf("new revision %d", res.NewRevision)
	}
	entries, _ := os.ReadDir(filepath.Dir(dataDir))
	if len(entries) != 1 {
		t.Errorf("work dir left beside the target: %v", entries)
	}
	client := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	e := bootRestored(t, dataDir, "r1", client, peer)
	defer e.Close()
	rcli := testutil.NewClient(t, []string{client}, nil)
	ctx := testutil.Ctx(t, 10*time.Second)
	for k, v := range seed {
		resp, err := rcli.Get(ctx, k)
		if k == "/sensu.io/checks/default/check-disk" {
			continue
		}
		if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != v {
			t.Errorf("%s after restore: %v %v", k, resp, err)
		}
	}
	resp, err := rcli.Get(ctx, "/sensu.io/checks/default/check-cpu")
	if err != nil || resp.Header.Revision < DefaultRevisionBump {
		t.Errorf("revision not bumped: %v %v", resp, err)
	}
	if _, err := rcli.Get(ctx, "/sensu.io/checks/default/check-cpu", clientv3.WithRev(meta.Revision)); !errors.Is(err, rpctypes.ErrCompacted) {
		t.Errorf("old revision should read as compacted: %v", err)
	}
	// Restoring again into the now non-empty dir is refused.
	if _, err := Restore(RestoreOptions{SnapshotPath: path, DataDir: dataDir, Name: "r1", PeerURLs: []string{peer}, InitialCluster: "r1=" + peer}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("restore into a non-empty dir: %v", err)
	}
}

func bootRestored(t *testing.T, dataDir, name, client, peer string) *embed.Etcd {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = name, dataDir
	cfg.Logger, cfg.ZapLoggerBuilder = "zap", embed.NewZapLoggerBuilder(zap.NewNop())
	cu, _ := url.Parse(client)
	pu, _ := url.Parse(peer)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = name + "=" + peer
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(20 * time.Second):
		e.Close()
		t.Fatal("restored member not ready")
	}
	return e
}

// TestCorruptionMatrix damages a good snapshot in many ways; verify and
// restore must refuse each with the matching error and leave the target alone.
func TestCorruptionMatrix(t *testing.T) {
	good, _, etcd := savedSnapshot(t)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type variant struct {
		name string
		data []byte
		want error
	}
	var cases []variant
	cases = append(cases, variant{"empty", nil, ErrEmpty}, variant{"text", []byte("this is not a snapshot\n"), ErrNotSnapshot})
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 100; i++ {
		off := rng.Intn(len(data))
		if i < 4 {
			off = 16 + i // the bbolt magic
		}
		d := append([]byte(nil), data...)
		d[off] ^= byte(1 + rng.Intn(255))
		want := ErrHashMismatch
		if off >= 16 && off < 20 {
			want = ErrNotSnapshot
		}
		cases = append(cases, variant{fmt.Sprintf("flip@%d", off), d, want})
	}
	for _, n := range []int{1, 19, 100, 4096, 4096 + 32, len(data) / 2, len(data) - 33, len(data) - 32, len(data) - 1} {
		// Shorter than the database's own pages is cut short, whatever
		// the length; exactly the database is a raw db file.
		want := ErrTruncated
		switch {
		case n < 20:
			want = ErrNotSnapshot
		case n == len(data)-hashSize:
			want = ErrMissingHash
		}
		cases = append(cases, variant{fmt.Sprintf("truncated@%d", n), data[:n], want})
	}
	// Data appended after the database and its trailer, whatever its length
	// (480 makes the file whole 512-byte blocks; zeros too).
	for _, n := range []int{1, 31, 32, 100, 480, 4096} {
		junk := make([]byte, n)
		if n != 4096 {
			rng.Read(junk)
		}
		cases = append(cases, variant{fmt.Sprintf("appended %d", n), append(append([]byte(nil), data...), junk...), ErrTrailingBytes})
	}
	// Damage inside the database under a hash that matches (the database was
	// damaged before it was saved): the header of the leaf page that holds a
	// key is overwritten, which makes bbolt panic on reading it. Refused as
	// damaged structure, without a crash.
	{
		db := append([]byte(nil), data[:len(data)-hashSize]...)
		page := keyBucketRootPage(t, good)
		for i := range 16 {
			db[page+i] ^= 0xA5
		}
		sum := sha256.Sum256(db)
		cases = append(cases, variant{fmt.Sprintf("damaged page at %d, valid hash", page), append(db, sum[:]...), ErrCorrupt})
	}
	// A raw database file, as copied from a data dir: whole, but no hash.
	etcd.Members[0].Stop()
	raw, err := os.ReadFile(filepath.Join(etcd.Members[0].Dir, "member", "snap", "db"))
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, variant{"raw db file", raw, ErrMissingHash})
	if len(cases) < 100 {
		t.Fatalf("only %d cases", len(cases))
	}

	for i, tc := range cases {
		path := filepath.Join(dir, fmt.Sprintf("case-%03d.db", i))
		if err := os.WriteFile(path, tc.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(path, CheckOptions{}); !errors.Is(err, tc.want) {
			t.Errorf("%s: verify: %v, want %v", tc.name, err, tc.want)
		}
		target := filepath.Join(dir, fmt.Sprintf("target-%03d", i))
		os.Mkdir(target, 0o700)
		_, err := Restore(RestoreOptions{SnapshotPath: path, DataDir: target, Name: "x", PeerURLs: []string{"http://127.0.0.1:1"}, InitialCluster: "x=http://127.0.0.1:1"})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: restore: %v, want %v", tc.name, err, tc.want)
		}
		if entries, _ := os.ReadDir(target); len(entries) != 0 {
			t.Errorf("%s: restore wrote into the target", tc.name)
		}
		os.Remove(path)
	}
	if leftovers, _ := filepathGlob(dir, ".*restoring*"); len(leftovers) > 0 {
		t.Errorf("work dirs left: %v", leftovers)
	}

	// The raw file restores when the operator says they trust it.
	rawPath := filepath.Join(dir, "raw.db")
	os.WriteFile(rawPath, raw, 0o600)
	if _, err := Restore(RestoreOptions{SnapshotPath: rawPath, DataDir: filepath.Join(dir, "from-raw"), Name: "x", SkipHashCheck: true,
		PeerURLs: []string{"http://127.0.0.1:1"}, InitialCluster: "x=http://127.0.0.1:1"}); err != nil {
		t.Errorf("raw db with skip-hash-check: %v", err)
	}
}

func filepathGlob(dir, pattern string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, pattern))
}

func TestSaveCancelledLeavesNothing(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	cli := etcd.Client(t)
	ctx := testutil.Ctx(t, 30*time.Second)
	big := strings.Repeat("v", 64*1024)
	for i := range 200 {
		cli.Put(ctx, fmt.Sprintf("/sensu.io/checks/default/c%03d", i), big)
	}
	path := filepath.Join(t.TempDir(), "cut.db")
	cctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Save(cctx, cli, etcd.Endpoints()[0], path, SaveOptions{Progress: func(w int64) {
		n++
		if n == 2 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("a cancelled save succeeded")
	}
	for _, p := range []string{path, path + ".part", MetaPath(path)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind after a cancelled save", p)
		}
	}
	_ = io.EOF
}

// keyBucketRootPage is the byte offset of the root page of etcd's key bucket:
// a page every read of the data goes through.
func keyBucketRootPage(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var off int
	db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(schema.Key.Name()).Root()
		off = int(root) * db.Info().PageSize
		return nil
	})
	if off == 0 {
		t.Fatal("the key bucket is inline; the test needs more data")
	}
	return off
}

// TestRestoreTestWithAuth: a store with etcd authentication restores with it
// enabled; the restore test must still read it.
func TestRestoreTestWithAuth(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	ctx := testutil.Ctx(t, 30*time.Second)
	cli := etcd.Client(t)
	cli.Put(ctx, "/sensu.io/checks/default/a", "x")
	if err := access.Enable(ctx, cli, access.Setup{RootPassword: "root-pw", ViewerPassword: "viewer-pw"}); err != nil {
		t.Fatal(err)
	}
	root, err := clientv3.New(clientv3.Config{Endpoints: etcd.Endpoints(), Username: "root", Password: "root-pw", DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	path := filepath.Join(t.TempDir(), "auth.db")
	if _, err := Save(ctx, root, etcd.Endpoints()[0], path, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	info, err := Verify(path, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := RestoreTest(ctx, path, info); err != nil {
		t.Errorf("restore test of an auth-enabled store: %v", err)
	}
}

func TestTrailerHashAnyChunking(t *testing.T) {
	body := make([]byte, 5000)
	for i := range body {
		body[i] = byte(i * 7)
	}
	sum := sha256.Sum256(body)
	stream := append(append([]byte(nil), body...), sum[:]...)
	whole := sha256.Sum256(stream)
	for _, sizes := range [][]int{{len(stream)}, {1}, {31}, {32}, {33}, {5000, 32}, {4999, 1, 32}, {10, 3000, 7, 1, 2000}} {
		h := newTrailerHash()
		for i, k := 0, 0; i < len(stream); k++ {
			n := min(sizes[k%len(sizes)], len(stream)-i)
			h.Write(stream[i : i+n])
			i += n
		}
		if !h.matches() {
			t.Errorf("chunks %v: trailer does not match", sizes)
		}
		if got := h.fileSum(); got != hex.EncodeToString(whole[:]) {
			t.Errorf("chunks %v: file sum %s", sizes, got)
		}
	}
	bad := append([]byte(nil), stream...)
	bad[10]++
	h := newTrailerHash()
	h.Write(bad)
	if h.matches() {
		t.Error("a changed body matched its trailer")
	}
}

// TestReceive streams a snapshot bigger than the writeback chunk: every
// byte reaches the file and the hash in order, progress counts them all,
// and a failing write stops the stream with the write's error.
func TestReceive(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	cli := etcd.Client(t)
	ctx := testutil.Ctx(t, 60*time.Second)
	value := strings.Repeat("v", 1<<20)
	for i := range 12 {
		if _, err := cli.Put(ctx, fmt.Sprintf("/sensu.io/checks/default/big-%02d", i), value); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := newTrailerHash()
	var progressed int64
	n, version, err := receive(ctx, cli, f, h, func(k int64) { progressed += k })
	if err != nil || n < writebackChunk || progressed != n || version == "" {
		t.Fatalf("receive: n=%d progress=%d version=%q err=%v", n, progressed, version, err)
	}
	if !h.matches() {
		t.Error("the streamed body does not match its trailer")
	}
	got, _ := os.ReadFile(f.Name())
	if int64(len(got)) != n || sha256.Sum256(got[:n-hashSize]) != [hashSize]byte(got[n-hashSize:]) {
		t.Errorf("the file (%d bytes of %d) does not hold the stream", len(got), n)
	}

	ro, err := os.Open(f.Name()) // read-only: every write fails
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, _, err := receive(ctx, cli, ro, newTrailerHash(), nil); err == nil || !strings.Contains(err.Error(), "bad file descriptor") {
		t.Errorf("a failing write: %v", err)
	}
}

// TestDamagedPageHeadersNeverCrash damages the header of every page of a
// snapshot in the ways bbolt's own page walk (run in a goroutine of its own
// when etcd opens a database) crashes on: a wrong page id, a wrong type, an
// element count past the page, overflow pages past the file. The hash is
// recomputed, so only the structure check stands between the damage and
// etcd's code. Every damage to a page in use must end in ErrCorrupt (one to
// a free page may succeed); a crash fails the whole test binary, and without
// the check some of these make etcd's open loop for minutes instead.
func TestDamagedPageHeadersNeverCrash(t *testing.T) {
	_, _, etcd := savedSnapshot(t)
	// Enough keys for branch pages, and a value with overflow pages.
	cli := etcd.Client(t)
	ctx := testutil.Ctx(t, 30*time.Second)
	for i := range 300 {
		if _, err := cli.Put(ctx, fmt.Sprintf("/sensu.io/checks/default/c%03d", i), strings.Repeat("x", 200)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cli.Put(ctx, "/sensu.io/assets/default/big", strings.Repeat("y", 10000)); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "good.db")
	if _, err := Save(ctx, cli, etcd.Endpoints()[0], good, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	db := data[:len(data)-hashSize]
	const pageSize = 4096
	if len(db)%pageSize != 0 {
		t.Fatalf("database of %d bytes is not in %d-byte pages", len(db), pageSize)
	}
	walk := &pageWalk{data: data}
	if err := walk.run(); err != nil {
		t.Fatalf("the good snapshot: %v", err)
	}
	// Pages in use that start with a header (not the continuation of an
	// overflowing page, which holds only data).
	inUse := map[uint64]bool{}
	for id := uint64(0); id < walk.hwm; id++ {
		if walk.seen.has(id) && binary.LittleEndian.Uint64(db[id*pageSize:]) == id {
			inUse[id] = true
		}
	}
	damages := map[string]func(page []byte){
		"id":       func(p []byte) { p[0] ^= 0x5A },
		"type":     func(p []byte) { p[8] = 0x40 },
		"count":    func(p []byte) { p[10], p[11] = 0xFF, 0xFF },
		"overflow": func(p []byte) { p[12], p[13], p[14], p[15] = 0xFF, 0xFF, 0xFF, 0x0F },
	}
	dir := t.TempDir()
	refused := 0
	for page := 2; page < len(db)/pageSize; page++ {
		for name, damage := range damages {
			bad := append([]byte(nil), db...)
			damage(bad[page*pageSize:])
			sum := sha256.Sum256(bad)
			path := filepath.Join(dir, fmt.Sprintf("page%d-%s.db", page, name))
			if err := os.WriteFile(path, append(bad, sum[:]...), 0o600); err != nil {
				t.Fatal(err)
			}
			_, verr := Verify(path, CheckOptions{})
			target := filepath.Join(dir, fmt.Sprintf("target-%d-%s", page, name))
			_, rerr := Restore(RestoreOptions{SnapshotPath: path, DataDir: target, Name: "x",
				PeerURLs: []string{"http://127.0.0.1:1"}, InitialCluster: "x=http://127.0.0.1:1"})
			for what, err := range map[string]error{"verify": verr, "restore": rerr} {
				if err != nil && !errors.Is(err, ErrCorrupt) {
					t.Errorf("page %d, damaged %s: %s: %v, want ErrCorrupt or success", page, name, what, err)
				}
			}
			if rerr == nil && inUse[uint64(page)] {
				t.Errorf("page %d, damaged %s: the damage to a page in use was restored", page, name)
			}
			if rerr != nil {
				refused++
				if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("page %d, damaged %s: a refused restore left %s", page, name, target)
				}
			}
			os.Remove(path)
			os.RemoveAll(target)
		}
	}
	if refused == 0 {
		t.Error("no damaged page was refused")
	}
	t.Logf("%d pages (%d in use), %d damaged copies refused", len(db)/pageSize-2, len(inUse), refused)
}

// copySnapshot copies the snapshot at src to dir/name, with the sidecar
// meta (none when nil).
func copySnapshot(t *testing.T, src, dir, name string, meta *Meta) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if meta != nil {
		if err := writeJSONAtomic(MetaPath(path), meta); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// checkAll runs verify, inspect and restore on path; restore goes into a
// new directory that must exist afterwards only on success.
func checkAll(t *testing.T, path string, ignore bool) map[string]error {
	t.Helper()
	opts := CheckOptions{IgnoreSidecar: ignore}
	info, verr := Verify(path, opts)
	c, ierr := Inspect(path, opts)
	target := filepath.Join(t.TempDir(), "restored")
	res, rerr := Restore(RestoreOptions{SnapshotPath: path, DataDir: target, Name: "x", IgnoreSidecar: ignore,
		PeerURLs: []string{"http://127.0.0.1:1"}, InitialCluster: "x=http://127.0.0.1:1"})
	_, serr := os.Stat(target)
	if rerr != nil && !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("%s: a refused restore left %s", path, target)
	}
	if rerr == nil && serr != nil {
		t.Errorf("%s: restore succeeded without a data dir: %v", path, serr)
	}
	if entries, _ := filepathGlob(filepath.Dir(target), ".*restoring*"); len(entries) > 0 {
		t.Errorf("%s: work dirs left: %v", path, entries)
	}
	if verr == nil && ierr == nil && rerr == nil && (info.Sidecar != c.Sidecar || info.Sidecar != res.Sidecar) {
		t.Errorf("%s: sidecar states differ: verify %q inspect %q restore %q", path, info.Sidecar, c.Sidecar, res.Sidecar)
	}
	return map[string]error{"verify": verr, "inspect": ierr, "restore": rerr}
}

// TestSidecarComparedWithFile: two clusters' snapshots, and two snapshots of
// one cluster at different revisions, with their sidecars swapped or edited:
// verify, inspect and restore refuse each, naming the field and both values,
// and go on with IgnoreSidecar; no sidecar is fine.
func TestSidecarComparedWithFile(t *testing.T) {
	pathA, metaA, etcdA := savedSnapshot(t)
	pathB, metaB, _ := savedSnapshot(t)
	if metaA.ClusterID == metaB.ClusterID {
		t.Fatalf("both clusters have ID %s", metaA.ClusterID)
	}
	// A later snapshot of cluster A.
	cli := etcdA.Client(t)
	ctx := testutil.Ctx(t, 30*time.Second)
	if _, err := cli.Put(ctx, "/sensu.io/checks/default/later", "x"); err != nil {
		t.Fatal(err)
	}
	pathA2 := filepath.Join(t.TempDir(), "later.db")
	metaA2, err := Save(ctx, cli, etcdA.Endpoints()[0], pathA2, SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The cluster ID derives from the members in the file alone.
	if err := readDB(pathA, func(tx *bolt.Tx) error {
		if got := fmt.Sprintf("%016x", clusterIDOf(readMembers(tx))); got != metaA.ClusterID {
			t.Errorf("cluster ID from the members: %s, the sidecar %s", got, metaA.ClusterID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	wrongSum := metaA
	wrongSum.SHA256 = strings.Repeat("ab", 32)
	wrongSize := metaA
	wrongSize.Size += 512
	for _, tc := range []struct {
		name  string
		src   string
		meta  Meta
		parts []string
	}{
		{"A with B's sidecar", pathA, metaB, []string{"says cluster ID " + metaB.ClusterID, "the file holds cluster " + metaA.ClusterID, "they belong to different snapshots", "--ignore-sidecar"}},
		{"B with A's sidecar", pathB, metaA, []string{"says cluster ID " + metaA.ClusterID, "the file holds cluster " + metaB.ClusterID}},
		{"A with A2's sidecar", pathA, metaA2, []string{fmt.Sprintf("says revision %d, the file holds revision %d", metaA2.Revision, metaA.Revision)}},
		{"A2 with A's sidecar", pathA2, metaA, []string{fmt.Sprintf("says revision %d, the file holds revision %d", metaA.Revision, metaA2.Revision)}},
		{"wrong SHA-256", pathA, wrongSum, []string{"says SHA-256 " + wrongSum.SHA256, "the file holds SHA-256 " + metaA.SHA256}},
		{"wrong size", pathA, wrongSize, []string{fmt.Sprintf("says size %d bytes, the file holds %d bytes", wrongSize.Size, metaA.Size)}},
	} {
		path := copySnapshot(t, tc.src, dir, strings.ReplaceAll(tc.name, " ", "-")+".db", &tc.meta)
		for what, err := range checkAll(t, path, false) {
			if !errors.Is(err, ErrSidecarMismatch) {
				t.Errorf("%s: %s: %v, want a sidecar mismatch", tc.name, what, err)
				continue
			}
			if !strings.HasPrefix(err.Error(), path+": the sidecar "+MetaPath(path)+" says ") {
				t.Errorf("%s: %s: %v", tc.name, what, err)
			}
			for _, p := range tc.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("%s: %s: %q does not say %q", tc.name, what, err, p)
				}
			}
		}
		for what, err := range checkAll(t, path, true) {
			if err != nil {
				t.Errorf("%s: %s with the sidecar ignored: %v", tc.name, what, err)
			}
		}
		if info, _ := Verify(path, CheckOptions{IgnoreSidecar: true}); info.Sidecar != SidecarIgnored {
			t.Errorf("%s: sidecar state %q, want ignored", tc.name, info.Sidecar)
		}
	}

	// Its own sidecar, a sidecar that records nothing comparable but the
	// cluster, and none at all, pass.
	clusterOnly := Meta{ClusterID: metaA.ClusterID}
	for name, meta := range map[string]*Meta{"own.db": &metaA, "cluster-only.db": &clusterOnly, "none.db": nil} {
		path := copySnapshot(t, pathA, dir, name, meta)
		for what, err := range checkAll(t, path, false) {
			if err != nil {
				t.Errorf("%s: %s: %v", name, what, err)
			}
		}
		want := SidecarMatches
		if meta == nil {
			want = SidecarAbsent
		}
		if info, _ := Verify(path, CheckOptions{}); info.Sidecar != want {
			t.Errorf("%s: sidecar state %q, want %q", name, info.Sidecar, want)
		}
	}

	// A sidecar that does not parse is refused too.
	path := copySnapshot(t, pathA, dir, "garbled.db", nil)
	os.WriteFile(MetaPath(path), []byte("{not json"), 0o600)
	for what, err := range checkAll(t, path, false) {
		if !errors.Is(err, ErrSidecarMismatch) || !strings.Contains(err.Error(), "cannot be read") {
			t.Errorf("garbled sidecar: %s: %v", what, err)
		}
	}
}

// TestSidecarAfterMembershipChange: once a member joins, the members no
// longer give the cluster ID; the member the snapshot came from, among the
// file's members, still ties the sidecar to the file.
func TestSidecarAfterMembershipChange(t *testing.T) {
	etcd := testutil.StartEtcd(t, 1)
	cli := etcd.Client(t)
	ctx := testutil.Ctx(t, 30*time.Second)
	if _, err := cli.MemberAddAsLearner(ctx, []string{"http://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	cli.Put(ctx, "/sensu.io/checks/default/a", "x")
	path := filepath.Join(t.TempDir(), "grown.db")
	meta, err := Save(ctx, cli, etcd.Endpoints()[0], path, SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	readDB(path, func(tx *bolt.Tx) error {
		if ms := readMembers(tx); len(ms) != 2 || fmt.Sprintf("%016x", clusterIDOf(ms)) == meta.ClusterID {
			t.Errorf("members %x give the cluster ID; the test needs them not to", ms)
		}
		return nil
	})
	if _, err := Verify(path, CheckOptions{}); err != nil {
		t.Errorf("verify: %v", err)
	}
	stranger := meta
	stranger.MemberID = "0123456789abcdef"
	writeJSONAtomic(MetaPath(path), stranger)
	if _, err := Verify(path, CheckOptions{}); !errors.Is(err, ErrSidecarMismatch) || !strings.Contains(err.Error(), "cluster ID") {
		t.Errorf("a member not in the file: %v", err)
	}
}

// TestTrailingBytesAndCutShort: the messages of a file with data appended
// and of one cut short, with and without a sidecar (the shape is checked
// first).
func TestTrailingBytesAndCutShort(t *testing.T) {
	good, meta, _ := savedSnapshot(t)
	data, _ := os.ReadFile(good)
	dir := t.TempDir()
	for _, side := range []*Meta{nil, &meta} {
		path := copySnapshot(t, good, dir, "junk.db", side)
		os.WriteFile(path, append(append([]byte(nil), data...), "some junk appended\n"...), 0o600)
		for what, err := range checkAll(t, path, false) {
			want := fmt.Sprintf("%s has 19 bytes after the database (%d bytes) and its 32-byte hash", path, len(data)-hashSize)
			if !errors.Is(err, ErrTrailingBytes) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "cut short") {
				t.Errorf("appended: %s: %v", what, err)
			}
		}
		path = copySnapshot(t, good, dir, "cut.db", side)
		os.WriteFile(path, data[:len(data)-1000], 0o600)
		for what, err := range checkAll(t, path, false) {
			if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "the file was cut short") {
				t.Errorf("cut short: %s: %v", what, err)
			}
		}
	}
}
