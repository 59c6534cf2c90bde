// Package backup saves, checks, inspects and restores etcd snapshots of the
// Sensu store. It returns data and typed errors and never prints.
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// Sentinels that callers map to exit codes and advice.
var (
	ErrExists      = errors.New("file exists")
	ErrEmpty       = errors.New("empty file")
	ErrNotSnapshot = errors.New("not an etcd snapshot")
	ErrTruncated   = errors.New("truncated snapshot")
	// ErrTrailingBytes: bytes after the database and its hash trailer.
	ErrTrailingBytes = errors.New("trailing bytes after the database")
	ErrHashMismatch  = errors.New("SHA-256 mismatch")
	ErrMissingHash   = errors.New("no SHA-256 trailer")
	ErrCorrupt       = errors.New("database structure damaged")
	ErrNotEmpty      = errors.New("target directory not empty")
)

// statusTimeout bounds the requests made before the stream starts, so an
// unreachable endpoint fails instead of hanging.
const statusTimeout = 10 * time.Second

// hashSize is the SHA-256 trailer etcd appends to a snapshot stream.
const hashSize = sha256.Size

// hasTrailer reports whether a file of size n carries etcd's trailer: the
// database is a whole number of 512-byte blocks, plus the 32-byte hash.
func hasTrailer(n int64) bool { return n%512 == hashSize }

