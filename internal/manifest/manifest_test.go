package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// docSummary is what a test checks of a split document.
type docSummary struct {
	Index, Line int
	Type, Name  string
}

func summarize(t *testing.T, docs []*Document) []docSummary {
	t.Helper()
	var out []docSummary
	for _, d := range docs {
		var w struct {
			Type     string `json:"type"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(d.JSON, &w); err != nil {
			t.Fatalf("document %d is not JSON: %v\n%s", d.Index, err, d.JSON)
		}
		out = append(out, docSummary{d.Index, d.Line, w.Type, w.Metadata.Name})
	}
	return out
}

const (
	checkYAML = "type: CheckConfig\napi_version: core/v2\nmetadata:\n  name: %s\nspec:\n  command: check.sh\n  interval: 60\n"
	checkJSON = `{"type":"CheckConfig","api_version":"core/v2","metadata":{"name":"%s"},"spec":{"command":"check.sh","interval":60}}`
)

// checkPretty is a check as sensuctl dump --format wrapped-json writes it.
func checkPretty(name string) string {
	var v any
	if err := json.Unmarshal([]byte(fmt.Sprintf(checkJSON, name)), &v); err != nil {
		panic(err)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b) + "\n"
}

func TestSplitForms(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []docSummary
	}{
		{"one yaml document", fmt.Sprintf(checkYAML, "a"),
			[]docSummary{{1, 1, "CheckConfig", "a"}}},
		{"yaml with comments and blank documents",
			"# a dump\n# two lines\n---\n\n---\n# only a comment\n---\n" + fmt.Sprintf(checkYAML, "a") +
				"---\n# leading comment\n\n" + fmt.Sprintf(checkYAML, "b") + "---\n\n---\n",
			[]docSummary{{1, 8, "CheckConfig", "a"}, {2, 18, "CheckConfig", "b"}}},
		{"separator lines with trailing text",
			fmt.Sprintf(checkYAML, "a") + "--- # next\n" + fmt.Sprintf(checkYAML, "b") + "---- x\n" + fmt.Sprintf(checkYAML, "c"),
			[]docSummary{{1, 1, "CheckConfig", "a"}, {2, 9, "CheckConfig", "b"}, {3, 17, "CheckConfig", "c"}}},
		{"indented dashes do not separate",
			"type: Handler\nmetadata:\n  name: h\nspec:\n  type: pipe\n  command: >-\n    a\n    ---\n    b\n",
			[]docSummary{{1, 1, "Handler", "h"}}},
		{"document end marker", fmt.Sprintf(checkYAML, "a") + "...\n",
			[]docSummary{{1, 1, "CheckConfig", "a"}}},
		{"crlf line endings", strings.ReplaceAll(fmt.Sprintf(checkYAML, "a")+"---\n"+fmt.Sprintf(checkYAML, "b"), "\n", "\r\n"),
			[]docSummary{{1, 1, "CheckConfig", "a"}, {2, 9, "CheckConfig", "b"}}},
		{"no trailing newline", strings.TrimSuffix(fmt.Sprintf(checkYAML, "a"), "\n"),
			[]docSummary{{1, 1, "CheckConfig", "a"}}},
		{"wrapped-json concatenated", checkPretty("a") + checkPretty("b") + "\n\n" + checkPretty("c"),
			[]docSummary{{1, 1, "CheckConfig", "a"}, {2, 12, "CheckConfig", "b"}, {3, 25, "CheckConfig", "c"}}},
		{"wrapped-json on one line", fmt.Sprintf(checkJSON, "a") + fmt.Sprintf(checkJSON, "b") + " " + fmt.Sprintf(checkJSON, "c"),
			[]docSummary{{1, 1, "CheckConfig", "a"}, {2, 1, "CheckConfig", "b"}, {3, 1, "CheckConfig", "c"}}},
		{"json after blank lines", "\n\n  " + fmt.Sprintf(checkJSON, "a"),
			[]docSummary{{1, 3, "CheckConfig", "a"}}},
		{"json array", "[\n  " + fmt.Sprintf(checkJSON, "a") + ",\n\n  " + fmt.Sprintf(checkJSON, "b") + "\n]\n",
			[]docSummary{{1, 2, "CheckConfig", "a"}, {2, 4, "CheckConfig", "b"}}},
		{"json array, then an object", "[" + fmt.Sprintf(checkJSON, "a") + "]\n" + fmt.Sprintf(checkJSON, "b"),
			[]docSummary{{1, 1, "CheckConfig", "a"}, {2, 2, "CheckConfig", "b"}}},
		{"empty json array", "[]\n", nil},
		{"yaml, json and an array in one file",
			fmt.Sprintf(checkYAML, "a") + "---\n" + checkPretty("b") + "---\n[" + fmt.Sprintf(checkJSON, "c") + "]\n---\n" + fmt.Sprintf(checkYAML, "d"),
			[]docSummary{{1, 1, "CheckConfig", "a"}, {2, 9, "CheckConfig", "b"}, {3, 21, "CheckConfig", "c"}, {4, 23, "CheckConfig", "d"}}},
		{"json chunk after a comment", "# exported\n" + fmt.Sprintf(checkJSON, "a"),
			[]docSummary{{1, 2, "CheckConfig", "a"}}},
		{"empty", "", nil},
		{"only comments and separators", "# nothing\n---\n   \n---\n#\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Split(Source{Name: "f.yaml", Data: []byte(tt.data)})
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(t, docs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			for _, d := range docs {
				if d.Source != "f.yaml" {
					t.Errorf("document %d: source %q", d.Index, d.Source)
				}
			}
		})
	}
}

// YAML values keep the types YAML gives them once converted to JSON.
func TestSplitYAMLValues(t *testing.T) {
	data := `type: CheckConfig
metadata:
  name: "a"
  labels: {quoted: "60", bool: "true", date: 2006-01-02}
spec:
  command: 'it''s'
  interval: 0x3c
  ttl: 1_000
  timeout: +10
  publish: True
  stdin: false
  proxy_entity_name: ~
  output_metric_format: null
  env_vars: [A=1, "B=2"]
  handlers:
    - slack
    - &h pagerduty
  output_metric_handlers: [*h]
  high_flap_threshold: 6.0e1
  round_robin: FALSE
  subdue:
    text: |
      line 1
      line 2
`
	docs, err := Split(Source{Name: "f.yaml", Data: []byte(data)})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(docs[0].JSON, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type":     "CheckConfig",
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"quoted": "60", "bool": "true", "date": "2006-01-02"}},
		"spec": map[string]any{
			"command": "it's", "interval": 60.0, "ttl": 1000.0, "timeout": 10.0, "publish": true, "stdin": false,
			"proxy_entity_name": nil, "output_metric_format": nil, "env_vars": []any{"A=1", "B=2"},
			"handlers": []any{"slack", "pagerduty"}, "output_metric_handlers": []any{"pagerduty"},
			"high_flap_threshold": 60.0, "round_robin": false, "subdue": map[string]any{"text": "line 1\nline 2\n"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func load(t *testing.T, opts Options, sources ...Source) ([]Item, []string, error) {
	t.Helper()
	return Load(sources, opts)
}

func src(name, data string) Source { return Source{Name: name, Data: []byte(data)} }

var defaults = Options{DefaultNamespace: "default"}

// problems returns the problems of a Load error, failing the test on any
// other error.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var le *Error
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a *manifest.Error", err)
	}
	return le.Problems
}

// TestLoadBadInput is the bad-input matrix: each problem names the file,
// the line, the document and the field.
func TestLoadBadInput(t *testing.T) {
	tests := []struct {
		name    string
		sources []Source
		want    []string // substrings of the single problem, in order
	}{
		{"malformed yaml",
			[]Source{src("bad.yaml", fmt.Sprintf(checkYAML, "a")+"---\ntype: CheckConfig\nmetadata:\n  name: [a\nspec: {}\n")},
			[]string{"bad.yaml:", "invalid YAML"}},
		{"bad indentation",
			[]Source{src("bad.yaml", "type: CheckConfig\nmetadata:\n  name: a\n   namespace: b\nspec: {}\n")},
			[]string{"bad.yaml:4: invalid YAML: mapping values are not allowed"}},
		{"bad indentation in a later document",
			[]Source{src("bad.yaml", fmt.Sprintf(checkYAML, "a")+"---\n"+"type: CheckConfig\nmetadata:\n  name: b\n   namespace: b\nspec: {}\n")},
			[]string{"bad.yaml:12: invalid YAML"}},
		{"tab indentation",
			[]Source{src("bad.yaml", "type: CheckConfig\nmetadata:\n\tname: a\nspec: {}\n")},
			[]string{"bad.yaml:3: invalid YAML"}},
		{"duplicate yaml key",
			[]Source{src("dup.yaml", "type: CheckConfig\nmetadata:\n  name: a\n  name: b\nspec: {}\n")},
			[]string{"dup.yaml:", `duplicate key "name"`}},
		{"duplicate yaml key in a later document",
			[]Source{src("dup.yaml", fmt.Sprintf(checkYAML, "a")+"---\n# c\ntype: CheckConfig\nmetadata:\n  name: a\n  name: b\nspec: {}\n")},
			[]string{"dup.yaml:13: invalid YAML: duplicate key \"name\""}},
		{"infinite number in a later document",
			[]Source{src("inf.yaml", fmt.Sprintf(checkYAML, "a")+"---\ntype: CheckConfig\nmetadata:\n  name: b\nspec:\n  interval: .inf\n")},
			[]string{"inf.yaml:13:", `".inf" is not a finite number`}},
		{"unknown type",
			[]Source{src("t.yaml", "# c\ntype: Check\nmetadata:\n  name: a\nspec: {}\n")},
			[]string{"t.yaml:2: document 1: type: unknown type \"Check\""}},
		{"unknown api_version",
			[]Source{src("t.yaml", "type: CheckConfig\napi_version: core/v3\nmetadata:\n  name: a\nspec: {}\n")},
			[]string{"t.yaml:1: document 1: type: unsupported api_version \"core/v3\""}},
		{"missing spec",
			[]Source{src("s.yaml", fmt.Sprintf(checkYAML, "a")+"---\ntype: Handler\nmetadata:\n  name: h\n")},
			[]string{"s.yaml:9: document 2: spec: no spec provided"}},
		{"invalid name",
			[]Source{src("n.yaml", "type: CheckConfig\nmetadata:\n  namespace: default\n  name: check cpu\nspec:\n  command: x\n  interval: 60\n")},
			[]string{"n.yaml:4: document 1 (CheckConfig default/check cpu): metadata.name: \"check cpu\" cannot contain spaces or special characters"}},
		{"unknown top-level key",
			[]Source{src("k.yaml", "type: CheckConfig\nmetadata:\n  name: a\nkind: Check\nspec: {}\n")},
			[]string{"k.yaml:4: document 1: kind: a wrapped resource has only type, api_version, metadata and spec"}},
		{"unknown metadata key",
			[]Source{src("m.yaml", "type: CheckConfig\nmetadata:\n  name: a\n  namspace: b\nspec:\n  command: x\n  interval: 60\n")},
			[]string{"m.yaml:4: document 1: metadata.namspace: unknown field"}},
		{"wrong field type",
			[]Source{src("w.yaml", "type: CheckConfig\nmetadata:\n  name: a\nspec:\n  command: x\n  interval: sixty\n")},
			[]string{"w.yaml:6: document 1: spec.interval: must be a whole number, not a string"}},
		{"wrong type of a list",
			[]Source{src("w.yaml", "type: CheckConfig\nmetadata:\n  name: a\nspec:\n  command: x\n  interval: 60\n  subscriptions: linux\n")},
			[]string{"w.yaml:7: document 1: spec.subscriptions: must be a list, not a string"}},
		{"quoted number is a string",
			[]Source{src("w.yaml", "type: CheckConfig\nmetadata:\n  name: a\nspec:\n  command: x\n  interval: \"60\"\n")},
			[]string{"w.yaml:6: document 1: spec.interval: must be a whole number, not a string"}},
		{"check_hooks in another shape than Sensu Go's",
			[]Source{src("h.yaml", "type: CheckConfig\nmetadata:\n  name: a\nspec:\n  command: x\n  interval: 60\n  check_hooks:\n  - type: ok\n    hooks: [a]\n")},
			[]string{"h.yaml:4: document 1: spec: check_hooks: {type: ..., hooks: [...]} is not Sensu Go's shape: write each entry as <type>: [hooks], e.g. - critical: [ps-aux]"}},
		{"invalid field in a list",
			[]Source{src("h.yaml", "type: CheckConfig\nmetadata:\n  name: a\nspec:\n  command: x\n  interval: 60\n  subscriptions: [linux, \"\"]\n")},
			[]string{"h.yaml:7: document 1 (CheckConfig default/a): spec.subscriptions[1]: must not be empty"}},
		{"invalid nested field",
			[]Source{src("e.yaml", "type: Event\nspec:\n  entity:\n    entity_class: proxy\n    metadata:\n      name: db-01\n  check:\n    metadata:\n      name: bad name\n")},
			[]string{"e.yaml:9: document 1 (Event default/db-01/bad name): spec.check.metadata.name:"}},
		{"validation error in json",
			[]Source{src("v.json", checkPretty("a")+`{"type":"CheckConfig","metadata":{"name":"b"},"spec":{"command":"x"}}`)},
			[]string{"v.json:12: document 2 (CheckConfig default/b): spec.interval: must be greater than 0"}},
		{"unknown field in json",
			[]Source{src("v.json", `{"type":"CheckConfig","bogus":1,"spec":{}}`)},
			[]string{"v.json:1: document 1: bogus: a wrapped resource has only"}},
		{"json syntax error",
			[]Source{src("j.json", checkPretty("a")+"{\n  \"type\": \"CheckConfig\",\n  \"spec\": {,}\n}\n")},
			[]string{"j.json:14: invalid JSON: invalid character ','"}},
		{"truncated json",
			[]Source{src("j.json", "{\n  \"type\": \"CheckConfig\",\n")},
			[]string{"j.json:3: invalid JSON: unexpected end of JSON input"}},
		{"trailing garbage after json",
			[]Source{src("j.json", fmt.Sprintf(checkJSON, "a")+"\nx\n")},
			[]string{"j.json:2: invalid JSON: invalid character 'x'"}},
		{"json array of scalars",
			[]Source{src("a.json", "[\n  1\n]\n")},
			[]string{"a.json:2: expected a JSON object"}},
		{"json array syntax error",
			[]Source{src("a.json", "[\n  "+fmt.Sprintf(checkJSON, "a")+"\n  "+fmt.Sprintf(checkJSON, "b")+"\n]\n")},
			[]string{"a.json:3: invalid JSON"}},
		{"yaml flow mapping is read as json",
			[]Source{src("f.yaml", "{type: CheckConfig, spec: {}}\n")},
			[]string{"f.yaml:1: invalid JSON"}},
		{"scalar document",
			[]Source{src("s.yaml", fmt.Sprintf(checkYAML, "a")+"---\n\nhello\n")},
			[]string{"s.yaml:10:", `expected a mapping with type, api_version, metadata and spec, found the scalar "hello"`}},
		{"list document",
			[]Source{src("l.yaml", "- type: CheckConfig\n")},
			[]string{"l.yaml:1:", "found a list"}},
		{"duplicate resource across files",
			[]Source{src("a.yaml", fmt.Sprintf(checkYAML, "a")), src("b.yaml", "# again\n"+fmt.Sprintf(checkYAML, "a"))},
			[]string{"b.yaml:2: document 1 (CheckConfig default/a): duplicate of a.yaml:1: document 1"}},
		{"duplicate through the default namespace",
			[]Source{src("a.yaml", fmt.Sprintf(checkYAML, "a")+"---\n"+strings.Replace(fmt.Sprintf(checkYAML, "a"), "metadata:\n", "metadata:\n  namespace: default\n", 1))},
			[]string{"a.yaml:9: document 2 (CheckConfig default/a): duplicate of a.yaml:1: document 1"}},
		{"duplicate between yaml and json",
			[]Source{src("a.yaml", fmt.Sprintf(checkYAML, "a")), src("b.json", checkPretty("a"))},
			[]string{"b.json:1: document 1 (CheckConfig default/a): duplicate of a.yaml:1: document 1"}},
		{"duplicate cluster-wide resource",
			[]Source{src("ns.yaml", "type: Namespace\nspec: {name: a}\n---\ntype: Namespace\nmetadata: {name: a}\nspec: {}\n")},
			[]string{"ns.yaml:4: document 2 (Namespace a): duplicate of ns.yaml:1: document 1"}},
		{"duplicate silenced entry by derived name",
			[]Source{src("s.yaml", "type: Silenced\nspec: {check: c, subscription: s}\n---\ntype: Silenced\nmetadata: {name: \"s:c\"}\nspec: {check: c, subscription: s}\n")},
			[]string{"s.yaml:4: document 2 (Silenced default/s:c): duplicate of s.yaml:1: document 1"}},
		{"cluster-wide resource with a namespace",
			[]Source{src("c.yaml", "type: ClusterRole\nmetadata:\n  name: r\n  namespace: default\nspec:\n  rules: [{verbs: [get], resources: ['*']}]\n")},
			[]string{"c.yaml:4: document 1 (ClusterRole default/r): metadata.namespace: ClusterRole is cluster-wide"}},
		{"user names that differ",
			[]Source{src("u.yaml", "type: User\nmetadata:\n  name: bob\nspec:\n  username: alice\n")},
			[]string{"u.yaml:3: document 1: metadata.name: \"bob\" differs from spec.username \"alice\""}},
		{"stdin",
			[]Source{src(StdinName, "type: Nope\nspec: {}\n")},
			[]string{"stdin:1: document 1: type: unknown type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _, err := Load(tt.sources, defaults)
			if items != nil {
				t.Errorf("items returned with an error: %v", items)
			}
			got := problems(t, err)
			if len(got) != 1 {
				t.Fatalf("%d problems, want 1:\n%s", len(got), strings.Join(got, "\n"))
			}
			rest := got[0]
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("problem %q does not contain %q", got[0], w)
				}
				rest = rest[i+len(w):]
			}
			if !strings.HasPrefix(err.Error(), "1 problem(s) in the input, nothing was written:\n  ") {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestLoadUnknownSpecFieldWarns(t *testing.T) {
	items, warnings, err := Load([]Source{src("w.yaml", "# c\ntype: CheckConfig\nmetadata:\n  name: a\nspec:\n  command: x\n  interval: 60\n  bogus_field: 1\n")}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	want := []string{"w.yaml:2: document 1 (CheckConfig default/a): spec.bogus_field: unknown field, ignored"}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
	// Warnings are kept when something else fails.
	_, warnings, err = Load([]Source{
		src("w.yaml", "type: CheckConfig\nmetadata:\n  name: a\nspec:\n  command: x\n  interval: 60\n  bogus_field: 1\n"),
		src("x.yaml", "type: Nope\nspec: {}\n"),
	}, defaults)
	if len(problems(t, err)) != 1 || len(warnings) != 1 {
		t.Errorf("problems %v, warnings %q", err, warnings)
	}
}

func TestLoadEmpty(t *testing.T) {
	for _, sources := range [][]Source{
		nil,
		{src("e.yaml", "")},
		{src("e.yaml", "\n\n"), src("f.yaml", "# only comments\n---\n---\n")},
		{src("e.json", "[]")},
	} {
		_, _, err := Load(sources, defaults)
		if !errors.Is(err, ErrNoResources) {
			t.Errorf("%d sources: got %v, want ErrNoResources", len(sources), err)
		}
	}
}

// Every problem of every file is reported, in input order.
func TestLoadManyProblems(t *testing.T) {
	_, _, err := Load([]Source{
		src("a.yaml", "type: Nope\nspec: {}\n---\n"+fmt.Sprintf(checkYAML, "ok")+"---\ntype: CheckConfig\nmetadata: {name: x}\nspec: {command: c}\n"),
		src("b.json", "{\"type\":"),
		src("c.yaml", "hello\n"),
	}, defaults)
	got := problems(t, err)
	want := []string{"a.yaml:1: document 1: type", "a.yaml:14: document 3 (CheckConfig default/x): spec.interval", "b.json:1: invalid JSON", "c.yaml:1: expected a mapping"}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %q, want it to start with %q", i, got[i], want[i])
		}
	}
	if !strings.HasPrefix(err.Error(), "4 problem(s) in the input") {
		t.Errorf("error text %q", err)
	}

	var many strings.Builder
	for i := range 25 {
		fmt.Fprintf(&many, "type: CheckConfig\nmetadata: {name: c%d}\nspec: {command: x}\n---\n", i)
	}
	_, _, err = Load([]Source{src("many.yaml", many.String())}, defaults)
	var le *Error
	if !errors.As(err, &le) || len(le.Problems) != 20 || le.More != 5 {
		t.Fatalf("got %v", err)
	}
	if !strings.HasPrefix(err.Error(), "25 problem(s)") || !strings.HasSuffix(err.Error(), "… and 5 more") {
		t.Errorf("error text %q", err)
	}
}

func TestLoadItems(t *testing.T) {
	sources := []Source{
		src("a.yaml", "type: Namespace\nspec:\n  name: team-a\n---\n"+fmt.Sprintf(checkYAML, "a")+
			"---\n"+strings.Replace(fmt.Sprintf(checkYAML, "a"), "metadata:\n", "metadata:\n  namespace: team-a\n", 1)),
		src("b.json", checkPretty("b")+`{"type":"User","spec":{"username":"alice"}}`+"\n"+`{"type":"TessenConfig","spec":{"opt_out":true}}`),
		src(StdinName, "type: Event\nspec:\n  entity: {entity_class: proxy, metadata: {name: db-01}}\n  check: {metadata: {name: check-mysql}}\n"),
	}
	items, warnings, err := Load(sources, Options{DefaultNamespace: "dev", Label: [2]string{resource.ManagedByLabel, "sensuctl"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) > 0 {
		t.Errorf("warnings %q", warnings)
	}
	want := []struct {
		where, kind, key string
		labelled         bool
	}{
		{"a.yaml:1: document 1", "Namespace", "/sensu.io/namespaces/team-a", false},
		{"a.yaml:5: document 2", "CheckConfig", "/sensu.io/checks/dev/a", true},
		{"a.yaml:13: document 3", "CheckConfig", "/sensu.io/checks/team-a/a", true},
		{"b.json:1: document 1", "CheckConfig", "/sensu.io/checks/dev/b", true},
		{"b.json:12: document 2", "User", "/sensu.io/users/alice", false},
		{"b.json:13: document 3", "TessenConfig", "/sensu.io/tessen", false},
		{"stdin:1: document 1", "Event", "/sensu.io/events/dev/db-01/check-mysql", true},
	}
	if len(items) != len(want) {
		t.Fatalf("%d items, want %d", len(items), len(want))
	}
	for i, w := range want {
		it := items[i]
		if it.Where() != w.where || it.Type.Kind != w.kind || it.Key != w.key {
			t.Errorf("item %d: %s %s %s, want %s %s %s", i, it.Where(), it.Type.Kind, it.Key, w.where, w.kind, w.key)
		}
		labels := it.Object.Meta().Labels
		if got := labels[resource.ManagedByLabel] == "sensuctl"; got != w.labelled {
			t.Errorf("item %d (%s): labels %v", i, w.kind, labels)
		}
		if it.Key != it.Type.KeyOf(it.Object) {
			t.Errorf("item %d: Key %s, KeyOf %s", i, it.Key, it.Type.KeyOf(it.Object))
		}
	}
	// Labels already there are kept.
	items, _, err = Load([]Source{src("l.yaml", "type: Handler\nmetadata:\n  name: h\n  labels: {tier: web}\nspec: {type: set}\n")},
		Options{DefaultNamespace: "default", Label: [2]string{resource.ManagedByLabel, "sensuctl"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := items[0].Object.Meta().Labels, map[string]string{"tier": "web", resource.ManagedByLabel: "sensuctl"}; !reflect.DeepEqual(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}
	// Without Label nothing is stamped.
	items, _, err = Load([]Source{src("l.yaml", "type: Handler\nmetadata:\n  name: h\nspec: {type: set}\n")}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	if got := items[0].Object.Meta().Labels; got != nil {
		t.Errorf("labels %v without Options.Label", got)
	}
}

// Sensu's own dumps load as they are.
func TestLoadSensuSamples(t *testing.T) {
	tests := []struct {
		file  string
		kinds []string
	}{
		{"dump-checks-handlers.yaml", []string{"CheckConfig", "CheckConfig", "Handler", "Handler"}},
		{"check-info.yaml", []string{"CheckConfig"}},
		{"check-list.wrapped.json", []string{"CheckConfig"}},
		{"entity-list.wrapped.json", []string{"Entity"}},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sensu-go", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		items, warnings, err := Load([]Source{{Name: tt.file, Data: data}}, defaults)
		if err != nil || len(warnings) > 0 {
			t.Fatalf("%s: %v, warnings %q", tt.file, err, warnings)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Type.Kind)
		}
		if !slices.Equal(got, tt.kinds) {
			t.Errorf("%s: %v, want %v", tt.file, got, tt.kinds)
		}
	}
}

// YAML and JSON forms of one resource decode to the same object.
func TestLoadYAMLEqualsJSON(t *testing.T) {
	y := `type: Handler
api_version: core/v2
metadata:
  name: slack
  labels:
    sensu.io/managed_by: sensuctl
spec:
  command: sensu-slack-handler --channel '#monitoring'
  env_vars: null
  filters:
  - is_incident
  - not_silenced
  handlers: []
  timeout: 30
  type: pipe
  socket: {host: 127.0.0.1, port: 4444}
`
	j := `{"type":"Handler","api_version":"core/v2","metadata":{"name":"slack","labels":{"sensu.io/managed_by":"sensuctl"}},
"spec":{"command":"sensu-slack-handler --channel '#monitoring'","env_vars":null,"filters":["is_incident","not_silenced"],"handlers":[],"timeout":30,"type":"pipe","socket":{"host":"127.0.0.1","port":4444}}}`
	a, _, err := Load([]Source{src("h.yaml", y)}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := Load([]Source{src("h.json", j)}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a[0].Object, b[0].Object) {
		t.Errorf("yaml %+v\njson %+v", a[0].Object, b[0].Object)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func names(dir string, sources []Source) []string {
	var out []string
	for _, s := range sources {
		if rel, err := filepath.Rel(dir, s.Name); err == nil && !strings.HasPrefix(rel, "..") {
			out = append(out, filepath.ToSlash(rel))
		} else {
			out = append(out, s.Name)
		}
	}
	return out
}

func TestReadPaths(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b.yaml":             "b",
		"a.yml":              "a",
		"c.json":             "c",
		"D.YAML":             "D",
		"notes.txt":          "notes",
		"README.md":          "readme",
		"yaml":               "no extension",
		".hidden.yaml":       "hidden",
		"sub/e.yaml":         "e",
		"sub/deeper/f.json":  "f",
		"sub/.hidden/g.yaml": "g",
		".git/config.yaml":   "git",
		"only-sub/x/h.yaml":  "h",
		"empty/.keep":        "",
	})
	tests := []struct {
		name      string
		paths     []string
		recursive bool
		want      []string
		err       string
	}{
		{"directory", []string{dir}, false, []string{"D.YAML", "a.yml", "b.yaml", "c.json"}, ""},
		{"directory recursive", []string{dir}, true,
			[]string{"D.YAML", "a.yml", "b.yaml", "c.json", "only-sub/x/h.yaml", "sub/deeper/f.json", "sub/e.yaml"}, ""},
		{"file of any name", []string{filepath.Join(dir, "notes.txt"), filepath.Join(dir, ".hidden.yaml")}, false,
			[]string{"notes.txt", ".hidden.yaml"}, ""},
		{"argument order kept", []string{filepath.Join(dir, "sub"), filepath.Join(dir, "a.yml")}, false, []string{"sub/e.yaml", "a.yml"}, ""},
		{"same file twice", []string{filepath.Join(dir, "a.yml"), filepath.Join(dir, "a.yml")}, false, []string{"a.yml", "a.yml"}, ""},
		{"stdin", []string{"-"}, false, []string{"stdin"}, ""},
		{"stdin among files", []string{filepath.Join(dir, "c.json"), "-"}, false, []string{"c.json", "stdin"}, ""},
		{"missing file", []string{filepath.Join(dir, "nope.yaml")}, false, nil, "cannot read " + filepath.Join(dir, "nope.yaml") + ": no such file or directory"},
		{"empty directory", []string{filepath.Join(dir, "empty")}, false, nil, "no .yaml, .yml or .json files found (subdirectories need -r)"},
		{"files only in subdirectories", []string{filepath.Join(dir, "only-sub")}, false, nil, "subdirectories need -r"},
		{"empty directory recursive", []string{filepath.Join(dir, "empty")}, true, nil, "no .yaml, .yml or .json files found"},
		{"hidden directory given", []string{filepath.Join(dir, ".git")}, false, []string{".git/config.yaml"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sources, err := ReadPaths(tt.paths, tt.recursive, strings.NewReader("from stdin"))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(dir, sources); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, s := range sources {
				want := strings.TrimSuffix(filepath.Base(s.Name), filepath.Ext(s.Name))
				switch {
				case s.Name == StdinName:
					want = "from stdin"
				case filepath.Base(s.Name) == "notes.txt":
					want = "notes"
				case filepath.Base(s.Name) == ".hidden.yaml":
					want = "hidden"
				case filepath.Base(s.Name) == "config.yaml":
					want = "git"
				}
				if string(s.Data) != want {
					t.Errorf("%s: data %q, want %q", s.Name, s.Data, want)
				}
			}
		})
	}
	if _, err := ReadPaths([]string{"-"}, false, iotest.ErrReader(io.ErrClosedPipe)); err == nil || !strings.Contains(err.Error(), "cannot read stdin") {
		t.Errorf("stdin read error: %v", err)
	}
	if sources, err := ReadPaths(nil, false, nil); err != nil || len(sources) != 0 {
		t.Errorf("no paths: %v, %v", sources, err)
	}
}

// ReadPaths and Load together: a directory of files, with problems named
// by path.
func TestReadPathsThenLoad(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"01-namespaces.yaml": "type: Namespace\nspec: {name: team-a}\n",
		"02-checks.yaml":     fmt.Sprintf(checkYAML, "a") + "---\n" + fmt.Sprintf(checkYAML, "b"),
		"sub/03.json":        checkPretty("c"),
	})
	sources, err := ReadPaths([]string{dir}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	items, _, err := Load(sources, defaults)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, filepath.Base(it.Doc.Source)+" "+resource.StoreName(it.Object))
	}
	if want := []string{"01-namespaces.yaml team-a", "02-checks.yaml a", "02-checks.yaml b", "03.json c"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}

	writeFiles(t, dir, map[string]string{"sub/04.yaml": fmt.Sprintf(checkYAML, "b")})
	sources, err = ReadPaths([]string{dir}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Load(sources, defaults)
	p := problems(t, err)
	want := filepath.Join(dir, "sub", "04.yaml") + ":1: document 1 (CheckConfig default/b): duplicate of " + filepath.Join(dir, "02-checks.yaml") + ":9: document 2"
	if len(p) != 1 || !strings.HasPrefix(p[0], want) {
		t.Errorf("got %q, want %q", p, want)
	}
}

// TestLoadBoundedInput: hostile input is refused quickly, naming the
// limit, and before anything would be written: nested aliases (a "billion
// laughs" of 461 bytes that would expand to 387 million values), nesting
// 10,000 deep, a 2 MiB value and a 1 MiB name.
func TestLoadBoundedInput(t *testing.T) {
	laughs := "type: CheckConfig\nmetadata:\n  name: bomb\nspec:\n  command: x\n  interval: 60\n  bomb:\n" +
		"    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		laughs += "    " + n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 9), ", ") + "]\n"
		prev = n
	}
	for _, tc := range []struct{ name, data, want string }{
		{"aliases", laughs, "expands too many aliases"},
		{"nesting", "type: CheckConfig\nmetadata:\n  name: deep\nspec:\n  command: x\n  interval: 60\n  deep: " +
			strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n", "nested too deeply"},
		{"value", "type: CheckConfig\nmetadata:\n  name: big\nspec:\n  command: " + strings.Repeat("x", 2<<20) + "\n  interval: 60\n",
			"more than one etcd request carries (1.5 MiB"},
		{"json value", `{"type":"CheckConfig","metadata":{"name":"big"},"spec":{"command":"` + strings.Repeat("x", 2<<20) + `","interval":60}}`,
			"more than one etcd request carries (1.5 MiB"},
		{"yaml document", "type: CheckConfig\nmetadata:\n  name: big\nspec:\n  command: " + strings.Repeat("x", 7<<20) + "\n",
			"a YAML document of 7.0 MiB"},
		{"name", "type: CheckConfig\nmetadata:\n  name: " + strings.Repeat("n", 1<<20) + "\nspec:\n  command: x\n  interval: 60\n",
			"is 1048576 bytes long: a name is at most 1024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, _, err := Load([]Source{src("in.yaml", tc.data)}, Options{DefaultNamespace: "default"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %.300v, want one containing %q", err, tc.want)
			}
			if len(err.Error()) > 1000 {
				t.Errorf("the error is %d bytes long: it should stay readable", len(err.Error()))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refused after %v", d)
			}
		})
	}
}
