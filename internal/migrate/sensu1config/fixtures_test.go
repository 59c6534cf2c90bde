package sensu1config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The fixtures and what the real loader (sensu-settings 10.17.0 under Ruby
// 3.1) made of them: testdata/sensu1/README.md and SOURCES.md.
var testdata = filepath.Join("..", "..", "..", "testdata", "sensu1")

// fixtureRoot returns where the fixture paths of the expected files
// ("fixtures/config/<set>/…") are on disk: testdata/sensu1, except for set 02,
// which is copied to a temporary directory to put its symlinks back.
type fixtureRoot struct {
	set02 string
}

func newFixtureRoot(t *testing.T) fixtureRoot {
	return fixtureRoot{set02: fixture02(t)}
}

func (r fixtureRoot) path(p string) string {
	const set02 = "fixtures/config/02-sensu-settings-spec"
	if rest, ok := strings.CutPrefix(p, set02); ok {
		return filepath.Join(r.set02, filepath.FromSlash(rest))
	}
	rest, ok := strings.CutPrefix(p, "fixtures/")
	if !ok {
		panic("not a fixture path: " + p)
	}
	return filepath.Join(testdata, filepath.FromSlash(rest))
}

// fixture02 copies config/02-sensu-settings-spec to a temporary directory and
// restores its two directory symlinks: conf.d/alternative -> ../alternative/conf.d/
// (in the repository a regular file holding the link target, as git stores a
// symlink checked out without symlink support) and the self-referencing
// alternative/conf.d/loop -> ../conf.d, left out of the fixtures on purpose.
func fixture02(t *testing.T) string {
	t.Helper()
	src := filepath.Join(testdata, "config", "02-sensu-settings-spec")
	dst := filepath.Join(t.TempDir(), "02-sensu-settings-spec")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, 0o644)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	restoreSymlink(t, filepath.Join(dst, "conf.d", "alternative"), "../alternative/conf.d/")
	restoreSymlink(t, filepath.Join(dst, "alternative", "conf.d", "loop"), "../conf.d")
	return dst
}

// restoreSymlink makes link a symlink to target, replacing a regular file
// that holds the target's text; an existing symlink is left alone.
func restoreSymlink(t *testing.T, link, target string) {
	t.Helper()
	fi, err := os.Lstat(link)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return
	case err == nil:
		b, err := os.ReadFile(link)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(b)) != target {
			t.Fatalf("%s holds %q, want the symlink target %q", link, b, target)
		}
		if err := os.Remove(link); err != nil {
			t.Fatal(err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create symlinks here: %v", err)
	}
}

// readLoadedFiles reads the line `loaded_files…=["a", "b"]` of an expected
// file (a Ruby inspect of plain strings, which is JSON).
func readLoadedFiles(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if !strings.HasPrefix(line, "loaded_files") {
			continue
		}
		_, list, _ := strings.Cut(line, "=")
		var files []string
		if err := json.Unmarshal([]byte(list), &files); err != nil {
			t.Fatalf("%s: loaded_files: %v", path, err)
		}
		return files
	}
	t.Fatalf("%s: no loaded_files line", path)
	return nil
}

type mergedSet struct {
	name    string // <set>.<service>
	service string
	file    string   // fixture path of -c
	dirs    []string // fixture paths of -d
}

// mergedSets are the runs behind expected/sensu-settings-merged/<set>.<service>.json;
// the options are those that give the files of <set>.<service>.loaded_files.txt.
var mergedSets = []mergedSet{
	{"01-sensu-core-spec.server", "server", "fixtures/config/01-sensu-core-spec/config.json", []string{"fixtures/config/01-sensu-core-spec/conf.d"}},
	{"01-sensu-core-spec.client", "client", "fixtures/config/01-sensu-core-spec/config.json", []string{"fixtures/config/01-sensu-core-spec/conf.d"}},
	{"02-sensu-settings-spec.server", "server", "fixtures/config/02-sensu-settings-spec/config.json", []string{"fixtures/config/02-sensu-settings-spec/conf.d", "fixtures/config/02-sensu-settings-spec/app/config/sensu"}},
	{"05-sensu-docs-1.9.server", "server", "", []string{"fixtures/config/05-sensu-docs-1.9/conf.d"}},
	{"07-synthetic-server.server", "server", "fixtures/config/07-synthetic-server/server/config.json", []string{"fixtures/config/07-synthetic-server/server/conf.d"}},
	// The client service loaded with -d only (see their loaded_files.txt).
	{"07-synthetic-client-db-01.client", "client", "", []string{"fixtures/config/07-synthetic-server/clients/db-01/conf.d"}},
	{"07-synthetic-client-web-01.client", "client", "", []string{"fixtures/config/07-synthetic-server/clients/web-01/conf.d"}},
	{"07-synthetic-client-win-01.client", "client", "", []string{"fixtures/config/07-synthetic-server/clients/win-01/conf.d"}},
}

