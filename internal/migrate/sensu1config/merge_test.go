package sensu1config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// loadFiles writes the contents as 1.json, 2.json, … (in load order) to a
// directory and loads it.
func loadFiles(t *testing.T, contents ...string) (*Settings, []Warning, string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for i, c := range contents {
		files[fmt.Sprintf("%d.json", i+1)] = c
	}
	writeFiles(t, dir, files)
	s, warnings, err := Load(Options{ConfigDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	return s, warnings, dir
}

func decodeNumbers(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMerge(t *testing.T) {
	type warning struct {
		path     string
		contains []string // in the message; N.json stands for the file
	}
	tests := []struct {
		name     string
		files    []string
		want     string
		warnings []warning
	}{
		{
			name: "objects merge recursively, later scalars win",
			files: []string{
				`{"checks": {"a": {"command": "x", "interval": 60}}}`,
				`{"checks": {"a": {"interval": 30}, "b": {"command": "y"}}}`,
			},
			want:     `{"checks": {"a": {"command": "x", "interval": 30}, "b": {"command": "y"}}}`,
			warnings: []warning{{"checks.a.interval", []string{"60 from 1.json", "30 from 2.json"}}},
		},
		{
			name: "arrays concatenate, then lose later duplicates",
			files: []string{
				`{"s": ["a", "b", "a"]}`,
				`{"s": ["c", "b", "a", "d"]}`,
			},
			want: `{"s": ["a", "b", "c", "d"]}`,
		},
		{
			name:  "an array from one file keeps its duplicates",
			files: []string{`{"s": ["a", "a"]}`, `{"t": 1}`},
			want:  `{"s": ["a", "a"], "t": 1}`,
		},
		{
			name: "duplicates compared deeply, key order ignored",
			files: []string{
				`{"x": [{"k": 1, "j": [1, 2]}]}`,
				`{"x": [{"j": [1, 2], "k": 1}, {"k": 2}, {"k": 1, "j": [2, 1]}]}`,
			},
			want: `{"x": [{"k": 1, "j": [1, 2]}, {"k": 2}, {"k": 1, "j": [2, 1]}]}`,
		},
		{
			name:  "an integer and a float differ, equal floats do not",
			files: []string{`{"x": [1, 1e2]}`, `{"x": [1.0, 1, 100.0, 1.00e2]}`},
			want:  `{"x": [1, 1e2, 1.0]}`,
		},
		{
			name:     "type change: object to array",
			files:    []string{`{"sensu": {"a": 1}}`, `{"sensu": [{"name": "dc1"}]}`},
			want:     `{"sensu": [{"name": "dc1"}]}`,
			warnings: []warning{{"sensu", []string{`{"a":1} from 1.json`, `[{"name":"dc1"}] from 2.json`, "type changes from object to array"}}},
		},
		{
			name:     "type change: scalar to array",
			files:    []string{`{"h": "x"}`, `{"h": ["x"]}`},
			want:     `{"h": ["x"]}`,
			warnings: []warning{{"h", []string{`"x" from 1.json`, `["x"] from 2.json`, "from string to array"}}},
		},
		{
			name:     "type change: array to object",
			files:    []string{`{"h": ["x"]}`, `{"h": {"x": true}}`},
			want:     `{"h": {"x": true}}`,
			warnings: []warning{{"h", []string{"from array to object"}}},
		},
		{
			name:     "null overrides",
			files:    []string{`{"a": {"b": 1}}`, `{"a": {"b": null}}`},
			want:     `{"a": {"b": null}}`,
			warnings: []warning{{"a.b", []string{"1 from 1.json", "null from 2.json", "from number to null"}}},
		},
		{
			name:     "a value overrides null",
			files:    []string{`{"a": null}`, `{"a": "x"}`},
			want:     `{"a": "x"}`,
			warnings: []warning{{"a", []string{"null from 1.json", `"x" from 2.json`}}},
		},
		{
			name:     "an integer replaced by a float is a change",
			files:    []string{`{"interval": 60}`, `{"interval": 60.0}`},
			want:     `{"interval": 60.0}`,
			warnings: []warning{{"interval", []string{"60 from 1.json", "60.0 from 2.json"}}},
		},
		{
			name: "identical values set again: no warning",
			files: []string{
				`{"a": 1, "b": "x", "c": {"d": true}, "e": null, "f": [1], "g": 1.50}`,
				`{"a": 1, "b": "x", "c": {"d": true}, "e": null, "f": [1], "g": 1.5}`,
			},
			want: `{"a": 1, "b": "x", "c": {"d": true}, "e": null, "f": [1], "g": 1.5}`,
		},
		{
			name: "the warning names the file that set the value, not the last one loaded",
			files: []string{
				`{"a": 1}`,
				`{"b": 2}`,
				`{"a": 3}`,
			},
			want:     `{"a": 3, "b": 2}`,
			warnings: []warning{{"a", []string{"1 from 1.json", "3 from 3.json"}}},
		},
		{
			name: "a value inside an object placed whole keeps its file",
			files: []string{
				`{"checks": {"a": {"interval": 10}}}`,
				`{"checks": {"b": {}}}`,
				`{"checks": {"a": {"interval": 20}}}`,
			},
			want:     `{"checks": {"a": {"interval": 20}, "b": {}}}`,
			warnings: []warning{{"checks.a.interval", []string{"10 from 1.json", "20 from 3.json"}}},
		},
		{
			name:  "warnings in key order",
			files: []string{`{"z": 1, "a": 1, "m": {"y": 1, "b": 1}}`, `{"z": 2, "a": 2, "m": {"y": 2, "b": 2}}`},
			want:  `{"z": 2, "a": 2, "m": {"y": 2, "b": 2}}`,
			warnings: []warning{
				{"a", nil}, {"m.b", nil}, {"m.y", nil}, {"z", nil},
			},
		},
		{
			name:     "long values are shortened, HTML is not escaped",
			files:    []string{`{"c": "cat > /tmp/x && echo <ok>"}`, `{"c": "` + strings.Repeat("y", 100) + `"}`},
			want:     `{"c": "` + strings.Repeat("y", 100) + `"}`,
			warnings: []warning{{"c", []string{`"cat > /tmp/x && echo <ok>" from 1.json`, strings.Repeat("y", 78) + "… from 2.json"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, warnings, dir := loadFiles(t, tt.files...)
			if d := diff(nil, decodeNumbers(t, tt.want), s.Data); len(d) > 0 {
				t.Errorf("Data (want, got):\n%s", strings.Join(d, "\n"))
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %v, want %d", warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				got := warnings[i]
				if got.Path != w.path {
					t.Errorf("warning %d path = %q, want %q", i, got.Path, w.path)
				}
				msg := strings.ReplaceAll(got.Message, dir+string(filepath.Separator), "")
				for _, c := range w.contains {
					if !strings.Contains(msg, c) {
						t.Errorf("warning %q lacks %q", msg, c)
					}
				}
				// The later file: the last one in every case here.
				if want := filepath.Join(dir, fmt.Sprint(len(tt.files))) + ".json"; got.File != want {
					t.Errorf("warning file = %s, want %s", got.File, want)
				}
			}
		})
	}
}

func TestWarningString(t *testing.T) {
	w := Warning{File: "conf.d/b.json", Path: "checks.check-disk.interval", Message: "60 from conf.d/a.json overridden by 30 from conf.d/b.json"}
	if got, want := w.String(), "conf.d/b.json: checks.check-disk.interval: 60 from conf.d/a.json overridden by 30 from conf.d/b.json"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	w = Warning{File: "/etc/sensu/config.json", Message: "config file does not exist"}
	if got, want := w.String(), "/etc/sensu/config.json: config file does not exist"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
