// Package manifest reads resource files: multi-document YAML, concatenated
// wrapped JSON (Sensu's wrapped-json), or a JSON array of wrapped objects.
// It turns them into validated resources and reports every problem with
// its file, document index, line and field, before anything is written.
package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Source is the content of one input file.
type Source struct {
	// Name is the path as given, or "stdin".
	Name string
	Data []byte
}

// StdinName is the Source name of standard input.
const StdinName = "stdin"

// resourceExts are the files read from a directory.
var resourceExts = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// ReadPaths reads each path: "-" is stdin, a file is read whatever its name,
// a directory contributes its .yaml, .yml and .json files in name order
// (recursing into subdirectories only when recursive).
func ReadPaths(paths []string, recursive bool, stdin io.Reader) ([]Source, error) {
	var out []Source
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("cannot read stdin: %w", err)
			}
			out = append(out, Source{Name: StdinName, Data: data})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, unwrapPathError(err))
		}
		if !info.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s: %w", p, unwrapPathError(err))
			}
			out = append(out, Source{Name: p, Data: data})
			continue
		}
		files, err := dirFiles(p, recursive)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no .yaml, .yml or .json files found%s", p, map[bool]string{false: " (subdirectories need -r)", true: ""}[recursive])
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s: %w", f, unwrapPathError(err))
			}
			out = append(out, Source{Name: f, Data: data})
		}
	}
	return out, nil
}

func dirFiles(dir string, recursive bool) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
		}
		if d.IsDir() {
			if path != dir && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if resourceExts[strings.ToLower(filepath.Ext(path))] && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