func (r fixtureRoot) options(file string, dirs []string) Options {
	var o Options
	if file != "" {
		o.ConfigFile = r.path(file)
	}
	for _, d := range dirs {
		o.ConfigDirs = append(o.ConfigDirs, r.path(d))
	}
	return o
}

// TestMergedLikeSensuSettings loads each fixture set as the real loader did
// and compares the merged hash and the loaded files with what it produced.
func TestMergedLikeSensuSettings(t *testing.T) {
	root := newFixtureRoot(t)
	dir := filepath.Join(testdata, "expected", "sensu-settings-merged")

	// Every expected file has a row.
	expected, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(expected) == 0 {
		t.Fatal("no expected files")
	}
	for _, e := range expected {
		name := strings.TrimSuffix(filepath.Base(e), ".json")
		if !slices.ContainsFunc(mergedSets, func(s mergedSet) bool { return s.name == name }) {
			t.Errorf("%s has no row in mergedSets", e)
		}
	}

	for _, set := range mergedSets {
		t.Run(set.name, func(t *testing.T) {
			opts := root.options(set.file, set.dirs)
			got, warnings, err := Load(opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range warnings {
				t.Log(w)
			}

			var wantFiles []string
			for _, f := range readLoadedFiles(t, filepath.Join(dir, set.name+".loaded_files.txt")) {
				wantFiles = append(wantFiles, root.path(f))
			}
			assertSameFiles(t, got.Files, wantFiles)
			assertLoadOrder(t, got.Files, opts)

			want := readJSON(t, filepath.Join(dir, set.name+".json"))
			stripLoaderAdditions(t, want, set.service, got.Files)
			if diffs := diff(nil, want, got.Data); len(diffs) > 0 {
				t.Errorf("merged settings differ from sensu-settings' (want, got):\n%s", strings.Join(diffs, "\n"))
			}
		})
	}
}

// defaultLeaves are the defaults sensu-settings puts under the files
// (loader.rb default_settings, FACTS §3.1 item 1).
var defaultLeaves = []struct {
	path  []string
	value any
}{
	{[]string{"sensu", "spawn", "limit"}, json.Number("12")},
	{[]string{"sensu", "keepalives", "thresholds", "warning"}, json.Number("120")},
	{[]string{"sensu", "keepalives", "thresholds", "critical"}, json.Number("180")},
	{[]string{"transport", "name"}, "rabbitmq"},
	{[]string{"transport", "reconnect_on_error"}, true},
}

// defaultObjects are the objects of the defaults, deepest first.
var defaultObjects = [][]string{
	{"sensu", "spawn"}, {"sensu", "keepalives", "thresholds"}, {"sensu", "keepalives"}, {"sensu"},
	{"transport"}, {"client"},
	{"checks"}, {"filters"}, {"mutators"}, {"handlers"}, {"extensions"},
}

// stripLoaderAdditions removes from want (the real loader's dump) what the
// loader adds that is in no file, so that it is comparable with Load's
// result. Each removal is of something the files do not set:
//
//  1. Defaults (FACTS §3.1 item 1): sensu.spawn.limit, sensu.keepalives
//     thresholds, transport.name, transport.reconnect_on_error, and the objects
//     client, sensu, transport, checks, filters, mutators, handlers,
//     extensions once empty. A default leaf is removed only where no loaded
//     file sets that path (it must then hold the default value); an object
//     only if empty and no file has it.
//  2. Client service only: the defaults client.name (hostname) and
//     client.address (first IPv4) where no file sets them, and the override
//     that appends "client:<name>" to client.subscriptions (creating the
//     array if absent) — removed unless a file lists it.
//  3. Nothing for the "name" that 1.x adds to a definition: it is added when
//     a category is read through the loader's accessors, not in the settings
//     hash that --print_config dumps; the comparison proves it (no "name"
//     key in the expected definitions unless a file has one).
//
// The environment added nothing: the expected files were made with no
// Sensu variable set (SOURCES.md).
func stripLoaderAdditions(t *testing.T, want map[string]any, service string, files []string) {
	t.Helper()
	raw := make([]map[string]any, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimSpace(bytes.TrimPrefix(b, utf8BOM))
		m := map[string]any{}
		if len(b) > 0 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		raw = append(raw, m)
	}
	inFiles := func(path ...string) bool {
		for _, m := range raw {
			if _, ok := lookup(m, path); ok {
				return true
			}
		}
		return false
	}

	if service == "client" {
		client, _ := want["client"].(map[string]any)
		if client == nil {
			t.Fatal("client service dump without a client scope")
		}
		name, _ := client["name"].(string)
		sub := "client:" + name
		listed := false
		for _, m := range raw {
			if subs, ok := lookup(m, []string{"client", "subscriptions"}); ok {
				if a, ok := subs.([]any); ok && slices.Contains(a, any(sub)) {
					listed = true
				}
			}
		}
		if subs, ok := client["subscriptions"].([]any); ok && !listed {
			i := slices.Index(subs, any(sub))
			if i < 0 {
				t.Fatalf("client.subscriptions %v lacks the override %q", subs, sub)
			}
			client["subscriptions"] = slices.Delete(subs, i, i+1)
			if len(client["subscriptions"].([]any)) == 0 && !inFiles("client", "subscriptions") {
				delete(client, "subscriptions")
			}
		}
		for _, k := range []string{"name", "address"} {
			if !inFiles("client", k) {
				delete(client, k)
			}
		}
	}

	for _, d := range defaultLeaves {
		if inFiles(d.path...) {
			continue
		}
		v, ok := lookup(want, d.path)
		if !ok {
			t.Fatalf("dump lacks the default %s", strings.Join(d.path, "."))
		}
		if !equal(v, d.value) {
			t.Fatalf("%s = %v, no file sets it, want the default %v", strings.Join(d.path, "."), v, d.value)
		}
		parent, _ := lookup(want, d.path[:len(d.path)-1])
		delete(parent.(map[string]any), d.path[len(d.path)-1])
	}
	for _, p := range defaultObjects {
		v, ok := lookup(want, p)
		if !ok || inFiles(p...) {
			continue
		}
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			if len(p) == 1 {
				delete(want, p[0])
			} else {
				parent, _ := lookup(want, p[:len(p)-1])
				delete(parent.(map[string]any), p[len(p)-1])
			}
		}
	}
}

