package manifest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fuzzSeeds are documents for FuzzFastYAML to start from: the shapes of
// resource files, inputs the fast path once read differently from yaml.v3,
// and scalars near the edges of what it reads itself. Inputs the fuzzer
// found are kept in testdata/fuzz/FuzzFastYAML.
var fuzzSeeds = []string{
	// Wrapped resources.
	"type: CheckConfig\napi_version: core/v2\nmetadata:\n  name: check-cpu\n  namespace: default\n  labels:\n    sensu.io/managed_by: sensuctl\n  annotations:\n    runbook: https://wiki.example.com/cpu\nspec:\n  command: check-cpu.sh -w 75 -c 90\n  interval: 60\n  publish: true\n  handlers:\n  - slack\n  subscriptions:\n    - linux\n  proxy_entity_name: \"\"\n  stdin: false\n  subdue: null\n  pipelines: []\n  timeout: 0\n",
	"type: CheckConfig\napi_version: core/v2\nmetadata:\n  name: check-disk\nspec:\n  command: check-disk -w 80 -c 90\n  check_hooks:\n  - critical: [a, b]\n  - \"1\": [a]\n  - warning:\n    - ps-aux\n  - non-zero:\n      - x\n",
	"type: Handler\napi_version: core/v2\nmetadata:\n  name: slack\n  namespace: team-a\nspec:\n  type: pipe\n  command: sensu-slack-handler --channel '#alerts'\n  env_vars:\n  - SLACK_WEBHOOK_URL=https://hooks.example.org/x\n  filters: [is_incident]\n  timeout: 30\n",
	"# a dump\n\ntype: Namespace\napi_version: core/v2\nmetadata: {}\nspec:\n  name: production\n",
	"type: Entity\r\napi_version: core/v2\r\nmetadata:\r\n  name: web-01\r\nspec:\r\n  entity_class: agent\r\n  system:\r\n    network:\r\n      interfaces:\r\n        - addresses:\r\n            - ::1/128\r\n            - fe80::42:94ff:fe52:b179/64\r\n          mac: 02:42:42:13:db:56\r\n          name: eth0\r\n",
	benchEntity,
	// Inputs the fast path once accepted and yaml.v3 refuses.
	"a: \"\\ud83d\\ude00\"\n",
	"a: \"\\ud800\"\n",
	strings.Repeat("k", 1025) + ": v\n",
	strings.Repeat("k", 1024) + ": v\n",
	"a:\n- " + strings.Repeat("k", 1025) + ": v\n",
	"a: 1\n# x\rb: 2\n",
	"a: 1\n# x\u2028b: 2\n",
	"a: 1\n# x\u0085b: 2\n",
	"a: 1\n# x\ufeff\n",
	"a: 1\n# \x01\n",
	"a: 1\n# \xff\n",
	"a: 1\n\x00",
	nested(62), nested(63), nested(64),
	// Tricky scalars.
	"a: \"\\u00e9\\t\\\"\\\\\\/\"\n",
	"a: \"\\x41\\U0001F600\\N\\_\\L\\P\\e\\0\\a\\v\\ \"\n",
	"a: 'it''s'\nb: ''\nc: \"\"\nd: '\\'\n",
	"a: -5\nb: 0\nc: -0\nd: 007\ne: +1\nf: 9223372036854775807\ng: 9223372036854775808\nh: -9223372036854775808\ni: 18446744073709551616\n",
	"a: 1.5\nb: .5\nc: 1e3\nd: .inf\ne: -.Inf\nf: .NaN\ng: 0x1F\nh: 0o17\ni: 0b101\nj: 1_000\nk: 2006-01-02\nl: 1e999\n",
	"a: ~\nb: null\nc: Null\nd: NULL\ne: nUll\nf: true\ng: True\nh: TRUE\ni: tRue\nj: yes\nk: on\nl: y\nm: <<\n",
	"a: ::1/128\nb: ?x\nc: -x\nd: a:b\ne: a#b\nf: a #b\ng: x:\nh: :\ni: ?\nj: -\nk: --- x\nl: ... x\n",
	"a: é\nb: \"é😀\"\nc: 'ü'\nd: a\u00a0b\ne: \u2028\n",
	"a: x   \nb:   y\nc:\n",
	"-x: 1\na:b: 2\na#b: 3\n\"q\": 4\n'r': 5\n<<: 6\n",
	"a: [1, 2]\nb: {c: d}\nc: []\nd: {}\ne: [ ]\n",
	"a: |\n  text\nb: >-\n  folded\n",
	"a: &x 1\nb: *x\nc: !!str 2\n",
	"? a\n: b\n",
	"a: b\na: c\n",
	"a:\n  b: 1\n c: 2\n",
	"a:\n  - b\n  -\n  - - c\n",
	"a:\n- b: 1\n  c:\n  - d\n- e\n",
	"a:\n\t- b\n",
	"a:\tb\n",
	"%YAML 1.2\n---\na: 1\n",
	"a: 1\n...\n",
	"\ufeffa: 1\n",
	"a: b\n  # comment\nc: d\n",
	"a:\n  # comment\n  b: 1\n# dedented\n  c: 2\n",
	"a: 1\r\n\r\nb: 2\r",
	// yaml.v3 looks at most 512 characters ahead for comments.
	"a:\n  b: 1\n#c\n" + strings.Repeat("\n", 600) + "  #d\n" + strings.Repeat(" ", 600) + "#e\n  c: 2\n#" + strings.Repeat("x", 600) + "\nd:\n- x\n" + strings.Repeat(" ", 513) + "#f\n- y\n",
	"a: 1\rb: 2\n",
}