// Meta is the sidecar FILE.meta.json written next to a snapshot. Field names
// are a stable contract.
type Meta struct {
	ClusterID   string    `json:"cluster_id"`
	MemberID    string    `json:"member_id"`
	MemberName  string    `json:"member_name"`
	Endpoint    string    `json:"endpoint"`
	Revision    int64     `json:"revision"`
	EtcdVersion string    `json:"etcd_version"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	ToolVersion string    `json:"tool_version"`
}

// MetaPath is where the sidecar of a snapshot lives.
func MetaPath(path string) string { return path + ".meta.json" }

// SaveOptions tune Save.
type SaveOptions struct {
	Force       bool                // overwrite an existing file
	MemberName  string              // the member's name, when the caller knows it (a learner cannot list members)
	Progress    func(written int64) // called as bytes arrive
	ToolVersion string
}

// Save streams a snapshot of the member cli is connected to (exactly one
// endpoint) into path: it writes path.part with mode 0600, checks etcd's
// SHA-256 trailer while streaming, fsyncs, and renames. A failed or
// interrupted save leaves neither path nor path.part behind. The sidecar
// meta file is written last.
func Save(ctx context.Context, cli *clientv3.Client, endpoint, path string, opts SaveOptions) (Meta, error) {
	if _, err := os.Stat(path); err == nil && !opts.Force {
		return Meta{}, fmt.Errorf("%w: %s (use --force to overwrite)", ErrExists, path)
	}
	sctx, cancel := context.WithTimeout(ctx, statusTimeout)
	status, err := cli.Status(sctx, endpoint)
	cancel()
	if err != nil {
		return Meta{}, fmt.Errorf("status of %s: %w", endpoint, err)
	}
	meta := Meta{
		ClusterID: keyspace.MemberIDHex(status.Header.GetClusterId()), MemberID: keyspace.MemberIDHex(status.Header.GetMemberId()),
		Endpoint: endpoint, CreatedAt: time.Now().UTC().Truncate(time.Second), ToolVersion: opts.ToolVersion,
	}
	mctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	if ml, err := cli.MemberList(mctx); err == nil {
		for _, m := range ml.Members {
			if m.GetID() == status.Header.GetMemberId() {
				meta.MemberName = m.GetName()
			}
		}
	}

	part := path + ".part"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return Meta{}, fmt.Errorf("create %s: %w", part, err)
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(part)
		}
	}()

	body := newTrailerHash()
	n, version, err := receive(ctx, cli, f, body, opts.Progress)
	meta.EtcdVersion = version
	if err != nil {
		return Meta{}, fmt.Errorf("receive snapshot from %s after %d bytes: %w", endpoint, n, err)
	}
	if !hasTrailer(n) {
		return Meta{}, fmt.Errorf("%w: received %d bytes from %s, which is not a database plus its hash", ErrTruncated, n, endpoint)
	}
	if !body.matches() {
		return Meta{}, fmt.Errorf("%w: the snapshot from %s does not match the hash the server sent", ErrHashMismatch, endpoint)
	}
	if err := f.Sync(); err != nil {
		return Meta{}, fmt.Errorf("sync %s: %w", part, err)
	}
	if err := f.Close(); err != nil {
		return Meta{}, fmt.Errorf("close %s: %w", part, err)
	}
	if err := os.Rename(part, path); err != nil {
		return Meta{}, fmt.Errorf("rename %s: %w", part, err)
	}
	keep = true
	syncDir(filepath.Dir(path))
	// The stream carries no revision; the saved database's newest key has it.
	if err := readDB(path, func(tx *bolt.Tx) error { meta.Revision = lastRevision(tx); return nil }); err != nil {
		os.Remove(path)
		return Meta{}, fmt.Errorf("the saved snapshot does not read back: %w", err)
	}
	if opts.MemberName != "" {
		meta.MemberName = opts.MemberName
	}
	meta.Size = n
	meta.SHA256 = body.fileSum()
	if err := writeJSONAtomic(MetaPath(path), meta); err != nil {
		return meta, fmt.Errorf("snapshot saved, but its meta file failed: %w", err)
	}
	return meta, nil
}

// trailerHash hashes everything but the last 32 bytes written, and keeps
// those bytes: the hash etcd sent for what came before.
type trailerHash struct {
	h    hash.Hash
	tail [hashSize]byte
	n    int // bytes in tail
}

func newTrailerHash() *trailerHash { return &trailerHash{h: sha256.New()} }

func (t *trailerHash) Write(p []byte) (int, error) {
	if len(p) >= hashSize {
		// The held tail is body after all; hash it and most of p in place.
		t.h.Write(t.tail[:t.n])
		t.h.Write(p[:len(p)-hashSize])
		t.n = copy(t.tail[:], p[len(p)-hashSize:])
		return len(p), nil
	}
	var buf [2 * hashSize]byte
	k := copy(buf[:], t.tail[:t.n])
	k += copy(buf[k:], p)
	if k > hashSize {
		t.h.Write(buf[:k-hashSize])
		t.n = copy(t.tail[:], buf[k-hashSize:k])
	} else {
		t.n = copy(t.tail[:], buf[:k])
	}
	return len(p), nil
}

func (t *trailerHash) matches() bool {
	return t.n == hashSize && string(t.h.Sum(nil)) == string(t.tail[:])
}

// fileSum is the SHA-256 of the whole file: the database's running hash
// continued with the trailer (Sum does not disturb the running state, so the
// file is hashed once, not twice).
func (t *trailerHash) fileSum() string {
	t.h.Write(t.tail[:t.n])
	return hex.EncodeToString(t.h.Sum(nil))
}

// receive reads the snapshot stream straight from gRPC (each message's
// blob is handed on without another copy) while a second goroutine writes
// it to f and hashes it, so that on two CPUs the hashing hides behind the
// transfer. It starts the file's writeback as it goes (see startWriteback),
// so the final fsync has little left to do.
func receive(parent context.Context, cli *clientv3.Client, f *os.File, body io.Writer, progress func(int64)) (n int64, version string, err error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	// As the client library does: an interrupted stream is the context's
	// error (exit code 130), a server error etcd's own.
	streamErr := func(err error) error {
		if perr := parent.Err(); perr != nil {
			return perr
		}
		return rpctypes.Error(err)
	}
	stream, err := pb.NewMaintenanceClient(cli.ActiveConnection()).Snapshot(ctx, &pb.SnapshotRequest{}, grpc.MaxCallRecvMsgSize(math.MaxInt32))
	if err != nil {
		return 0, "", streamErr(err)
	}
	blobs := make(chan []byte, 64)
	written := make(chan error, 1)
	go func() {
		var werr error
		var off, started int64
		for b := range blobs {
			if werr != nil {
				continue // drain, so the receiver never blocks
			}
			if _, werr = f.Write(b); werr != nil {
				cancel()
				continue
			}
			body.Write(b)
			off += int64(len(b))
			if off-started >= writebackChunk {
				startWriteback(f, started, off-started)
				started = off
			}
			if progress != nil {
				progress(int64(len(b)))
			}
		}
		written <- werr
	}()
	for {
		resp, rerr := stream.Recv()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = streamErr(rerr)
			break
		}
		if version == "" {
			version = resp.GetVersion()
		}
		n += int64(len(resp.GetBlob()))
		blobs <- resp.GetBlob()
	}
	close(blobs)
	if werr := <-written; werr != nil {
		return n, version, werr // the cause of the cancelled stream
	}
	return n, version, err
}

// writebackChunk is how much is written before its writeback is started.
const writebackChunk = 8 << 20

func writeJSONAtomic(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".part"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
