package backup

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/server/v3/storage/schema"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// ErrSidecarMismatch marks a sidecar FILE.meta.json that does not describe
// FILE (or does not parse). Callers map it like a damaged snapshot.
var ErrSidecarMismatch = errors.New("the sidecar does not match the snapshot")

// IgnoreSidecarHint is the advice a SidecarError ends with; the backend
// names its own setting instead.
const IgnoreSidecarHint = "use --ignore-sidecar to go on without it"

// Sidecar states reported in Info.Sidecar.
const (
	SidecarMatches = "matches"
	SidecarAbsent  = "absent"
	SidecarIgnored = "ignored"
)

// SidecarError says which field of the sidecar disagrees with the file,
// with both values.
type SidecarError struct {
	Path, MetaPath string
	Field          string // "cluster ID", "revision", "size", "SHA-256"; empty: the sidecar does not parse
	Sidecar, File  string
	Reason         string // why the values disagree, or the parse error
	Hint           string
}

func (e *SidecarError) Error() string {
	hint := e.Hint
	if hint == "" {
		hint = IgnoreSidecarHint
	}
	if e.Field == "" {
		return fmt.Sprintf("%s: the sidecar %s cannot be read: %s (%s)", e.Path, e.MetaPath, e.Reason, hint)
	}
	return fmt.Sprintf("%s: the sidecar %s says %s %s, the file holds %s: %s (%s)",
		e.Path, e.MetaPath, e.Field, e.Sidecar, e.File, e.Reason, hint)
}

func (e *SidecarError) Is(target error) bool { return target == ErrSidecarMismatch }

// readSidecar returns the sidecar of the snapshot at path, nil when there is
// none.
func readSidecar(path string) (*Meta, error) {
	mp := MetaPath(path)
	data, err := os.ReadFile(mp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &SidecarError{Path: path, MetaPath: mp, Reason: err.Error()}
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &SidecarError{Path: path, MetaPath: mp, Reason: "not a snapshot meta file: " + err.Error()}
	}
	return &m, nil
}

// sidecarFor reads the sidecar to compare with the file at path, nil when
// there is none or it is ignored, and records which in info.Sidecar.
func sidecarFor(path string, ignore bool, info *Info) (*Meta, error) {
	info.Sidecar = SidecarAbsent
	if ignore {
		if SidecarExists(path) {
			info.Sidecar = SidecarIgnored
		}
		return nil, nil
	}
	return readSidecar(path)
}

// SidecarExists reports whether the snapshot at path has a sidecar.
func SidecarExists(path string) bool {
	_, err := os.Stat(MetaPath(path))
	return err == nil
}

// fileFacts are what the file itself says about the fields a sidecar records.
type fileFacts struct {
	Size     int64
	Revision int64
	Members  []uint64 // IDs in etcd's members bucket
	SHA256   string   // of the whole file; empty: not computed yet
}

// readMembers lists the member IDs stored in etcd's members bucket.
func readMembers(tx *bolt.Tx) []uint64 {
	b := tx.Bucket(schema.Members.Name())
	if b == nil {
		return nil
	}
	var ids []uint64
	b.ForEach(func(k, _ []byte) error {
		if id, err := strconv.ParseUint(string(k), 16, 64); err == nil {
			ids = append(ids, id)
		}
		return nil
	})
	return ids
}

// clusterIDOf is etcd's cluster ID of a cluster created with these members:
// the first 8 bytes of the SHA-1 of their sorted IDs (membership.genID).
func clusterIDOf(members []uint64) uint64 {
	ids := slices.Clone(members)
	slices.Sort(ids)
	b := make([]byte, 8*len(ids))
	for i, id := range ids {
		binary.BigEndian.PutUint64(b[8*i:], id)
	}
	sum := sha1.Sum(b)
	return binary.BigEndian.Uint64(sum[:8])
}

func parseHexID(s string) (uint64, bool) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 16, 64)
	return id, err == nil
}

const differentSnapshots = "they belong to different snapshots"

// compareSidecar compares what the sidecar m records with the file's facts,
// in this order: cluster ID, revision, size, SHA-256 (skipped while
// f.SHA256 is empty). Fields the sidecar leaves empty are not compared.
//
// etcd keeps no cluster ID in its database: it is derived from the members
// the cluster was created with. The file's cluster matches when its members
// give the sidecar's cluster ID, or, once members have changed since the
// cluster was created, when the member the sidecar says the snapshot came
// from is one of the file's members.
func compareSidecar(path string, m *Meta, f fileFacts) error {
	mismatch := func(field, side, file, reason string) error {
		return &SidecarError{Path: path, MetaPath: MetaPath(path), Field: field, Sidecar: side, File: file, Reason: reason}
	}
	if want, ok := parseHexID(m.ClusterID); ok && len(f.Members) > 0 {
		got := clusterIDOf(f.Members)
		member, hasMember := parseHexID(m.MemberID)
		if got != want && !(hasMember && slices.Contains(f.Members, member)) {
			return mismatch("cluster ID", m.ClusterID, "cluster "+keyspace.MemberIDHex(got), differentSnapshots)
		}
	}
	if m.Revision != 0 && m.Revision != f.Revision {
		return mismatch("revision", strconv.FormatInt(m.Revision, 10), "revision "+strconv.FormatInt(f.Revision, 10), differentSnapshots)
	}
	if m.Size != 0 && m.Size != f.Size {
		return mismatch("size", strconv.FormatInt(m.Size, 10)+" bytes", strconv.FormatInt(f.Size, 10)+" bytes",
			"the file is not the one the sidecar was written for")
	}
	if m.SHA256 != "" && f.SHA256 != "" && !strings.EqualFold(strings.TrimSpace(m.SHA256), f.SHA256) {
		return mismatch("SHA-256", m.SHA256, "SHA-256 "+f.SHA256, "the file is not the one the sidecar was written for")
	}
	return nil
}
