package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	sensures "github.com/sensu-etcd/sensu/internal/resource"
)

// trickyStrings are strings a careless emitter writes plain although a YAML
// reader takes them for something else (or rejects them).
var trickyStrings = []string{
	"", "true", "True", "TRUE", "false", "yes", "no", "Yes", "NO", "on", "off", "y", "n", "Y", "N",
	"null", "Null", "NULL", "~", "1", "-1", "+1", "1.5", "-1.5", ".5", "1.", "1e3", "1E3", "1e+3", "-1e-3",
	"0x1f", "0o17", "0b101", "0755", "1_000", "0", "-0", ".inf", "-.inf", ".nan", ".NaN", "Inf", "NaN",
	"2006-01-02", "2006-01-02T15:04:05Z", "2006-1-2 3:04:05", "127.0.0.1", "1.2.3", "10:20", "1:20:30",
	"- x", "-", "--", "---", "...", "- ", "a: b", "a:b", "a #b", "a#b", "#x", "# x", "@x", "`x", "*x", "&x",
	"!x", "!!str", "%x", "|x", "|", ">x", ">", "'q'", "'", "\"q\"", "\"", "x:", "x: ", "x ", " x", " ",
	"  ", "a  b", "multi\nline", "trailing\n", "\n", "\r\n", "a\rb", "tab\there", "\t", "\tx", "x\t",
	"é", "日本語", "😀", "a\u00a0b", "\u00a0", "\u0085", "a\u0085b", "\u2028", "a\u2029b", "\ufeff",
	"\ufeffx", "\x7f", "a\x7fb", "\u0080", "\u009f", "\uffff", "\ufffe", "\x00", "a\x00b", "\x1b[0m",
	"{a}", "{", "}", "[a]", "[", "]", ",", ",x", "?", "? x", "?x", "key: value", "<<", "=", "$x", "(x)",
	"/path/to", "_x", "a\\b", "\\", "x,y", "a, b", "a [b]", "a {b}", "a - b", "a -b", "a: ", "http://x:80/y",
	"C:\\dir", "sensu.io/managed_by", "check-cpu.sh -w 75 -c 90", "sensu-slack-handler --channel '#monitoring'",
	"%YAML 1.2", "a\n- b", "a\n  b", "a\n\nb", " \n ", strings.Repeat("x", 512), strings.Repeat("x", 513),
	strings.Repeat("a b ", 300), strings.Repeat("long-key-", 130), strings.Repeat("é", 600),
	strings.Repeat("\"", 1100), "end\\", "1 #x", "1 x", "1:", "1: x", "1,2", "0.0.0.0/0", "+x", ".x",
}

// gen builds random JSON-like values.
type gen struct{ r *rand.Rand }

func (g *gen) str() string {
	if g.r.IntN(3) == 0 {
		return trickyStrings[g.r.IntN(len(trickyStrings))]
	}
	pieces := []string{"a", "Z", "x", "_", "0", "1", "9", ".", "-", "+", " ", "  ", ":", ": ", "#", " #", "-", "- ",
		"?", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "\\", "/", "=", "~",
		"\n", "\t", "\r", "é", "😀", "\u0085", "\u2028", "\x7f", "\x00", "\ufeff", "true", "null", "1e3", "0x"}
	var b strings.Builder
	for n := g.r.IntN(8); n > 0; n-- {
		b.WriteString(pieces[g.r.IntN(len(pieces))])
	}
	return b.String()
}

func (g *gen) number() json.Number {
	switch g.r.IntN(5) {
	case 0:
		return json.Number(strconv.FormatInt(g.r.Int64()-math.MaxInt64/2, 10))
	case 1:
		return json.Number(strconv.Itoa(g.r.IntN(200) - 100))
	case 2:
		return json.Number(strconv.FormatFloat(g.r.NormFloat64()*math.Pow(10, float64(g.r.IntN(40)-20)), 'g', -1, 64))
	case 3:
		return json.Number([]string{"0", "-0", "1e3", "1E+2", "-2.5e-3", "0.1", "18446744073709551615", "60"}[g.r.IntN(8)])
	}
	return json.Number(strconv.FormatFloat(g.r.Float64()*1000, 'f', g.r.IntN(4), 64))
}