// nested is a mapping n levels deep with a scalar below.
func nested(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%sa%d:\n", strings.Repeat(" ", i), i)
	}
	fmt.Fprintf(&b, "%s- x\n", strings.Repeat(" ", n))
	return b.String()
}

// seedFiles adds every YAML document of the repository's sample files.
func seedFiles(f *testing.F) {
	for _, pattern := range []string{"../../testdata/sensu-go/*.yaml", "../../testdata/sensu-go/*/*.yaml", "../../testdata/resources/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			for _, c := range splitChunks(data) {
				if _, at := firstContent(c.data); at >= 0 {
					f.Add(c.data)
				}
			}
		}
	}
}

// yamlv3Docs is the reference: the documents yaml.v3 alone reads from data,
// as the loader converts them, or the error it refuses the input with.
// panicked reports yaml.v3 panicking (the error says with what).
func yamlv3Docs(data []byte) (docs []*Document, panicked bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			docs, panicked, err = nil, true, fmt.Errorf("yaml.v3 panicked: %v", r)
		}
	}()
	docs, err = splitYAML("fuzz", chunk{data: data, line: 1})
	return docs, false, err
}

// FuzzFastYAML checks the fast path against yaml.v3: what it accepts yaml.v3
// accepts too, with the same value and line, and the loader's conversion of
// a YAML chunk (the fast path, else yaml.v3) decides exactly as yaml.v3
// alone does.
func FuzzFastYAML(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	seedFiles(f)
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		f.Add(randomDoc(r))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkAgainstYAMLv3(t, data) })
}

