package sensu1redis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeObject(t *testing.T) {
	m, err := decodeObject(`{"timestamp":1699999992,"duration":0.577,"big":12345678901234567890,"a":[1,{"b":null}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]json.Number{"timestamp": "1699999992", "duration": "0.577", "big": "12345678901234567890"} {
		if m[k] != want {
			t.Errorf("%s = %#v, want json.Number %s", k, m[k], want)
		}
	}
	for in, want := range map[string]string{
		"":          "empty value, expected a JSON object",
		"  ":        "empty value, expected a JSON object",
		"null":      "JSON null, expected a JSON object",
		`"x"`:       "a JSON string, expected a JSON object",
		"42":        "a JSON number, expected a JSON object",
		"[]":        "a JSON array, expected a JSON object",
		`{"a":`:     "invalid JSON: truncated",
		`{"a":1}x`:  "invalid JSON: data after the object at byte 7",
		`{"a":1}{}`: "invalid JSON: data after the object at byte 7",
		`{a:1}`:     "invalid JSON at byte 2: invalid character 'a' looking for beginning of object key string",
	} {
		_, err := decodeObject(in)
		if err == nil || err.Error() != want {
			t.Errorf("decodeObject(%q) error %v, want %q", in, err, want)
		}
	}
}

// decodeCorpus are inputs on which the fast parser must agree with
// encoding/json, plus every value of the fixture dump.
var decodeCorpus = []string{
	`{}`, ` { } `, "{}\n", `{"a":1}`, `{"a":-0.5e+10,"b":1E3,"c":0,"d":-0}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`,
	`{"a":1e}`, `{"a":true,"b":false,"c":null}`, `{"a":tru}`, `{"a":truex}`, `{"a":[]}`, `{"a":[1,2,[3,{}]]}`,
	`{"a":[1,]}`, `{"a":1,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":"x\"y\\z\/\b\f\n\r\t"}`, `{"a":"\u00e9\u20AC"}`,
	`{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ude00\ud83d"}`, `{"a":"\ud83dx"}`, `{"a":"\ud83d\u0041"}`,
	`{"a":"\u12"}`, `{"a":"\x41"}`, "{\"a\":\"tab\there\"}", "{\"a\":\"\xff\xfe\"}", "{\"\xc3\":1}", `{"é":"ü"}`,
	`{"a":1,"a":2}`, `{"a":{"a":{"a":{}}}}`, "\ufeff{}", `{"a":1}}`, `[{"a":1}]`, `{"a":"unterminated}`,
	`{"a":"x\`, `{"a":"\q"}`, `{"a":1e5000}`, `{"a":-12.34e-56}`,
}

func fixtureValues(t testing.TB) []string {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "sensu1", "redis_dump.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dump map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &dump); err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, e := range dump {
		var s string
		var h map[string]string
		if json.Unmarshal(e.Value, &s) == nil {
			values = append(values, s)
		} else if json.Unmarshal(e.Value, &h) == nil {
			for _, v := range h {
				values = append(values, v)
			}
		}
	}
	return values
}

// agree checks that parseObject accepts exactly what encoding/json accepts,
// with the same result.
func agree(t *testing.T, in string) {
	t.Helper()
	fast, ok := parseObject(in)
	std, err := decodeObjectStd(in)
	switch {
	case ok && err != nil:
		t.Errorf("%q: fast parser accepts, encoding/json: %v", in, err)
	case !ok && err == nil:
		t.Errorf("%q: fast parser rejects, encoding/json accepts %v", in, std)
	case ok && !reflect.DeepEqual(fast, std):
		t.Errorf("%q: fast %#v, encoding/json %#v", in, fast, std)
	}
}

func TestParseObjectAgrees(t *testing.T) {
	for _, in := range decodeCorpus {
		agree(t, in)
	}
	values := fixtureValues(t)
	if len(values) < 50 {
		t.Fatalf("only %d fixture values", len(values))
	}
	for _, in := range values {
		agree(t, in)
	}
	deep := strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1)
	if _, ok := parseObject(deep); ok {
		t.Errorf("nesting beyond %d accepted", maxDepth)
	}
}

// FuzzParseObject: go test -fuzz FuzzParseObject ./internal/migrate/sensu1redis/
func FuzzParseObject(f *testing.F) {
	for _, in := range decodeCorpus {
		f.Add(in)
	}
	for _, in := range fixtureValues(f) {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) { agree(t, in) })
}
