package sensu1config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // the object as JSON; "" when an error is wanted
		wantErr string // ParseError text, after "bad.json"
	}{
		{name: "object", in: `{"a": 1}`, want: `{"a": 1}`},
		{name: "BOM", in: "\xEF\xBB\xBF{\"a\": 1}", want: `{"a": 1}`},
		{name: "BOM and CRLF", in: "\xEF\xBB\xBF{\r\n\t\"a\": [\"x\"]\r\n}\r\n", want: `{"a": ["x"]}`},
		{name: "empty", in: "", want: `{}`},
		{name: "whitespace only", in: " \r\n\t\n\n", want: `{}`},
		{name: "BOM only", in: "\xEF\xBB\xBF\n", want: `{}`},
		{name: "Ruby strip whitespace", in: "\v\f{\"a\": 1}\f", want: `{"a": 1}`},
		{name: "duplicate key, last wins", in: `{"a": 1, "a": 2}`, want: `{"a": 2}`},

		{name: "syntax error", in: "{\n  \"checks\": {\n  \"interval\":}\n}", wantErr: ":3:14: invalid character '}' looking for beginning of value"},
		{name: "trailing comma", in: "{\n  \"a\": 1,\n}", wantErr: ":3:1: invalid character '}' looking for beginning of object key string"},
		{name: "column after BOM counts characters", in: "\xEF\xBB\xBF{\"a\" 1}", wantErr: ":1:6: invalid character '1' after object key"},
		{name: "column counts characters, not bytes", in: `{"é": x}`, wantErr: ":1:7: invalid character 'x' looking for beginning of value"},
		{name: "column after leading Ruby whitespace", in: "\f\n {]", wantErr: ":2:3: invalid character ']' looking for beginning of object key string"},
		{name: "truncated", in: "{\n  \"invalid\": \"json\"\n", wantErr: ":2:20: unexpected end of JSON input"},
		{name: "missing comma", in: "{\n \"a\": 1\n \"b\": 2\n}", wantErr: ":3:2: invalid character '\"' after object key:value pair"},
		{name: "garbage after", in: `{} x`, wantErr: ":1:4: invalid character 'x' looking for beginning of value"},
		{name: "second value", in: "{}\n  {}", wantErr: ":2:3: unexpected data after the top-level value"},
		{name: "array", in: "\n\n  [1, 2]", wantErr: ":3:3: top-level value must be a JSON object, not an array"},
		{name: "null", in: `null`, wantErr: ":1:1: top-level value must be a JSON object, not null"},
		{name: "string", in: `"x"`, wantErr: ":1:1: top-level value must be a JSON object, not a string"},
		{name: "number", in: `42`, wantErr: ":1:1: top-level value must be a JSON object, not a number"},
		{name: "boolean", in: `true`, wantErr: ":1:1: top-level value must be a JSON object, not a boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse("bad.json", []byte(tt.in))
			if tt.wantErr != "" {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("parse = %v, %v; want a *ParseError", got, err)
				}
				if pe.File != "bad.json" {
					t.Errorf("File = %q", pe.File)
				}
				if want := "bad.json" + tt.wantErr; err.Error() != want {
					t.Errorf("error\n got: %s\nwant: %s", err, want)
				}
				if strings.Contains(tt.wantErr, "must be a JSON object") && !errors.Is(err, ErrNotObject) {
					t.Errorf("%v is not ErrNotObject", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if d := diff(nil, normalizeNumbers(want), got); len(d) > 0 {
				t.Errorf("parse(%q):\n%s", tt.in, strings.Join(d, "\n"))
			}
		})
	}
}

// normalizeNumbers turns the float64s of json.Unmarshal into json.Numbers.
func normalizeNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			v[k] = normalizeNumbers(c)
		}
		return v
	case []any:
		for i, c := range v {
			v[i] = normalizeNumbers(c)
		}
		return v
	case float64:
		b, _ := json.Marshal(v)
		return json.Number(b)
	}
	return v
}

func TestParseKeepsNumberText(t *testing.T) {
	got, err := parse("n.json", []byte(`{"int": 60, "float": 1.0, "exp": 1e3, "big": 123456789012345678901234567890, "neg": -0.50, "list": [2.50]}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]json.Number{"int": "60", "float": "1.0", "exp": "1e3", "big": "123456789012345678901234567890", "neg": "-0.50"} {
		if got[k] != want {
			t.Errorf("%s = %#v, want json.Number(%q)", k, got[k], want)
		}
	}
	if l := got["list"].([]any); l[0] != json.Number("2.50") {
		t.Errorf("list = %#v", l)
	}
}

// The sensu-settings spec assets: a BOM with CRLF line ends, an empty file
// and a file of empty lines load; invalid.json stops loading.
func TestSensuSettingsSpecFiles(t *testing.T) {
	dir := filepath.Join(testdata, "config", "02-sensu-settings-spec")
	for _, name := range []string{"bom.json", "empty.json", "empty_lines.json"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			s, warnings, err := Load(Options{ConfigFile: path})
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %v", warnings)
			}
			if len(s.Files) != 1 || s.Files[0] != path {
				t.Errorf("Files = %q, want [%s]", s.Files, path)
			}
			want := map[string]any{}
			if name == "bom.json" {
				want = map[string]any{"client": map[string]any{"name": "bom", "address": "utf-8", "subscriptions": []any{"encoding"}}}
			}
			if d := diff(nil, want, s.Data); len(d) > 0 {
				t.Errorf("Data:\n%s", strings.Join(d, "\n"))
			}
		})
	}

	t.Run("invalid.json", func(t *testing.T) {
		path := filepath.Join(dir, "invalid.json")
		s, _, err := Load(Options{ConfigFile: path})
		var pe *ParseError
		if !errors.As(err, &pe) || s != nil {
			t.Fatalf("Load = %v, %v; want a *ParseError", s, err)
		}
		if want := path + ":2:20: unexpected end of JSON input"; err.Error() != want {
			t.Errorf("error = %s, want %s", err, want)
		}
	})
}

// An invalid file in a directory stops loading there: 1.x did not start.
func TestInvalidFileStopsLoading(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.json": `{"checks": {"a": {"command": "true"}}}`,
		"b.json": "{\n  \"checks\": {\n  \"interval\":}\n}",
		"c.json": `{"checks": {"c": {"command": "true"}}}`,
	})
	s, _, err := Load(Options{ConfigDirs: []string{dir}})
	if s != nil || err == nil {
		t.Fatalf("Load = %v, %v; want an error", s, err)
	}
	want := filepath.Join(dir, "b.json") + ":3:14: invalid character '}' looking for beginning of value"
	if err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