// checkAgainstYAMLv3 fails t unless the fast path reads data as yaml.v3
// does, or gives up, and the loader decides as yaml.v3 alone does. It
// reports whether the fast path read data.
func checkAgainstYAMLv3(t *testing.T, data []byte) bool {
	t.Helper()
	slow, panicked, slowErr := yamlv3Docs(data)
	fast, line, ok := fastYAMLToJSON(data)
	if ok {
		if slowErr != nil {
			t.Fatalf("the fast path accepted what yaml.v3 refuses (%v):\n%.2000q\nfast: %.2000s", slowErr, data, fast)
		}
		if len(slow) != 1 {
			t.Fatalf("the fast path read one document, yaml.v3 %d:\n%q", len(slow), data)
		}
		if got, want := decodeJSON(t, fast), decodeJSON(t, slow[0].JSON); !reflect.DeepEqual(got, want) {
			t.Fatalf("the fast path differs from yaml.v3 for:\n%q\nfast:    %s\nyaml.v3: %s", data, fast, slow[0].JSON)
		}
		if line != slow[0].Line {
			t.Fatalf("the fast path starts the document on line %d, yaml.v3 on %d:\n%q", line, slow[0].Line, data)
		}
	}
	if panicked {
		return ok // yaml.v3's own bug: the loader panics too
	}
	if first, at := firstContent(data); at < 0 || first == '{' || first == '[' {
		return ok // not a YAML chunk for the loader
	}
	docs, err := parseChunk("fuzz", chunk{data: data, line: 1})
	if (err == nil) != (slowErr == nil) {
		t.Fatalf("the loader's error %v, yaml.v3's %v, for:\n%q", err, slowErr, data)
	}
	if err != nil {
		if err.Error() != slowErr.Error() {
			t.Fatalf("the loader's error %q, yaml.v3's %q, for:\n%q", err, slowErr, data)
		}
		return ok
	}
	if len(docs) != len(slow) {
		t.Fatalf("the loader read %d documents, yaml.v3 %d, from:\n%q", len(docs), len(slow), data)
	}
	for i := range docs {
		if got, want := decodeJSON(t, docs[i].JSON), decodeJSON(t, slow[i].JSON); !reflect.DeepEqual(got, want) {
			t.Fatalf("the loader differs from yaml.v3 for:\n%q\nloader:  %s\nyaml.v3: %s", data, docs[i].JSON, slow[i].JSON)
		}
		if docs[i].Line != slow[i].Line {
			t.Fatalf("the loader starts document %d on line %d, yaml.v3 on %d:\n%q", i+1, docs[i].Line, slow[i].Line, data)
		}
	}
	return ok
}

// docGen writes random block YAML documents from pieces near the edges of
// what the fast path reads: tricky keys and scalars, indentless and
// indented sequences, mappings in sequences, comments and blank lines at
// any indentation, trailing spaces, CR LF, and now and then a line one
// column off.
type docGen struct {
	r    *rand.Rand
	b    strings.Builder
	eol  string
	dash bool // the next line starts a mapping in a sequence item
}

// Keys and scalars: those the fast path reads first, then the rest.
var genKeys = []string{
	"a", "b", "c", "type", "spec", "metadata", "name", "-x", "a:b", "a#b", "1", "true", "null", "~", "k k", "x:", "a,b", "-",
	"a #b", "<<", "a b ", `"q"`, "'s'", "é", "?x", ":x", "a\tb", "#c", "[a]", "{a}", "&x", "*x", "!t",
}

var genScalars = []string{
	"x", "x y", "-5", "0", "-9223372036854775808", "9223372036854775807", "~", "null", "NULL", "nuLL", "true",
	"False", "yes", "on", "<<", "::1/128", "-x", "?x", ":x", "a:b", "a#b", `""`, "''", `"a\"b"`, `"\u00e9\t\n"`,
	"'it''s'", "é", `"é"`, "'é'", "{}", "[]", "a  b", "\u00a0", "\U0001F600", "1:2", "12:30:00", "_1", "1e", "x\r", "--- x", "... x", "-:x",
	"0.",
	"-0", "007", "1.5", "1e3", ".5", "+1", "9223372036854775808",
	"a: b", "a #b", "x:", `"\ud800"`, `"\uDC00"`,
	`"\ud83d\ude00"`, `"\/"`, `"\x41"`, `"\U0001F600"`, `"\0"`, "'a'b'", "'a''", "[a]", "{a: b}", "[ ]", "&x 1",
	"*x", "!!str 1", "|", ">", "|\n  text", "2006-01-02", ".inf", "-.Inf", ".nan", "x # c", "x #c", "- x", "-", "?",
	":", "'", `"`, `"\"`, `"x" y`, "'x' y", "\u0085", "\u2028", "\ufeff", "\ufffe", "\x01", "\x7f", "\xff",
	"\xed\xa0\x80", "\t", "x\ty", "x\ry", "@x", "`x", "%x", ",x", "0x1F", "1_000",
	"0o17", "0b1", "-.5", "+.5", "0e0", "-0.0", "1__0",
}

