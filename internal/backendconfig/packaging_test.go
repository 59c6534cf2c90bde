package backendconfig

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// TestPackagedConfigIsValid loads the backend.yml the packages install, and
// checks that every commented-out example key is a setting whose value parses,
// so that uncommenting a line never breaks the backend.
func TestPackagedConfigIsValid(t *testing.T) {
	path := filepath.Join("..", "..", "packaging", "backend.yml")
	for _, cmd := range []Command{Start, Init} {
		if _, _, err := load(t, cmd, []string{"--config-file", path}, nil); err != nil {
			t.Fatalf("packaged config: %v", err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	commented := regexp.MustCompile(`^#\s*([a-z0-9-]+):\s*(.*)$`)
	checked := 0
	for i, line := range strings.Split(string(data), "\n") {
		m := commented.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s, ok := Lookup(m[1])
		if !ok {
			t.Errorf("%s:%d: commented key %q is not a setting", path, i+1, m[1])
			continue
		}
		var value string
		if err := yaml.Unmarshal([]byte(m[2]), &value); err != nil {
			t.Errorf("%s:%d: value %q: %v", path, i+1, m[2], err)
			continue
		}
		opts := DefaultOptions()
		fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
		Register(fs, s.For, &opts)
		if err := fs.Set(s.Name, value); err != nil {
			t.Errorf("%s:%d: %s: %v", path, i+1, s.Name, err)
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d commented settings found; the file format changed?", checked)
	}
}
