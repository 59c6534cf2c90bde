package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
	"go.etcd.io/etcd/server/v3/storage/schema"
	"google.golang.org/protobuf/proto"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// boltMagic marks a bbolt database: it sits right after the first page header.
const boltMagic = 0xED0CDAED

// Info describes a snapshot file.
type Info struct {
	Path        string `json:"path"`
	Size        int64  `json:"size"`
	HasHash     bool   `json:"has_sha256"`
	Revision    int64  `json:"revision"`
	TotalKeys   int    `json:"total_keys"`
	DBSize      int64  `json:"db_size"`
	EtcdVersion string `json:"etcd_version"`
	// Hash is etcd's CRC-32C over buckets, keys and values, as `etcdutl
	// snapshot status` shows it.
	Hash uint32 `json:"hash"`
	// Sidecar is what became of FILE.meta.json: "matches" (compared with
	// the file), "absent" or "ignored".
	Sidecar string `json:"sidecar"`
}

// classify checks a file's shape without reading it all: empty, not a bbolt
// database, cut short, data appended after it (ErrTrailingBytes), or a whole
// database without etcd's hash trailer (ErrMissingHash: a raw db file copied
// from a data dir). The database's own length, its pages in use times its
// page size from its meta page, tells the cases apart: shorter is cut short,
// the database plus the 32-byte trailer is a snapshot, anything longer has
// trailing bytes. Without a readable meta page it falls back on the file's
// size (the database is whole 512-byte blocks), and the hash and structure
// checks that follow say what is wrong.
func classify(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	if size == 0 {
		return 0, fmt.Errorf("%w: %s has no bytes", ErrEmpty, path)
	}
	head := make([]byte, min(size, 2<<16+pageHeaderSize+metaSize))
	if n, _ := io.ReadFull(f, head); n < 20 || binary.LittleEndian.Uint32(head[16:20]) != boltMagic {
		return size, fmt.Errorf("%w: %s does not start with an etcd (bbolt) database", ErrNotSnapshot, path)
	}
	missingHash := func() error {
		return fmt.Errorf("%w: %s is a whole database without the hash etcd appends to snapshots — "+
			"probably a db file copied from a data dir; it cannot be checked for damage. Restore it only if you trust it, with --skip-hash-check",
			ErrMissingHash, path)
	}
	bm, err := readBoltMeta(head)
	if err != nil {
		if hasTrailer(size) {
			return size, nil
		}
		if size%512 == 0 && size >= 4*512 {
			return size, missingHash()
		}
		return size, fmt.Errorf("%w: %s is %d bytes, which is neither a database nor a database plus its hash: the file was cut short", ErrTruncated, path, size)
	}
	db := int64(bm.dbSize())
	switch {
	case size < db:
		return size, fmt.Errorf("%w: %s is %d bytes, the database in it is %d bytes (%d pages of %d): the file was cut short",
			ErrTruncated, path, size, db, bm.hwm, bm.pageSize)
	case size == db:
		return size, missingHash()
	case size < db+hashSize:
		return size, fmt.Errorf("%w: %s is %d bytes, the database in it %d: the file ends %d bytes into the %d-byte hash that follows the database: the file was cut short",
			ErrTruncated, path, size, db, size-db, hashSize)
	case size == db+hashSize:
		return size, nil
	}
	// Longer: data appended to a snapshot, or a raw db file, which bbolt
	// grows past its pages in use with zeros (a hash is never all zeros).
	var next [hashSize]byte
	if _, err := f.ReadAt(next[:], db); err != nil {
		return size, err
	}
	if next == [hashSize]byte{} && size%int64(bm.pageSize) == 0 {
		return size, missingHash()
	}
	return size, fmt.Errorf("%w: %s has %d bytes after the database (%d bytes) and its %d-byte hash: data was appended to the snapshot after it was saved",
		ErrTrailingBytes, path, size-db-hashSize, db, hashSize)
}

// CheckHash checks the file's shape, then its SHA-256 trailer.
func CheckHash(path string) (int64, error) {
	size, _, err := checkHash(path)
	return size, err
}

// checkHash checks the file's shape, then its SHA-256 trailer, and returns
// the SHA-256 of the whole file (what a sidecar records), all in one read.
func checkHash(path string) (int64, string, error) {
	size, err := classify(path)
	if err != nil {
		return size, "", err
	}
	sum, ok, err := hashFile(path, size)
	if err != nil {
		return size, "", err
	}
	if !ok {
		return size, sum, fmt.Errorf("%w: the contents of %s do not match its hash: the file is damaged", ErrHashMismatch, path)
	}
	return size, sum, nil
}

// hashFile reads the file once and returns the SHA-256 of all of it, and
// whether all but its last 32 bytes match those 32 bytes (etcd's trailer).
func hashFile(path string, size int64) (whole string, trailerOK bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	h := sha256.New()
	if size < hashSize {
		if _, err := io.Copy(h, f); err != nil {
			return "", false, err
		}
		return hex.EncodeToString(h.Sum(nil)), false, nil
	}
	if _, err := io.CopyN(h, f, size-hashSize); err != nil {
		return "", false, err
	}
	body := h.Sum(nil) // Sum leaves the running state alone
	tail := make([]byte, hashSize)
	if _, err := io.ReadFull(f, tail); err != nil {
		return "", false, err
	}
	h.Write(tail)
	return hex.EncodeToString(h.Sum(nil)), bytes.Equal(body, tail), nil
}