// goodKeys and goodScalars count the leading pieces of genKeys and
// genScalars that the fast path reads.
const goodKeys, goodScalars = 18, 42

func (g *docGen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// pickMostlyGood picks among the first good pieces of s nine times in ten.
func (g *docGen) pickMostlyGood(s []string, good int) string {
	if g.r.IntN(10) > 0 {
		return s[g.r.IntN(good)]
	}
	return g.pick(s)
}

func (g *docGen) key() string {
	switch g.r.IntN(40) {
	case 0:
		return strings.Repeat("k", 1023+g.r.IntN(3))
	case 1:
		return g.pick(genScalars)
	}
	return g.pickMostlyGood(genKeys, goodKeys)
}

func (g *docGen) line(indent int, text string) {
	switch g.r.IntN(100) {
	case 0:
		indent++
	case 1:
		if indent > 0 {
			indent--
		}
	}
	if g.dash {
		g.dash = false
		indent -= 2
		text = "- " + text
	}
	g.b.WriteString(strings.Repeat(" ", max(indent, 0)))
	g.b.WriteString(text)
	if g.r.IntN(15) == 0 {
		g.b.WriteString("   ")
	}
	g.b.WriteString(g.eol)
	switch g.r.IntN(12) {
	case 0:
		g.b.WriteString(g.eol)
	case 1:
		g.b.WriteString(strings.Repeat(" ", g.r.IntN(indent+3)) + "#" + g.pick([]string{"", " c", " é", " \t", " a: b", "#", " - x"}) + g.eol)
	}
}

func (g *docGen) mapping(indent, depth int) {
	for range 1 + g.r.IntN(4) {
		g.value(indent, g.key()+":", depth, true)
	}
}

// value writes head ("key:" or "-") and a value.
func (g *docGen) value(indent int, head string, depth int, isKey bool) {
	n := 4
	if depth >= 4 {
		n = 2
	}
	switch g.r.IntN(n) {
	case 0:
		g.line(indent, head+" "+g.pickMostlyGood(genScalars, goodScalars))
	case 1:
		g.line(indent, head)
	case 2:
		g.line(indent, head)
		g.mapping(indent+1+g.r.IntN(4), depth+1)
	case 3:
		g.line(indent, head)
		in := indent + 2
		if isKey && g.r.IntN(2) == 0 {
			in = indent
		}
		g.sequence(in, depth+1)
	}
}

func (g *docGen) sequence(indent, depth int) {
	for range 1 + g.r.IntN(3) {
		switch g.r.IntN(20) {
		case 0, 1, 2, 3, 4, 5, 6, 7:
			g.line(indent, "- "+g.pickMostlyGood(genScalars, goodScalars))
		case 8:
			g.line(indent, g.pick([]string{"-", "- - x", "-  x", "- # c"}))
		default:
			g.dash = true
			g.mapping(indent+2, depth+1)
		}
	}
}

// randomDoc is a random block mapping.
func randomDoc(r *rand.Rand) []byte {
	g := docGen{r: r, eol: "\n"}
	if r.IntN(5) == 0 {
		g.eol = "\r\n"
	}
	g.mapping(0, 0)
	return []byte(g.b.String())
}
