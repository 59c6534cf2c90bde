// Command gendocs regenerates the command reference of sensuctl and
// sensu-backend: docs/reference (Markdown) and docs/man (man pages).
//
//	go run ./internal/clidocs/cmd/gendocs [-dir DIR]
//
// Without -dir it writes into the docs directory of the repository that
// contains the working directory, so it works from any directory of the
// repository (and from `go generate ./internal/clidocs`).
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sensu-etcd/sensu/internal/clidocs"
)

const modulePath = "github.com/sensu-etcd/sensu"

func main() {
	dir := flag.String("dir", "", "directory to write reference/ and man/ into (default: the repository's docs directory)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		dir = filepath.Join(root, "docs")
	}
	if err := clidocs.Generate(dir); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gendocs: wrote %s and %s\n",
		filepath.Join(dir, clidocs.ReferenceDir), filepath.Join(dir, clidocs.ManDir))
	return nil
}

// repoRoot walks up from the working directory to the go.mod of this module.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if ok, err := isModuleRoot(dir); err != nil {
			return "", err
		} else if ok {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the " + modulePath + " repository; run from the repository root or pass -dir")
		}
		dir = parent
	}
}

func isModuleRoot(dir string) (bool, error) {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`) == modulePath, nil
		}
	}
	return false, sc.Err()
}