func lookup(m map[string]any, path []string) (any, bool) {
	var v any = m
	for _, k := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = o[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// diff lists the paths where two decoded JSON values differ; numbers must
// have the same text.
func diff(path []string, want, got any) []string {
	where := strings.Join(path, ".")
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s, %s", where, describe(want), describe(got))}
		}
		var out []string
		keys := sortedKeys(w)
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			p := append(path[:len(path):len(path)], k)
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !wok:
				out = append(out, fmt.Sprintf("%s: missing, %s", strings.Join(p, "."), describe(gv)))
			case !gok:
				out = append(out, fmt.Sprintf("%s: %s, missing", strings.Join(p, "."), describe(wv)))
			default:
				out = append(out, diff(p, wv, gv)...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %s, %s", where, describe(want), describe(got))}
		}
		var out []string
		for i := range w {
			out = append(out, diff(append(path[:len(path):len(path)], strconv.Itoa(i)), w[i], g[i])...)
		}
		return out
	default:
		if want != got { // json.Number by text, strings, bools, nil
			return []string{fmt.Sprintf("%s: %s, %s", where, describe(want), describe(got))}
		}
		return nil
	}
}

func assertSameFiles(t *testing.T, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	if !slices.Equal(g, w) {
		t.Errorf("loaded files (as a set)\n got: %q\nwant: %q", g, w)
	}
}