// CheckOptions tune Verify and Inspect.
type CheckOptions struct {
	// SkipHashCheck accepts a file without etcd's SHA-256 trailer.
	SkipHashCheck bool
	// IgnoreSidecar does not compare FILE.meta.json with the file.
	IgnoreSidecar bool
}

// Verify checks the hash (unless SkipHashCheck), the database structure,
// and, when the snapshot has a sidecar, that the sidecar describes it
// (compareSidecar), without writing anything.
func Verify(path string, opts CheckOptions) (Info, error) {
	info := Info{Path: path, Sidecar: SidecarAbsent}
	size, sum, err := checkHash(path)
	info.Size = size
	switch {
	case err == nil:
		info.HasHash = true
	case errors.Is(err, ErrMissingHash) && opts.SkipHashCheck:
	default:
		return info, err
	}
	// The file's own problems first, then whether the sidecar describes it.
	side, err := sidecarFor(path, opts.IgnoreSidecar, &info)
	if err != nil {
		return info, err
	}
	if side != nil && sum == "" {
		if sum, _, err = hashFile(path, size); err != nil {
			return info, err
		}
	}
	// Every reachable page, key and value is read here, where damage becomes
	// an error. bbolt's own Check (used by etcdutl's status) is not run: it
	// reads in a goroutine of its own and crashes the process on a damaged
	// page, even a free one, and etcd rebuilds the free list on open anyway.
	var st dbStats
	var members []uint64
	if err := checkDB(path, func(tx *bolt.Tx) (err error) {
		members = readMembers(tx)
		st, err = readStats(tx)
		return err
	}); err != nil {
		return info, err
	}
	info.Revision, info.TotalKeys, info.DBSize, info.EtcdVersion, info.Hash = st.Revision, st.TotalKeys, st.Size, st.Version, st.Hash
	if side != nil {
		if err := compareSidecar(path, side, fileFacts{Size: size, Revision: st.Revision, Members: members, SHA256: sum}); err != nil {
			return info, err
		}
		info.Sidecar = SidecarMatches
	}
	return info, nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// ResourceCount is how many keys of one Sensu type live in one namespace.
type ResourceCount struct {
	Type      string `json:"type"`
	Namespace string `json:"namespace,omitempty"`
	Count     int    `json:"count"`
}

// Contents is the Sensu view of a snapshot.
type Contents struct {
	Info
	Resources []ResourceCount `json:"resources"`
	OtherKeys int             `json:"other_keys"` // keys outside /sensu.io/
}

// Inspect verifies the snapshot, then counts the live keys under /sensu.io
// per type and namespace, reading the database directly (no etcd started).
func Inspect(path string, opts CheckOptions) (Contents, error) {
	info, err := Verify(path, opts)
	c := Contents{Info: info, Resources: []ResourceCount{}}
	if err != nil {
		return c, err
	}
	live := map[string]bool{}
	err = readDB(path, func(tx *bolt.Tx) error {
		b := tx.Bucket(schema.Key.Name())
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var kv mvccpb.KeyValue
			if err := proto.Unmarshal(v, &kv); err != nil {
				return fmt.Errorf("revision %v: %w", mvcc.BytesToRev(k), err)
			}
			if mvcc.IsTombstone(k) {
				delete(live, string(kv.Key))
			} else {
				live[string(kv.Key)] = true
			}
			return nil
		})
	})
	if err != nil {
		return c, err
	}
	counts := map[[2]string]int{}
	for key := range live {
		typ, ns, ok := keyType(key)
		if !ok {
			c.OtherKeys++
			continue
		}
		counts[[2]string{typ, ns}]++
	}
	for k, n := range counts {
		c.Resources = append(c.Resources, ResourceCount{Type: k[0], Namespace: k[1], Count: n})
	}
	sort.Slice(c.Resources, func(i, j int) bool {
		a, b := c.Resources[i], c.Resources[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Namespace < b.Namespace
	})
	return c, nil
}

// namespacedPrefixes are the Sensu key prefixes followed by a namespace.
var namespacedPrefixes = map[string]bool{
	"checks": true, "handlers": true, "event-filters": true, "mutators": true, "hooks": true, "assets": true,
	"pipelines": true, "silenced": true, "events": true, "entity_configs": true, "entity_states": true,
	"rbac/roles": true, "rbac/rolebindings": true,
}

// keyType splits a /sensu.io key into its type and namespace.
func keyType(key string) (typ, ns string, ok bool) {
	rest, ok := strings.CutPrefix(key, keyspace.Root+"/")
	if !ok {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	typ = parts[0]
	if typ == "rbac" && len(parts) > 1 {
		typ, parts = "rbac/"+parts[1], parts[1:]
	}
	if namespacedPrefixes[typ] && len(parts) > 1 {
		ns = parts[1]
	}
	if strings.HasPrefix(typ, ".") || len(parts) == 1 && typ != "tessen" {
		typ = "(system)" // markers, cluster ID, schema version
	}
	return typ, ns, true
}
