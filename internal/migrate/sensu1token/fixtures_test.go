package sensu1token

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const fixtures = "../../../testdata/sensu1/config"

// loadSettings merges the JSON files under dir as sensu-settings does
// (hashes deep-merged, arrays unioned, later scalars win), in lexical order.
// Files that are not valid JSON are left out (1.x would stop loading).
func loadSettings(t *testing.T, dir string) map[string]any {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	merged := map[string]any{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.TrimSpace(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")))
		if len(raw) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Logf("%s: not loaded: %v", f, err)
			continue
		}
		merged = deepMerge(merged, m)
	}
	return merged
}

func deepMerge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, bv := range b {
		switch av := out[k].(type) {
		case map[string]any:
			if bm, ok := bv.(map[string]any); ok {
				out[k] = deepMerge(av, bm)
				continue
			}
		case []any:
			if ba, ok := bv.([]any); ok {
				u := slices.Clone(av)
				for _, e := range ba {
					if !slices.ContainsFunc(u, func(x any) bool { return jsonEqual(x, e) }) {
						u = append(u, e)
					}
				}
				out[k] = u
				continue
			}
		}
		out[k] = bv
	}
	return out
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// checkStrings returns every string of every check definition in settings,
// keyed by where it is ("check-disk.command").
func checkStrings(settings map[string]any) map[string]string {
	out := map[string]string{}
	checks, _ := settings["checks"].(map[string]any)
	for name, def := range checks {
		collectStrings(name, def, out)
	}
	return out
}

func collectStrings(path string, v any, out map[string]string) {
	switch v := v.(type) {
	case string:
		out[path] = v
	case map[string]any:
		for k, e := range v {
			collectStrings(path+"."+k, e, out)
		}
	case []any:
		for i, e := range v {
			collectStrings(path+"["+strconv.Itoa(i)+"]", e, out)
		}
	}
}

// comparison is one check string run for one client, both ways.
type comparison struct {
	where, client, in string
	ruby              string
	unmatched         []string
	tmpl              string
	problems          []string
	goOut             string
	goErr             error
}

func compare(t *testing.T, where, clientName string, s string, client, data map[string]any) comparison {
	c := comparison{where: where, client: clientName, in: s}
	c.ruby, c.unmatched = Substitute(s, client)
	c.tmpl, c.problems = Translate(s)
	c.goOut, c.goErr = Render(c.tmpl, data)
	if c.goErr != nil && !errors.Is(c.goErr, ErrUnmatched) {
		t.Errorf("%s for %s: %q translates to %q, which does not render: %v", where, clientName, s, c.tmpl, c.goErr)
	}
	return c
}