func (g *gen) scalar() any {
	switch g.r.IntN(12) {
	case 0, 1, 2, 3, 4:
		return g.str()
	case 5, 6:
		return g.number()
	case 7:
		return g.r.IntN(2) == 0
	case 8:
		return nil
	case 9:
		return []any{int(g.r.Int32()), int64(g.r.Int64()), uint32(g.r.Uint32()), uint64(g.r.Uint64())}[g.r.IntN(4)]
	case 10:
		return g.r.NormFloat64() * 1e6
	}
	return ""
}

func (g *gen) keys() []string {
	seen := map[string]bool{}
	var keys []string
	for n := g.r.IntN(6); n > 0; n-- {
		k := g.str()
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func (g *gen) value(depth int) any {
	if depth > 4 {
		return g.scalar()
	}
	switch g.r.IntN(9) {
	case 0, 1:
		m := map[string]any{}
		for _, k := range g.keys() {
			m[k] = g.value(depth + 1)
		}
		return m
	case 2:
		var m OrderedMap
		for _, k := range g.keys() {
			m = append(m, KeyValue{k, g.value(depth + 1)})
		}
		return m
	case 3:
		m := map[string]string{}
		for _, k := range g.keys() {
			m[k] = g.str()
		}
		return m
	case 4, 5:
		l := []any{}
		for n := g.r.IntN(5); n > 0; n-- {
			l = append(l, g.value(depth+1))
		}
		return l
	case 6:
		l := []string{}
		for n := g.r.IntN(4); n > 0; n-- {
			l = append(l, g.str())
		}
		return l
	}
	return g.scalar()
}

// norm puts an emitted value and a decoded one in the same shape: mappings
// as map[string]any, sequences as []any, numbers as exact rationals.
func norm(v any) any {
	num := func(r *big.Rat) any { return "num:" + r.RatString() }
	switch t := v.(type) {
	case OrderedMap:
		m := map[string]any{}
		for _, kv := range t {
			m[kv.Key] = norm(kv.Value)
		}
		return m
	case map[string]any:
		m := map[string]any{}
		for k, x := range t {
			m[k] = norm(x)
		}
		return m
	case map[string]string:
		m := map[string]any{}
		for k, x := range t {
			m[k] = x
		}
		return m
	case map[any]any: // yaml.v3 uses it when a key is not a string: keep the difference visible
		m := map[string]any{}
		for k, x := range t {
			m[fmt.Sprintf("%T:%v", k, k)] = norm(x)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = norm(x)
		}
		return l
	case []string:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = x
		}
		return l
	case json.Number:
		s := string(t)
		if !strings.ContainsAny(s, ".eE") {
			r, ok := new(big.Rat).SetString(s)
			if ok {
				return num(r)
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "bad number " + s
		}
		return num(new(big.Rat).SetFloat64(f))
	case int:
		return num(new(big.Rat).SetInt64(int64(t)))
	case int64:
		return num(new(big.Rat).SetInt64(t))
	case uint32:
		return num(new(big.Rat).SetUint64(uint64(t)))
	case uint64:
		return num(new(big.Rat).SetUint64(t))
	case float64:
		return num(new(big.Rat).SetFloat64(t))
	}
	return v
}

// checkOrder walks v and the node it was emitted as: Go maps must come out
// with sorted keys, OrderedMaps in their own order.
func checkOrder(t *testing.T, v any, n *yaml.Node, path string) {
	t.Helper()
	if n.Kind == yaml.DocumentNode {
		checkOrder(t, v, n.Content[0], path)
		return
	}
	var keys []string
	var values []any
	switch m := v.(type) {
	case OrderedMap:
		for _, kv := range m {
			keys, values = append(keys, kv.Key), append(values, kv.Value)
		}
	case map[string]any:
		keys = sortedMapKeys(m)
		for _, k := range keys {
			values = append(values, m[k])
		}
	case map[string]string:
		keys = sortedMapKeys(m)
		for _, k := range keys {
			values = append(values, m[k])
		}
	case []any:
		for i, x := range m {
			if i < len(n.Content) {
				checkOrder(t, x, n.Content[i], fmt.Sprintf("%s[%d]", path, i))
			}
		}
		return
	default:
		return
	}
	var got []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		got = append(got, n.Content[i].Value)
	}
	if !reflect.DeepEqual(got, keys) && len(keys) > 0 {
		t.Errorf("%s: keys in order %q, want %q", path, got, keys)
		return
	}
	for i, x := range values {
		if 2*i+1 < len(n.Content) {
			checkOrder(t, x, n.Content[2*i+1], path+"."+keys[i])
		}
	}
}

func TestAppendYAMLRoundTripRandom(t *testing.T) {
	const seed = 20260806
	g := &gen{r: rand.New(rand.NewPCG(seed, 1))}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		v := g.value(0)
		out := AppendYAML(nil, v)
		var back any
		if err := yaml.Unmarshal(out, &back); err != nil {
			t.Fatalf("value %d (seed %d): yaml.v3 cannot read the output: %v\nvalue: %#v\noutput:\n%s", i, seed, err, v, out)
		}
		if want, got := norm(v), norm(back); !reflect.DeepEqual(got, want) {
			t.Fatalf("value %d (seed %d) does not round-trip\nvalue: %#v\noutput:\n%s\nread back: %#v", i, seed, v, out, back)
		}
		var node yaml.Node
		if err := yaml.Unmarshal(out, &node); err != nil {
			t.Fatal(err)
		}
		checkOrder(t, v, &node, "$")
		if !bytes.HasSuffix(out, []byte("\n")) {
			t.Fatalf("value %d: output does not end in a newline: %q", i, out)
		}
	}
}

