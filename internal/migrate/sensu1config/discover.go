package sensu1config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// discover lists the *.json files of a config directory in load order (see
// the package comment).
func (l *loader) discover(root string) ([]string, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("config directory %s: %w", root, unwrapPathError(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("config directory %s: not a directory", root)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("config directory %s: %w", root, unwrapPathError(err))
	}
	var files []string
	if err := l.walk(root, entries, false, &files); err != nil {
		return nil, err
	}
	return files, nil
}

// walk appends the *.json files below dir, whose entries os.ReadDir returned
// sorted by name. viaSymlink says a symlinked directory was already followed
// on the way down from the config directory.
func (l *loader) walk(dir string, entries []fs.DirEntry, viaSymlink bool, files *[]string) error {
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		isJSON := strings.HasSuffix(name, ".json")
		isLink := e.Type()&fs.ModeSymlink != 0
		mode := e.Type()
		if isLink {
			fi, err := os.Stat(path)
			if err != nil {
				if isJSON {
					return fmt.Errorf("config file %s: does not exist or is not readable: %w", path, unwrapPathError(err))
				}
				continue // a dangling link that the glob does not want
			}
			mode = fi.Mode()
		}
		switch {
		case mode.IsDir() && isJSON:
			return fmt.Errorf("config file %s: is a directory", path)
		case mode.IsDir():
			if isLink && viaSymlink {
				l.warn(path, "", "symlinked directory not followed: Sensu 1.x follows one symlinked directory per path")
				continue
			}
			sub, err := os.ReadDir(path)
			if err != nil {
				l.warn(path, "", "directory skipped, cannot be read (as in 1.x): %v", unwrapPathError(err))
				continue
			}
			if err := l.walk(path, sub, viaSymlink || isLink, files); err != nil {
				return err
			}
		case !isJSON:
			// not a config file
		case mode.IsRegular():
			*files = append(*files, path)
		default:
			return fmt.Errorf("config file %s: not a regular file", path)
		}
	}
	return nil
}
