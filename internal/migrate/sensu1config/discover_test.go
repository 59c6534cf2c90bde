package sensu1config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create symlinks here: %v", err)
	}
}

func rel(t *testing.T, base string, paths []string) []string {
	t.Helper()
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		r, err := filepath.Rel(base, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func TestDiscovery(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{
		"conf.d/b.json":                  `{}`,
		"conf.d/a.json":                  `{}`,
		"conf.d/a/x.json":                `{}`,
		"conf.d/a-b/x.json":              `{}`,
		"conf.d/.hidden.json":            `{"not": "loaded"}`,
		"conf.d/.dotdir/x.json":          `{"not": "loaded"}`,
		"conf.d/sub/.dotdir/x.json":      `{"not": "loaded"}`,
		"conf.d/notes.txt":               `not json`,
		"conf.d/README":                  `not json`,
		"conf.d/UPPER.JSON":              `{"not": "loaded"}`, // the glob is case-sensitive
		"conf.d/x.json.bak":              `{"not": "loaded"}`,
		"conf.d/sub/deep/deeper/z.json":  `{}`,
		"outside/o.json":                 `{}`,
		"outside/inner/i.json":           `{}`,
		"outside/.hidden/h.json":         `{"not": "loaded"}`,
		"outside2/p.json":                `{"not": "loaded"}`,
		"conf.d/.dotlink-target/q.json":  `{"not": "loaded"}`,
		"second/m.json":                  `{}`,
		"second/nested/a.json":           `{}`,
		"conf.d/sub/deep/deeper/.z.json": `{"not": "loaded"}`,
	})
	symlink(t, "../outside", filepath.Join(base, "conf.d", "link"))            // followed
	symlink(t, "../../outside", filepath.Join(base, "conf.d", "sub", "deep2")) // followed, at depth
	symlink(t, "../outside2", filepath.Join(base, "outside", "link2"))         // second symlink on the path: not followed
	symlink(t, "../outside/o.json", filepath.Join(base, "conf.d", "filelink.json"))
	symlink(t, "nowhere", filepath.Join(base, "conf.d", "dangling.txt")) // not *.json: ignored
	symlink(t, "../outside", filepath.Join(base, "conf.d", ".dotlink"))  // dot name: ignored

	s, warnings, err := Load(Options{ConfigDirs: []string{filepath.Join(base, "second"), filepath.Join(base, "conf.d")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"second/m.json",
		"second/nested/a.json",
		// Per directory level, byte-wise: "a" < "a-b" < "a.json"; a plain
		// sort of the paths would put a/x.json after a.json.
		"conf.d/a/x.json",
		"conf.d/a-b/x.json",
		"conf.d/a.json",
		"conf.d/b.json",
		"conf.d/filelink.json",
		"conf.d/link/inner/i.json",
		"conf.d/link/o.json",
		"conf.d/sub/deep/deeper/z.json",
		"conf.d/sub/deep2/inner/i.json",
		"conf.d/sub/deep2/o.json",
	}
	if got := rel(t, base, s.Files); !slices.Equal(got, want) {
		t.Errorf("Files\n got: %q\nwant: %q", got, want)
	}
	if _, ok := s.Data["not"]; ok {
		t.Error("a file that must be skipped was loaded")
	}
	var notFollowed []string
	for _, w := range warnings {
		if strings.Contains(w.Message, "not followed") {
			notFollowed = append(notFollowed, w.File)
		}
	}
	wantNotFollowed := []string{"conf.d/link/link2", "conf.d/sub/deep2/link2"}
	if got := rel(t, base, notFollowed); !slices.Equal(got, wantNotFollowed) {
		t.Errorf("not-followed warnings for %q, want %q (all: %v)", got, wantNotFollowed, warnings)
	}
}

// The self-referencing symlink of the sensu-settings spec assets ends, as in
// 1.x: alternative/conf.d/loop -> ../conf.d is followed once, not twice.
func TestDiscoverySymlinkLoop(t *testing.T) {
	root := fixture02(t)
	dir := filepath.Join(root, "alternative", "conf.d")
	s, warnings, err := Load(Options{ConfigDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"loop/symlinked.json", "symlinked.json"}
	if got := rel(t, dir, s.Files); !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
	if len(warnings) != 1 || warnings[0].File != filepath.Join(dir, "loop", "loop") {
		t.Errorf("warnings = %v, want one for loop/loop", warnings)
	}

	// Through conf.d/alternative -> ../alternative/conf.d/ the loop is the
	// second symlink: only symlinked.json, as sensu-settings loaded.
	conf := filepath.Join(root, "conf.d")
	s, _, err = Load(Options{ConfigDirs: []string{conf}})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"alternative/symlinked.json", "merger.json", "nested/file.json"}
	if got := rel(t, conf, s.Files); !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
}

func TestDiscoveryErrors(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "conf.d")
		_, _, err := Load(Options{ConfigDirs: []string{dir}})
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
			t.Errorf("Load = %v, want a not-exist error naming %s", err, dir)
		}
	})
	t.Run("directory is a file", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"conf.d": `{}`})
		_, _, err := Load(Options{ConfigDirs: []string{filepath.Join(dir, "conf.d")}})
		if err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("Load = %v, want not a directory", err)
		}
	})
	t.Run("dangling *.json symlink", func(t *testing.T) {
		dir := t.TempDir()
		symlink(t, "gone.json", filepath.Join(dir, "x.json"))
		_, _, err := Load(Options{ConfigDirs: []string{dir}})
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "x.json")) {
			t.Errorf("Load = %v, want an error naming x.json", err)
		}
	})
	t.Run("directory named *.json", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"d.json/a.json": `{}`})
		_, _, err := Load(Options{ConfigDirs: []string{dir}})
		if err == nil || !strings.Contains(err.Error(), "d.json: is a directory") {
			t.Errorf("Load = %v, want d.json: is a directory", err)
		}
	})
	t.Run("config dir through a symlink", func(t *testing.T) {
		// The directory given is followed even as a symlink; it does not
		// count as the one symlinked directory of a path.
		base := t.TempDir()
		writeFiles(t, base, map[string]string{"real/a.json": `{}`, "other/b.json": `{}`})
		symlink(t, "real", filepath.Join(base, "conf.d"))
		symlink(t, "../other", filepath.Join(base, "real", "other"))
		s, _, err := Load(Options{ConfigDirs: []string{filepath.Join(base, "conf.d")}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rel(t, base, s.Files), []string{"conf.d/a.json", "conf.d/other/b.json"}; !slices.Equal(got, want) {
			t.Errorf("Files = %q, want %q", got, want)
		}
	})
}

func TestConfigFileNotLoadable(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"missing":   filepath.Join(dir, "config.json"),
		"directory": dir,
	} {
		t.Run(name, func(t *testing.T) {
			s, warnings, err := Load(Options{ConfigFile: path})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Files) != 0 || len(s.Data) != 0 {
				t.Errorf("loaded %q: %v", s.Files, s.Data)
			}
			if len(warnings) != 1 || warnings[0].File != path || warnings[0].Path != "" {
				t.Errorf("warnings = %v, want one about %s", warnings, path)
			}
		})
	}
}

func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"config.json":             `{"a": 1}`,
		"conf.d/a.json":           `{}`,
		"conf.d/locked/b.json":    `{}`,
		"conf.d2/unreadable.json": `{}`,
	})
	for _, p := range []string{"config.json", "conf.d/locked", "conf.d2/unreadable.json"} {
		p = filepath.Join(dir, p)
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o755) })
	}

	// The config file: a warning (must_exist=false in 1.x). A subdirectory:
	// a warning, skipped.
	s, warnings, err := Load(Options{ConfigFile: filepath.Join(dir, "config.json"), ConfigDirs: []string{filepath.Join(dir, "conf.d")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rel(t, dir, s.Files); !slices.Equal(got, []string{"conf.d/a.json"}) {
		t.Errorf("Files = %q", got)
	}
	if len(warnings) != 2 {
		t.Errorf("warnings = %v, want 2", warnings)
	}

	// A file in a directory: an error, as in 1.x.
	_, _, err = Load(Options{ConfigDirs: []string{filepath.Join(dir, "conf.d2")}})
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Load = %v, want permission denied", err)
	}
}
