package migrate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// DirWriter writes resources as wrapped JSON files that Sensu Go's
// `sensuctl create -r -f DIR` (and ours) reads:
// DIR/<namespace>/<type>/<name>.json, cluster-wide types under
// DIR/_cluster/<type>/, events as <entity>/<check>.json. Files are 0600:
// entities' labels can hold secrets, as the 1.x client settings did.
type DirWriter struct {
	dir    string
	render func(*resource.Wrapped) ([]byte, error)
	n      int
}

// NewDirWriter checks that dir does not exist or is empty, so that no stale
// file is mixed in. render writes one wrapped resource (the caller's
// wrapped-json printer).
func NewDirWriter(dir string, render func(*resource.Wrapped) ([]byte, error)) (*DirWriter, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("--output-dir %s is not empty: give a new or empty directory", dir)
	}
	return &DirWriter{dir: dir, render: render}, nil
}

// Count is the number of files written.
func (d *DirWriter) Count() int { return d.n }

// Write writes one file per resource.
func (d *DirWriter) Write(resources []Resource) error {
	for _, r := range resources {
		w, err := resource.WrapObject(r.Type, r.Object, resource.WrapOptions{IncludeSecrets: true})
		if err != nil {
			return err
		}
		ns := r.Object.Meta().Namespace
		if !r.Type.Namespaced {
			ns = "_cluster"
		}
		name := resource.StoreName(r.Object)
		if name == "" {
			name = r.Type.Singular
		}
		path := filepath.Join(d.dir, ns, r.Type.ShortName, filepath.FromSlash(safeFileName(name))+".json")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		doc, err := d.render(w)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path, doc, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		d.n++
	}
	return nil
}

// safeFileName keeps an event's entity/check as a directory level and
// replaces what a file name cannot hold.
func safeFileName(name string) string {
	return strings.NewReplacer("\\", "_", "..", "_").Replace(name)
}