// assertLoadOrder checks the documented order: the config file, then each
// directory's files in the order of the directories, each directory's files
// sorted by path component (a directory's files where its name sorts).
func assertLoadOrder(t *testing.T, files []string, opts Options) {
	t.Helper()
	type key struct {
		root  int
		parts []string
	}
	keyOf := func(f string) key {
		if f == opts.ConfigFile {
			return key{root: -1}
		}
		for i, d := range opts.ConfigDirs {
			if rel, err := filepath.Rel(d, f); err == nil && !strings.HasPrefix(rel, "..") {
				return key{root: i, parts: strings.Split(filepath.ToSlash(rel), "/")}
			}
		}
		t.Fatalf("%s is in no config dir", f)
		return key{}
	}
	less := func(a, b key) bool {
		if a.root != b.root {
			return a.root < b.root
		}
		return slices.Compare(a.parts, b.parts) < 0
	}
	for i := 1; i < len(files); i++ {
		if !less(keyOf(files[i-1]), keyOf(files[i])) {
			t.Errorf("load order: %s before %s", files[i-1], files[i])
		}
	}
}

// TestLoadErrorsLikeSensuSettings runs every validator verdict's load:
// where sensu-settings stopped with "config file must be valid json" Load
// must fail on that file (on the same line as Oj); elsewhere it must load
// the same files. Validation of the values is not this package's job.
func TestLoadErrorsLikeSensuSettings(t *testing.T) {
	root := newFixtureRoot(t)
	verdicts, _ := filepath.Glob(filepath.Join(testdata, "expected", "sensu-settings-validation", "*.txt"))
	if len(verdicts) == 0 {
		t.Fatal("no verdicts")
	}
	invalidJSON := regexp.MustCompile(`"message":"config file must be valid json",\s*"file":"([^"]+)",\s*"error":"[^"]*? at line (\d+), column (\d+)`)
	failures := 0
	for _, v := range verdicts {
		t.Run(strings.TrimSuffix(filepath.Base(v), ".txt"), func(t *testing.T) {
			b, err := os.ReadFile(v)
			if err != nil {
				t.Fatal(err)
			}
			header, _, _ := strings.Cut(string(b), "\n")
			// # ruby rubyshim/bin/validate.rb SERVICE [-c FILE] [-d DIR[,DIR]]   (…)
			cmd, _, _ := strings.Cut(header, "(")
			args := strings.Fields(cmd)[3:]
			var file string
			var dirs []string
			for i := 1; i < len(args); i += 2 {
				switch args[i] {
				case "-c":
					file = args[i+1]
				case "-d":
					dirs = strings.Split(args[i+1], ",")
				default:
					t.Fatalf("header %q: unknown option %s", header, args[i])
				}
			}
			opts := root.options(file, dirs)
			got, _, err := Load(opts)

			if m := invalidJSON.FindStringSubmatch(string(b)); m != nil {
				failures++
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("Load = %v, want a ParseError (sensu-settings: invalid json in %s)", err, m[1])
				}
				if pe.File != root.path(m[1]) {
					t.Errorf("ParseError.File = %s, want %s", pe.File, root.path(m[1]))
				}
				if line, _ := strconv.Atoi(m[2]); pe.Line != line {
					t.Errorf("ParseError at line %d, Oj says line %d: %v", pe.Line, line, err)
				}
				t.Logf("%v (Oj: line %s, column %s)", err, m[2], m[3])
				return
			}
			if strings.Contains(string(b), "config file must be valid json") {
				t.Fatal("verdict mentions invalid json in a form this test does not parse")
			}
			if err != nil {
				t.Fatalf("Load: %v (sensu-settings loaded it)", err)
			}
			var want []string
			for _, f := range readLoadedFiles(t, v) {
				want = append(want, root.path(f))
			}
			assertSameFiles(t, got.Files, want)
			assertLoadOrder(t, got.Files, opts)
		})
	}
	if failures == 0 {
		t.Error("no verdict with a load error: the regexp no longer matches the files")
	}
}
