package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

type member struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	ClientURLs []string `json:"client_urls"`
	IsLearner  bool     `json:"is_learner,omitempty"`
}

type cluster struct {
	ClusterID string            `json:"cluster_id"`
	Revision  uint64            `json:"revision"`
	Created   time.Time         `json:"created"`
	Members   []member          `json:"members"`
	Labels    map[string]string `json:"labels"`
	Alarms    []string          `json:"alarms"`
	Note      string            `json:"note,omitempty"`
	Enabled   string            `json:"enabled"`
	Zip       string            `json:"zip"`
	Leader    *member           `json:"leader"`
}

// sample covers the cases scripts depend on: a hex ID, a uint64 above 2^53
// (float64 would round it to ...992), an RFC 3339 time, nested structs,
// a map (keys sorted by encoding/json), an empty slice, an omitted field,
// a nil pointer, and strings that look like a bool or a number.
var sample = cluster{
	ClusterID: "8e9e05c52164694d",
	Revision:  9007199254740993,
	Created:   time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC),
	Members: []member{
		{
			ID:   "8e9e05c52164694d",
			Name: "default",
			ClientURLs: []string{
				"http://localhost:2379",
				"http://10.0.0.1:2379",
				"http://10.0.0.2:2379",
			},
		},
		{ID: "91bc3c398fb3c146", Name: "", ClientURLs: []string{"http://10.0.0.2:2379"}, IsLearner: true},
	},
	Labels: map[string]string{
		"zone":   "eu-1",
		"html":   "<b>&</b>",
		"exp":    "1e10",
		"nil":    "null",
		"empty":  "",
		"number": "42",
	},
	Alarms:  []string{},
	Enabled: "true",
	Zip:     "0123",
}

func sampleTable() Table {
	t := Table{
		Title:   "=== Etcd Cluster ID: " + sample.ClusterID,
		Headers: []string{"ID", "Name", "Client URLs", "Is Learner"},
	}
	for _, m := range sample.Members {
		learner := ""
		if m.IsLearner {
			learner = "true"
		}
		t.Rows = append(t.Rows, []string{m.ID, m.Name, strings.Join(m.ClientURLs, ","), learner})
	}
	return t
}

func sampleData() Data {
	return Data{Table: sampleTable(), Value: sample}
}

func render(t *testing.T, p Printer, d Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	p.Out = &buf
	if err := p.Print(d); err != nil {
		t.Fatalf("Print: %v", err)
	}
	return buf.Bytes()
}

func TestSampleGolden(t *testing.T) {
	tests := []struct {
		file    string
		printer Printer
	}{
		{"sample.json", Printer{Format: FormatJSON}},
		{"sample.yaml", Printer{Format: FormatYAML}},
		{"sample.table.txt", Printer{Format: FormatTable}},
		{"sample.terminal-0.txt", Printer{Format: FormatTable, Terminal: true}},
		{"sample.terminal-80.txt", Printer{Format: FormatTable, Terminal: true, Width: 80}},
		{"sample.terminal-40.txt", Printer{Format: FormatTable, Terminal: true, Width: 40}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, render(t, tt.printer, sampleData()))
		})
	}
}

func TestJSONExact(t *testing.T) {
	got := string(render(t, Printer{Format: FormatJSON}, sampleData()))
	for _, want := range []string{
		`"revision": 9007199254740993,`,
		`"created": "2024-05-01T12:30:00Z",`,
		`"html": "<b>&</b>",`,
		`"alarms": [],`,
		`"enabled": "true",`,
		`"zip": "0123",`,
		`"leader": null`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("json output lacks %s", want)
		}
	}
	if strings.Contains(got, `"note"`) {
		t.Error("omitempty field printed")
	}
	if !strings.HasSuffix(got, "}\n") {
		t.Error("json output does not end in a newline")
	}
	var back cluster
	if err := json.Unmarshal([]byte(got), &back); err != nil || back.Revision != sample.Revision {
		t.Errorf("json does not round-trip: %v, revision %d", err, back.Revision)
	}
}