// Every tricky string, as a value, a key, a list item and a map in a list,
// reads back as itself.
func TestAppendYAMLTrickyStrings(t *testing.T) {
	for _, s := range trickyStrings {
		for _, v := range []any{
			s,
			map[string]any{"k": s},
			map[string]any{s: "v"},
			map[string]any{s: []any{s, map[string]any{s: s}}},
			[]any{s, []any{s}},
			[]string{s},
			map[string]string{s: s},
			OrderedMap{{s, map[string]any{"x": s}}},
		} {
			out := AppendYAML(nil, v)
			var back any
			if err := yaml.Unmarshal(out, &back); err != nil {
				t.Errorf("%q in %T: yaml.v3 cannot read %q: %v", s, v, out, err)
				continue
			}
			if !reflect.DeepEqual(norm(back), norm(v)) {
				t.Errorf("%q in %T: output %q reads back as %#v", s, v, out, back)
			}
		}
	}
}

func TestAppendYAMLScalars(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"nil", nil, "null\n"},
		{"empty map", map[string]any{}, "{}\n"},
		{"empty string map", map[string]string{}, "{}\n"},
		{"empty ordered map", OrderedMap{}, "{}\n"},
		{"empty list", []any{}, "[]\n"},
		{"empty string list", []string{}, "[]\n"},
		{"nil list", []any(nil), "[]\n"},
		{"true", true, "true\n"},
		{"false", false, "false\n"},
		{"int", -42, "-42\n"},
		{"int64", int64(math.MinInt64), "-9223372036854775808\n"},
		{"uint32", uint32(math.MaxUint32), "4294967295\n"},
		{"uint64", uint64(math.MaxUint64), "18446744073709551615\n"},
		{"float64", 1.5, "1.5\n"},
		{"json number int", json.Number("60"), "60\n"},
		{"json number exp", json.Number("1e3"), "1e3\n"},
		{"other types as JSON", []int{1, 2}, "[1,2]\n"},
		{"plain word", "check-cpu", "check-cpu\n"},
		{"plain with space", "check-cpu.sh -w 75 -c 90", "check-cpu.sh -w 75 -c 90\n"},
		{"plain ip", "127.0.0.1", "127.0.0.1\n"},
		{"plain version", "1.2.3", "1.2.3\n"},
		{"plain inner hash", "a#b", "a#b\n"},
		{"plain inner colon", "a:b", "a:b\n"},
		{"plain url", "http://x:80/y", "http://x:80/y\n"},
		{"plain label key", "sensu.io/managed_by", "sensu.io/managed_by\n"},
		{"plain quote inside", "--channel '#monitoring'", "\"--channel '#monitoring'\"\n"},
		{"empty", "", "\"\"\n"},
		{"true string", "true", "\"true\"\n"},
		{"yes string", "yes", "\"yes\"\n"},
		{"null string", "null", "\"null\"\n"},
		{"tilde", "~", "\"~\"\n"},
		{"int string", "1", "\"1\"\n"},
		{"float string", "1.5", "\"1.5\"\n"},
		{"exp string", "1e3", "\"1e3\"\n"},
		{"hex string", "0x1f", "\"0x1f\"\n"},
		{"octal string", "0755", "\"0755\"\n"},
		{"date string", "2006-01-02", "\"2006-01-02\"\n"},
		{"dash", "- x", "\"- x\"\n"},
		{"colon space", "a: b", "\"a: b\"\n"},
		{"space hash", "a #b", "\"a #b\"\n"},
		{"leading hash", "#x", "\"#x\"\n"},
		{"alias", "*x", "\"*x\"\n"},
		{"anchor", "&x", "\"&x\"\n"},
		{"tag", "!x", "\"!x\"\n"},
		{"trailing colon", "x:", "\"x:\"\n"},
		{"trailing space", "x ", "\"x \"\n"},
		{"leading space", " x", "\" x\"\n"},
		{"double space", "a  b", "\"a  b\"\n"},
		{"newline", "multi\nline", "\"multi\\nline\"\n"},
		{"tab", "a\tb", "\"a\\tb\"\n"},
		{"quote and backslash", "\"q\\", "\"\\\"q\\\\\"\n"},
		{"unicode kept raw", "é😀", "\"é😀\"\n"},
		{"html not escaped", "<a&b>", "\"<a&b>\"\n"},
		{"nul", "\x00", "\"\\u0000\"\n"},
		{"del", "\x7f", "\"\\u007f\"\n"},
		{"c1 control", "\u0080", "\"\\u0080\"\n"},
		{"next line", "\u0085", "\"\\u0085\"\n"},
		{"line separator", "\u2028", "\"\\u2028\"\n"},
		{"bom", "\ufeff", "\"\\ufeff\"\n"},
		{"non-character", "\uffff", "\"\\uffff\"\n"},
		{"invalid utf-8", "\xff", "\"\\ufffd\"\n"},
		{"long string quoted", strings.Repeat("x", 513), "\"" + strings.Repeat("x", 513) + "\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AppendYAML(nil, tt.value)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendYAMLLayout(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"sorted keys", map[string]any{"b": 1, "a": 2, "C": 3}, "C: 3\na: 2\nb: 1\n"},
		{"sorted string map", map[string]string{"tier": "web", "sensu.io/managed_by": "sensuctl"},
			"sensu.io/managed_by: sensuctl\ntier: web\n"},
		{"ordered map keeps order", OrderedMap{{"type", "X"}, {"api_version", "core/v2"}, {"a", nil}},
			"type: X\napi_version: core/v2\na: null\n"},
		{"nested map indented", map[string]any{"a": map[string]any{"b": map[string]any{"c": 1}}},
			"a:\n  b:\n    c: 1\n"},
		{"list at key indentation", map[string]any{"a": []any{"x", "z"}, "b": 1}, "a:\n- x\n- z\nb: 1\n"},
		{"empty collections inline", map[string]any{"l": []any{}, "m": map[string]any{}, "o": nil},
			"l: []\nm: {}\no: null\n"},
		{"y and n quoted as YAML 1.1 booleans", map[string]any{"y": "n"}, "\"y\": \"n\"\n"},
		{"map in list", []any{map[string]any{"b": 1, "a": 2}, map[string]any{}},
			"- a: 2\n  b: 1\n- {}\n"},
		{"list of maps under key", map[string]any{"k": []any{map[string]any{"x": []any{"w"}, "z": 1}}},
			"k:\n- x:\n  - w\n  z: 1\n"},
		{"list in list", []any{[]any{1, "a"}, []any{}, []string{"b", "c"}},
			"- - 1\n  - a\n- []\n- - b\n  - c\n"},
		{"list in list in map", map[string]any{"k": []any{[]any{[]any{1}}}}, "k:\n- - - 1\n"},
		{"map in map in list", []any{map[string]any{"a": map[string]any{"b": 1}}}, "- a:\n    b: 1\n"},
		{"quoted keys", map[string]any{"": 1, "true": 2, "a: b": 3}, "\"\": 1\n\"a: b\": 3\n\"true\": 2\n"},
		{"long key explicit", map[string]any{strings.Repeat("k", 1200): []any{1}},
			"? \"" + strings.Repeat("k", 1200) + "\"\n:\n- 1\n"},
		{"long key in list", []any{map[string]any{strings.Repeat("k", 1200): map[string]any{"a": 1}}},
			"- ? \"" + strings.Repeat("k", 1200) + "\"\n  :\n    a: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendYAML(nil, tt.value)
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			var back any
			if err := yaml.Unmarshal(got, &back); err != nil {
				t.Errorf("yaml.v3 cannot read it: %v", err)
			} else if !reflect.DeepEqual(norm(back), norm(tt.value)) && !strings.HasPrefix(tt.name, "nil") {
				t.Errorf("reads back as %#v", back)
			}
		})
	}
}

