package migrate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/resource"
)

// WriteDir writes every resource as a wrapped JSON file that Sensu Go's
// `sensuctl create -r -f DIR` (and ours) reads:
// DIR/<namespace>/<type>/<name>.json, cluster-wide types under
// DIR/_cluster/<type>/, events as <entity>/<check>.json. The directory must
// not exist or be empty, so that no stale file is mixed in. Files are 0600:
// entities' labels can hold secrets, as the 1.x client settings did.
func WriteDir(dir string, resources []Resource) (int, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return 0, fmt.Errorf("--output-dir %s is not empty: give a new or empty directory", dir)
	}
	n := 0
	for _, r := range resources {
		w, err := resource.WrapObject(r.Type, r.Object, resource.WrapOptions{IncludeSecrets: true})
		if err != nil {
			return n, err
		}
		ns := r.Object.Meta().Namespace
		if !r.Type.Namespaced {
			ns = "_cluster"
		}
		name := resource.StoreName(r.Object)
		if name == "" {
			name = r.Type.Singular
		}
		path := filepath.Join(dir, ns, r.Type.ShortName, filepath.FromSlash(safeFileName(name))+".json")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return n, err
		}
		doc, err := output.AppendResource(nil, output.FormatWrappedJSON, wrappedDoc(w), 0)
		if err != nil {
			return n, err
		}
		if err := os.WriteFile(path, doc, 0o600); err != nil {
			return n, fmt.Errorf("write %s: %w", path, err)
		}
		n++
	}
	return n, nil
}

// safeFileName keeps an event's entity/check as a directory level and
// replaces what a file name cannot hold.
func safeFileName(name string) string {
	return strings.NewReplacer("\\", "_", "..", "_").Replace(name)
}

func wrappedDoc(w *resource.Wrapped) output.OrderedMap {
	md := map[string]any{}
	if w.Metadata.Name != "" {
		md["name"] = w.Metadata.Name
	}
	if w.Metadata.Namespace != "" {
		md["namespace"] = w.Metadata.Namespace
	}
	if len(w.Metadata.Labels) > 0 {
		md["labels"] = w.Metadata.Labels
	}
	if len(w.Metadata.Annotations) > 0 {
		md["annotations"] = w.Metadata.Annotations
	}
	return output.OrderedMap{{Key: "type", Value: w.Type}, {Key: "api_version", Value: w.APIVersion}, {Key: "metadata", Value: md}, {Key: "spec", Value: w.Spec}}
}