func TestYAMLValues(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"hex id", "8e9e05c52164694d", "8e9e05c52164694d\n"},
		{"string true", "true", "\"true\"\n"},
		{"string 0123", "0123", "\"0123\"\n"},
		{"string 1e10", "1e10", "\"1e10\"\n"},
		{"string null", "null", "\"null\"\n"},
		{"empty string", "", "\"\"\n"},
		{"multi-line string", "a\nb", "|-\n  a\n  b\n"},
		{"bool", true, "true\n"},
		{"max uint64", uint64(18446744073709551615), "18446744073709551615\n"},
		{"float", 1.5, "1.5\n"},
		{"nil pointer", (*member)(nil), "null\n"},
		{"empty slice", []string{}, "[]\n"},
		{"empty map", map[string]int{}, "{}\n"},
		{"top-level array", []any{1, "a", nil}, "- 1\n- a\n- null\n"},
		{"struct order kept", struct {
			Z string `json:"z"`
			A int    `json:"a"`
		}{"true", 2}, "z: \"true\"\na: 2\n"},
		{"nested", map[string]any{"k": []map[string]int{{"b": 1, "a": 2}}},
			"k:\n  - a: 2\n    b: 1\n"},
		{"time", time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC), "\"2024-05-01T12:30:00Z\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(render(t, Printer{Format: FormatYAML}, Data{Value: tt.value}))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNilValue(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatYAML} {
		var buf bytes.Buffer
		err := Printer{Out: &buf, Format: f}.Print(Data{Table: sampleTable()})
		if !errors.Is(err, errNoValue) {
			t.Errorf("%s: got %v, want %v", f, err, errNoValue)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %q on error", f, buf.String())
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{"table", FormatTable, ""},
		{"json", FormatJSON, ""},
		{"yaml", FormatYAML, ""},
		{"wrapped-json", FormatWrappedJSON, ""},
		{"tabular", FormatTable, ""},
		{"xml", "", `unknown format "xml": use one of table, json, yaml, wrapped-json`},
		{"JSON", "", `unknown format "JSON": use one of table, json, yaml, wrapped-json`},
		{"", "", `unknown format "": use one of table, json, yaml, wrapped-json`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("Formats entry %q does not parse: %v", f, err)
		}
	}
}

func TestPrintUnknownFormat(t *testing.T) {
	err := Printer{Out: &bytes.Buffer{}, Format: "xml"}.Print(sampleData())
	if err == nil || err.Error() != `unknown format "xml": use one of table, json, yaml, wrapped-json` {
		t.Fatalf("got %v", err)
	}
	var buf bytes.Buffer
	if err := (Printer{Out: &buf, Format: "tabular"}).Print(sampleData()); err != nil || buf.Len() == 0 {
		t.Fatalf("tabular: %v, %q", err, buf.String())
	}
}

type resource struct {
	Type       string         `json:"type"`
	APIVersion string         `json:"api_version"`
	Metadata   map[string]any `json:"metadata"`
	Spec       map[string]any `json:"spec"`
}

func TestWrappedJSON(t *testing.T) {
	d := Data{Wrapped: []any{
		resource{"CheckConfig", "core/v2", map[string]any{"name": "check-cpu"}, map[string]any{"command": "check-cpu.sh -w 75 && echo <ok>", "interval": 60}},
		resource{"Asset", "core/v2", map[string]any{"name": "asset-a"}, map[string]any{"url": "https://example.com/a.tar.gz?x=1&y=2"}},
	}}
	got := render(t, Printer{Format: FormatWrappedJSON}, d)
	golden(t, "wrapped.json", got)

	dec := json.NewDecoder(bytes.NewReader(got))
	var types []string
	for dec.More() {
		var r resource
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		types = append(types, r.Type)
	}
	if strings.Join(types, ",") != "CheckConfig,Asset" {
		t.Errorf("read back %v, want [CheckConfig Asset]", types)
	}

	if got := render(t, Printer{Format: FormatWrappedJSON}, Data{Wrapped: []any{}}); len(got) != 0 {
		t.Errorf("empty Wrapped printed %q", got)
	}
}

func TestWrappedJSONUnsupported(t *testing.T) {
	var buf bytes.Buffer
	err := Printer{Out: &buf, Format: FormatWrappedJSON}.Print(sampleData())
	want := "wrapped-json applies to resources; use one of table, json, yaml for this command"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q on error", buf.String())
	}
}