func TestAppendYAMLAppends(t *testing.T) {
	got := AppendYAML([]byte("# head\n"), map[string]any{"a": 1})
	if string(got) != "# head\na: 1\n" {
		t.Errorf("got %q", got)
	}
}

// sensuDump reads a Sensu Go YAML dump back into wrapped values laid out as
// sensuctl dump lays them out.
func sensuDump(t testing.TB, name string) ([]byte, []any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sensu-go", name))
	if err != nil {
		t.Fatal(err)
	}
	var values []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc struct {
			Type       string         `yaml:"type"`
			APIVersion string         `yaml:"api_version"`
			Metadata   map[string]any `yaml:"metadata"`
			Spec       map[string]any `yaml:"spec"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		values = append(values, OrderedMap{{"type", doc.Type}, {"api_version", doc.APIVersion}, {"metadata", doc.Metadata}, {"spec", doc.Spec}})
	}
	if len(values) == 0 {
		t.Fatalf("%s: no documents", name)
	}
	return data, values
}

// AppendYAML of the wrapped check-cpu, built from Sensu's wrapped-json
// output, is byte for byte the first document of Sensu's YAML dump.
func TestAppendYAMLSensuGolden(t *testing.T) {
	dump, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sensu-go", "dump-checks-handlers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(dump), "---\n")

	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sensu-go", "check-list.wrapped.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var w struct {
		Type       string         `json:"type"`
		APIVersion string         `json:"api_version"`
		Metadata   map[string]any `json:"metadata"`
		Spec       map[string]any `json:"spec"`
	}
	if err := dec.Decode(&w); err != nil {
		t.Fatal(err)
	}
	got := AppendYAML(nil, OrderedMap{{"type", w.Type}, {"api_version", w.APIVersion}, {"metadata", w.Metadata}, {"spec", w.Spec}})
	if string(got) != first {
		t.Errorf("from wrapped-json:\n%s\nwant:\n%s", got, first)
	}

	// The same through the resource package: decode, store, wrap.
	d, err := sensures.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := sensures.WrapObject(d.Type, d.Object, sensures.WrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := wrapped.Metadata
	md := map[string]any{"name": m.Name, "namespace": m.Namespace, "labels": m.Labels, "created_by": m.CreatedBy}
	got = AppendYAML(nil, OrderedMap{{"type", wrapped.Type}, {"api_version", wrapped.APIVersion}, {"metadata", md}, {"spec", wrapped.Spec}})
	if string(got) != first {
		t.Errorf("through resource.WrapObject:\n%s\nwant:\n%s", got, first)
	}
}

// A yaml Stream of the four resources of Sensu's dump reproduces the file.
func TestStreamYAMLSensuGolden(t *testing.T) {
	want, values := sensuDump(t, "dump-checks-handlers.yaml")
	var buf bytes.Buffer
	s, err := NewStream(&buf, FormatYAML, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		if err := s.Write(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	if s.Count() != 4 {
		t.Errorf("Count() = %d, want 4", s.Count())
	}
}

func TestStreamFormats(t *testing.T) {
	values := []any{
		OrderedMap{{"type", "Namespace"}, {"spec", map[string]any{"name": "default"}}},
		OrderedMap{{"type", "Namespace"}, {"spec", map[string]any{"name": "a<b&c"}}},
	}
	tests := []struct {
		format  Format
		comment string
		n       int
		want    string
	}{
		{FormatYAML, "dump of x\ntypes: all\n", 2,
			"# dump of x\n# types: all\ntype: Namespace\nspec:\n  name: default\n---\ntype: Namespace\nspec:\n  name: a<b&c\n"},
		{FormatYAML, "", 0, ""},
		{FormatWrappedJSON, "dropped", 2,
			"{\n  \"type\": \"Namespace\",\n  \"spec\": {\n    \"name\": \"default\"\n  }\n}\n" +
				"{\n  \"type\": \"Namespace\",\n  \"spec\": {\n    \"name\": \"a<b&c\"\n  }\n}\n"},
		{FormatWrappedJSON, "", 0, ""},
		{FormatJSON, "dropped", 2,
			"[\n  {\n    \"type\": \"Namespace\",\n    \"spec\": {\n      \"name\": \"default\"\n    }\n  },\n" +
				"  {\n    \"type\": \"Namespace\",\n    \"spec\": {\n      \"name\": \"a<b&c\"\n    }\n  }\n]\n"},
		{FormatJSON, "", 0, "[]\n"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.format, tt.n), func(t *testing.T) {
			var buf bytes.Buffer
			s, err := NewStream(&buf, tt.format, tt.comment)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range values[:tt.n] {
				if err := s.Write(v); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
			if s.Count() != tt.n {
				t.Errorf("Count() = %d, want %d", s.Count(), tt.n)
			}
			// What was written reads back.
			switch tt.format {
			case FormatJSON:
				var back []map[string]any
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back) != tt.n {
					t.Errorf("json array reads back as %d values: %v", len(back), err)
				}
			case FormatWrappedJSON:
				dec := json.NewDecoder(&buf)
				n := 0
				for dec.More() {
					var v map[string]any
					if err := dec.Decode(&v); err != nil {
						t.Fatal(err)
					}
					n++
				}
				if n != tt.n {
					t.Errorf("wrapped-json reads back as %d values, want %d", n, tt.n)
				}
			case FormatYAML:
				dec := yaml.NewDecoder(&buf)
				n := 0
				for {
					var v map[string]any
					if err := dec.Decode(&v); err != nil {
						break
					}
					n++
				}
				if n != tt.n {
					t.Errorf("yaml reads back as %d documents, want %d", n, tt.n)
				}
			}
		})
	}
}

func TestStreamUnknownFormat(t *testing.T) {
	for _, f := range []Format{FormatTable, "xml", ""} {
		_, err := NewStream(&bytes.Buffer{}, f, "")
		if err == nil || !strings.Contains(err.Error(), "yaml, wrapped-json, json") {
			t.Errorf("%q: got %v, want an error listing yaml, wrapped-json, json", f, err)
		}
	}
}

// A stream needs memory for one resource: large dumps write through.
func TestStreamWritesThrough(t *testing.T) {
	var buf bytes.Buffer
	s, err := NewStream(&buf, FormatYAML, "")
	if err != nil {
		t.Fatal(err)
	}
	big := map[string]any{"data": strings.Repeat("x", 400)}
	for range 2000 {
		if err := s.Write(big); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len() == 0 {
		t.Error("nothing written before Close: the stream buffers everything")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "---\n"); got != 1999 {
		t.Errorf("%d separators, want 1999", got)
	}
}

func BenchmarkAppendYAML(b *testing.B) {
	_, values := sensuDump(b, "dump-checks-handlers.yaml")
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range values {
			buf = AppendYAML(buf[:0], v)
		}
	}
}

func TestOrderedMapJSON(t *testing.T) {
	m := OrderedMap{{"z", 1}, {"a", OrderedMap{{"k", "<&>"}}}, {"l", []any{nil, true}}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	// json.Marshal escapes HTML; the order of the entries is kept.
	if want := `{"z":1,"a":{"k":"\u003c\u0026\u003e"},"l":[null,true]}`; string(b) != want {
		t.Errorf("json.Marshal: got %s, want %s", b, want)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	if want := `{"z":1,"a":{"k":"<&>"},"l":[null,true]}` + "\n"; buf.String() != want {
		t.Errorf("encoder without HTML escaping: got %s, want %s", buf.String(), want)
	}
	if _, err := json.Marshal(OrderedMap{{"f", math.Inf(1)}}); err == nil {
		t.Error("an unencodable value is not an error")
	}
}
