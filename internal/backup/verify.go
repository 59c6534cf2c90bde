package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
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
}

// classify checks a file's shape without reading it all: empty, not a bbolt
// database, cut short, or a whole database without etcd's hash trailer
// (ErrMissingHash: a raw db file copied from a data dir).
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
	head := make([]byte, 20)
	if n, _ := io.ReadFull(f, head); n < 20 || binary.LittleEndian.Uint32(head[16:20]) != boltMagic {
		return size, fmt.Errorf("%w: %s does not start with an etcd (bbolt) database", ErrNotSnapshot, path)
	}
	if !hasTrailer(size) {
		if size%512 == 0 && size >= 4*512 {
			return size, fmt.Errorf("%w: %s is a whole database without the hash etcd appends to snapshots — "+
				"probably a db file copied from a data dir; it cannot be checked for damage. Restore it only if you trust it, with --skip-hash-check",
				ErrMissingHash, path)
		}
		return size, fmt.Errorf("%w: %s is %d bytes, which is neither a database nor a database plus its hash: the file was cut short", ErrTruncated, path, size)
	}
	return size, nil
}

// CheckHash checks the file's shape, then its SHA-256 trailer.
func CheckHash(path string) (int64, error) {
	size, err := classify(path)
	if err != nil {
		return size, err
	}
	f, err := os.Open(path)
	if err != nil {
		return size, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, f, size-hashSize); err != nil {
		return size, err
	}
	want := make([]byte, hashSize)
	if _, err := io.ReadFull(f, want); err != nil {
		return size, err
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return size, fmt.Errorf("%w: the contents of %s do not match its hash: the file is damaged", ErrHashMismatch, path)
	}
	return size, nil
}

// Verify checks the hash (unless skipHash) and the database structure,
// without writing anything.
func Verify(path string, skipHash bool) (Info, error) {
	info := Info{Path: path}
	size, err := CheckHash(path)
	info.Size = size
	switch {
	case err == nil:
		info.HasHash = true
	case errors.Is(err, ErrMissingHash) && skipHash:
	default:
		return info, err
	}
	// Every reachable page, key and value is read here, where damage becomes
	// an error. bbolt's own Check (used by etcdutl's status) is not run: it
	// reads in a goroutine of its own and crashes the process on a damaged
	// page, even a free one, and etcd rebuilds the free list on open anyway.
	var st dbStats
	if err := checkDB(path, func(tx *bolt.Tx) (err error) { st, err = readStats(tx); return err }); err != nil {
		return info, err
	}
	info.Revision, info.TotalKeys, info.DBSize, info.EtcdVersion, info.Hash = st.Revision, st.TotalKeys, st.Size, st.Version, st.Hash
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
func Inspect(path string, skipHash bool) (Contents, error) {
	info, err := Verify(path, skipHash)
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