func TestTerminalTable(t *testing.T) {
	plain := render(t, Printer{Format: FormatTable}, sampleData())
	for _, width := range []int{0, 80, 40} {
		got := render(t, Printer{Format: FormatTable, Terminal: true, Width: width}, sampleData())
		if bytes.Equal(got, plain) {
			t.Errorf("width %d: terminal table is identical to the plain one", width)
		}
		if bytes.Contains(got, []byte("\x1b[")) {
			t.Errorf("width %d: terminal table contains an ANSI escape", width)
		}
		// A table fits the width unless a word it must keep whole (IDs, URLs)
		// is wider than its share: at 40 columns the sample cannot fit, and
		// its IDs and URLs stay unbroken instead.
		if width == 40 {
			for _, word := range []string{"8e9e05c52164694d", "91bc3c398fb3c146", "http://localhost:2379,", "http://10.0.0.2:2379"} {
				if !bytes.Contains(got, []byte(word)) {
					t.Errorf("width 40: %q was broken:\n%s", word, got)
				}
			}
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(got), "\n"), "\n") {
			if width > 40 && utf8.RuneCountInString(line) > width {
				t.Errorf("width %d: line is %d wide: %q", width, utf8.RuneCountInString(line), line)
			}
			if strings.HasSuffix(line, " ") {
				t.Errorf("width %d: trailing space in %q", width, line)
			}
		}
	}
}

func TestTables(t *testing.T) {
	tests := []struct {
		name     string
		table    Table
		terminal bool
		want     string
	}{
		{
			name:  "zero rows",
			table: Table{Title: "=== Members", Headers: []string{"ID", "Name"}},
			want:  "=== Members\nID  NAME\n",
		},
		{
			name:     "zero rows terminal",
			table:    Table{Headers: []string{"ID", "Name"}},
			terminal: true,
			want:     "ID │ NAME\n",
		},
		{
			name:  "nothing at all",
			table: Table{},
			want:  "",
		},
		{
			name: "newline, tab and blank cells",
			table: Table{Headers: []string{"Name", "Output", "Status"}, Rows: [][]string{
				{"check-cpu", "CPU OK\nload 0.5\tfine", "0"},
				{"check-disk", "  ", ""},
			}},
			want: "NAME        OUTPUT                STATUS\n" +
				"check-cpu   CPU OK load 0.5 fine  0\n" +
				"check-disk  -                     -\n",
		},
		{
			name: "newline cell terminal",
			table: Table{Headers: []string{"Name", "Output"}, Rows: [][]string{
				{"check-cpu", "CPU OK\nload\t0.5"},
			}},
			terminal: true,
			want: "NAME      │ OUTPUT\n" +
				"──────────┼─────────\n" +
				"check-cpu │ CPU OK\n" +
				"          │ load 0.5\n",
		},
		{
			name:  "no headers",
			table: Table{Rows: [][]string{{"key", "value"}, {"longer key", "v"}}},
			want:  "key         value\nlonger key  v\n",
		},
		{
			name:  "rows without cells",
			table: Table{Title: "=== Empty", Rows: [][]string{{}, {}}},
			want:  "=== Empty\n",
		},
		{
			name:     "rows without cells terminal",
			table:    Table{Rows: [][]string{{}}},
			terminal: true,
			want:     "",
		},
		{
			name:  "title with newline",
			table: Table{Title: "a\nb", Headers: []string{"x"}},
			want:  "a b\nX\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(render(t, Printer{Format: FormatTable, Terminal: tt.terminal}, Data{Table: tt.table}))
			if got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestTableRaggedRow(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		var buf bytes.Buffer
		err := Printer{Out: &buf, Format: FormatTable, Terminal: terminal}.Print(Data{Table: Table{
			Headers: []string{"a", "b"},
			Rows:    [][]string{{"1", "2"}, {"3"}},
		}})
		if err == nil || err.Error() != "output: table row 1 has 1 cells, want 2" {
			t.Errorf("terminal=%v: got %v", terminal, err)
		}
		if buf.Len() != 0 {
			t.Errorf("terminal=%v: wrote %q on error", terminal, buf.String())
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"one two three", 7, "one two\nthree"},
		{"abcdefghij", 4, "abcd\nefgh\nij"},
		{"a\nb c", 10, "a\nb c"},
		{"ab abcdefgh", 4, "ab\nabcd\nefgh"},
	}
	for _, tt := range tests {
		if got := Wrap(tt.in, tt.width); got != tt.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
	if p := New(f, FormatJSON); p.Terminal || p.Width != 0 || p.Out != f || p.Format != FormatJSON {
		t.Errorf("New(file) = %+v", p)
	}
}
