package backup

import (
	"fmt"
	"hash/crc32"
	"runtime/debug"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"google.golang.org/protobuf/proto"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/server/v3/storage/mvcc"
	"go.etcd.io/etcd/server/v3/storage/schema"
)

// protect runs fn, turning panics and memory faults into ErrCorrupt.
func protect(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, path, r)
		}
	}()
	return fn()
}

// readDB runs fn over the database at path, read-only, turning the panics
// and memory faults that bbolt raises on damaged pages into ErrCorrupt: a
// snapshot whose hash matches can still hold a damaged database (it was
// damaged before it was saved), and a check must not crash the tool.
func readDB(path string, fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, path, r)
		}
	}()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	defer db.Close()
	if err := db.View(fn); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	return nil
}

// checkDB checks every page's structure (checkPages), then runs fn over
// the database as readDB does.
func checkDB(path string, fn func(*bolt.Tx) error) error {
	if err := checkPages(path); err != nil {
		return err
	}
	return readDB(path, fn)
}

// walkAll reads every bucket, key and value, so that damage anywhere shows
// here, where it can be caught, before other code opens the file.
func walkAll(tx *bolt.Tx) error {
	return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error { return nil })
	})
}

// lastRevision is the main revision of the newest entry: a cursor to the last
// key, without reading the rest.
func lastRevision(tx *bolt.Tx) int64 {
	b := tx.Bucket(schema.Key.Name())
	if b == nil {
		return 0
	}
	k, _ := b.Cursor().Last()
	if len(k) < 8 {
		return 0
	}
	return mvcc.BytesToRev(k).Main
}

// dbStats are the figures `etcdutl snapshot status` shows, computed while
// reading every bucket, key and value in this goroutine.
type dbStats struct {
	Revision  int64
	TotalKeys int
	Size      int64
	Version   string
	Hash      uint32 // CRC-32C over bucket names, keys and values, in order
}

func readStats(tx *bolt.Tx) (dbStats, error) {
	st := dbStats{Size: tx.Size()}
	if v := schema.ReadStorageVersionFromSnapshot(tx); v != nil {
		st.Version = v.String()
	}
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	live := map[string]struct{}{}
	keyBucket := string(schema.Key.Name())
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		h.Write(name)
		isKey := string(name) == keyBucket
		return b.ForEach(func(k, v []byte) error {
			h.Write(k)
			h.Write(v)
			if !isKey {
				return nil
			}
			st.Revision = mvcc.BytesToRev(k).Main
			var kv mvccpb.KeyValue
			if err := proto.Unmarshal(v, &kv); err != nil {
				return fmt.Errorf("revision %d: %w", st.Revision, err)
			}
			if mvcc.IsTombstone(k) {
				delete(live, string(kv.Key))
			} else {
				live[string(kv.Key)] = struct{}{}
			}
			return nil
		})
	})
	st.TotalKeys = len(live)
	st.Hash = h.Sum32()
	return st, err
}