// TestFixture07 is the key property: for every string of every check of
// the 07 server (and of each client's own checks) and every 07 client,
// whenever 1.x matches all tokens, the translated template renders in
// Sensu Go to exactly what 1.x substitutes; when 1.x leaves a token
// unmatched, so does Sensu Go.
func TestFixture07(t *testing.T) {
	root := filepath.Join(fixtures, "07-synthetic-server")
	server := loadSettings(t, filepath.Join(root, "server"))
	serverChecks := checkStrings(server)
	if len(serverChecks) == 0 {
		t.Fatal("no server check strings loaded")
	}
	entries, err := os.ReadDir(filepath.Join(root, "clients"))
	if err != nil {
		t.Fatal(err)
	}
	matchedTokens, unmatched := 0, 0
	results := map[string]string{}
	for _, ent := range entries {
		settings := loadSettings(t, filepath.Join(root, "clients", ent.Name()))
		client, _ := settings["client"].(map[string]any)
		if client == nil {
			t.Fatalf("client %s has no client scope", ent.Name())
		}
		data := entityData(t, client)
		strs := checkStrings(settings) // the client's own (standalone) checks
		for k, v := range serverChecks {
			strs[k] = v
		}
		for where, s := range strs {
			c := compare(t, where, ent.Name(), s, client, data)
			results[ent.Name()+" "+where] = c.ruby
			if len(c.problems) > 0 {
				t.Errorf("%s: %q: unexpected problems %q", where, s, c.problems)
			}
			if len(c.unmatched) > 0 {
				unmatched++
				if !errors.Is(c.goErr, ErrUnmatched) {
					t.Errorf("%s for %s: 1.x leaves %q unmatched in %q; Sensu Go renders %q as %q, %v",
						where, ent.Name(), c.unmatched, s, c.tmpl, c.goOut, c.goErr)
				}
				continue
			}
			if len(Tokens(s)) > 0 {
				matchedTokens++
			}
			if c.goErr != nil || c.goOut != c.ruby {
				t.Errorf("%s for %s: 1.x gives %q; Sensu Go renders %q as %q, %v", where, ent.Name(), c.ruby, c.tmpl, c.goOut, c.goErr)
			}
		}
	}
	// The fixture's tokens are exercised: values, defaults, unmatched.
	for key, want := range map[string]string{
		"web-01 check-disk.command":              "check-disk-usage.rb -w 75 -c 85",
		"db-01 check-disk.command":               "check-disk-usage.rb -w 80 -c 90",
		"web-01 metrics-cpu.command":             "metrics-cpu.rb --scheme web-01.cpu",
		"win-01 check-ping-proxies.command":      "check-ping.rb -h 10.0.2.31 -c 5",
		"web-01 check-mysql-replication.command": "check-mysql-replication-status.rb --user sensu --password secret",
	} {
		if got := results[key]; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if matchedTokens < 10 || unmatched == 0 {
		t.Errorf("fixture coverage: %d strings with tokens all matched, %d with unmatched tokens", matchedTokens, unmatched)
	}
	t.Logf("%d check strings × %d clients: %d with matched tokens, %d unmatched", len(serverChecks), len(entries), matchedTokens, unmatched)
}

// TestAllFixtureSets runs the same property over the check strings of every
// fixture set against every client scope the fixtures hold, and over the
// 08 edge cases. Strings Translate reports problems for are the documented
// deviations and are only required to render.
func TestAllFixtureSets(t *testing.T) {
	sets, err := os.ReadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	type client struct {
		name        string
		attrs, data map[string]any
	}
	var clients []client
	var all []map[string]string
	addClient := func(where string, settings map[string]any) {
		if c, ok := settings["client"].(map[string]any); ok {
			if _, ok := c["name"].(string); ok {
				clients = append(clients, client{where, c, entityData(t, c)})
			}
		}
	}
	for _, set := range sets {
		dir := filepath.Join(fixtures, set.Name())
		if set.Name() == "07-synthetic-server" {
			cl, _ := os.ReadDir(filepath.Join(dir, "clients"))
			for _, c := range cl {
				s := loadSettings(t, filepath.Join(dir, "clients", c.Name()))
				addClient(c.Name(), s)
				all = append(all, checkStrings(s))
			}
			dir = filepath.Join(dir, "server")
		}
		s := loadSettings(t, dir)
		addClient(set.Name(), s)
		all = append(all, checkStrings(s))
	}
	compared := 0
	for _, c := range clients {
		for _, strs := range all {
			for where, s := range strs {
				r := compare(t, where, c.name, s, c.attrs, c.data)
				if len(r.problems) > 0 {
					continue
				}
				compared++
				switch {
				case len(r.unmatched) > 0:
					if !errors.Is(r.goErr, ErrUnmatched) {
						t.Errorf("%s for %s: 1.x leaves %q unmatched in %q; Sensu Go renders %q as %q, %v",
							where, c.name, r.unmatched, s, r.tmpl, r.goOut, r.goErr)
					}
				case r.goErr != nil || r.goOut != r.ruby:
					t.Errorf("%s for %s: 1.x gives %q; Sensu Go renders %q as %q, %v", where, c.name, r.ruby, r.tmpl, r.goOut, r.goErr)
				}
			}
		}
	}
	if len(clients) < 5 || compared == 0 {
		t.Errorf("%d clients, %d comparisons", len(clients), compared)
	}
	t.Logf("%d clients, %d comparisons", len(clients), compared)
}
