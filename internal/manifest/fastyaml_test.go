package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// slowYAMLToJSON is the reference: yaml.v3 nodes, then nodeJSON.
func slowYAMLToJSON(t *testing.T, data []byte) (any, bool) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil, false
	}
	var buf bytes.Buffer
	if err := nodeJSON(&buf, doc.Content[0], 0); err != nil {
		return nil, false
	}
	return decodeJSON(t, buf.Bytes()), true
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return v
}

// checkSame asserts that whenever the fast path accepts a document, it
// means what yaml.v3 reads, and reports whether it accepted it.
func checkSame(t *testing.T, doc string) bool {
	t.Helper()
	fast, _, ok := fastYAMLToJSON([]byte(doc))
	if !ok {
		return false
	}
	slow, slowOK := slowYAMLToJSON(t, []byte(doc))
	if !slowOK {
		t.Errorf("fast path accepted what yaml.v3 rejects:\n%s\nfast: %s", doc, fast)
		return true
	}
	if got := decodeJSON(t, fast); !reflect.DeepEqual(got, slow) {
		t.Errorf("fast path differs from yaml.v3 for:\n%s\nfast: %#v\nslow: %#v", doc, got, slow)
	}
	return true
}

func TestFastYAMLMatchesYAMLv3(t *testing.T) {
	accepted := []string{
		"type: CheckConfig\nspec:\n  interval: 60\n  handlers:\n  - a\n  - b\n  subdue: null\n  x: {}\n  y: []\n",
		"a:\n  - name: eth0\n    addresses:\n    - 10.0.0.1/16\n    mac: 02:00:00:00:00:01\n  - name: lo\nb: ok\n",
		"# comment\na: 'it''s'\nb: \"q\\\"x\\u00e9\\n\"\nc: -5\nd: 0\ne: true\nf: False\ng: ~\nh:\ni: entity:db-01\n",
		"a: check-cpu.sh -w 75 -c 90\nb: sensu-slack-handler --channel '#monitoring'\nc: a#b\nd: yes\ne: on\n",
		"a:\n    deep:\n        deeper: 1\n    other: x\n",
		"k: v   \n\n\nl: w\n",
		"a: \"é\"\nb: é 😀\nc: 'ü'\n# café\r\nd: 1\r\n",
		strings.Repeat("k", 1024) + ": v\n",
		nested(63),
	}
	for _, doc := range accepted {
		if !checkSame(t, doc) {
			t.Errorf("fast path gave up on a simple document:\n%s", doc)
		}
	}
	// Each of these must go to yaml.v3, which either reads something the
	// fast path does not handle or reports the error with its line.
	rejected := []string{
		"a: 1.5\n", "a: 0755\n", "a: 0x1f\n", "a: 1e3\n", "a: 2006-01-02\n", "a: .inf\n",
		"a: b # comment\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n", "a: >\n  text\n",
		"a: [1, 2]\n", "a: {b: c}\n", "? a\n: b\n", "a: b\na: c\n", "\"a\": b\n", "a: b\n  continued\n",
		"a:\n\t- b\n", "- a\n- b\n", "a: \"unclosed\n  rest\"\n", "a: b: c\n", "a:\n  - - x\n", "a:\n  -\n",
		"a: \"\\x41\"\n", "a: \"\\/\"\n", "<<: {}\n", "a: -\n", "a: @x\n", "a:\n  b: 1\n c: 2\n",
		// yaml.v3 refuses these.
		"a: \"\\ud83d\\ude00\"\n", "a: \"\\ud800\"\n", "a: \"\\uDFFF\"\n", strings.Repeat("k", 1025) + ": v\n",
		"a:\n- " + strings.Repeat("k", 1025) + ": v\n", "a: 1\n# \x01\n", "a: 1\n# \xff\n", "a: 1\n# \x7f\n",
		"a: \xed\xa0\x80\n", "a: \u0085\n", "a: '\xc2\x80'\n", "a: \"\uffff\"\n", nested(64),
		// yaml.v3 reads CR, NEL, LS and PS as line breaks, in comments too.
		"a: 1\n# x\rb: 2\n", "a: 1\n# x\u2028b: 2\n", "a: 1\n# x\u0085b: 2\n", "a: b\rc: d\n", "a: b\u2029\n",
		"# c\r\ra: 1\n", "a: 1\n\ufeffb: 2\n", "a: 1\n# x\ufeffb: 2\n",
	}
	for _, doc := range rejected {
		if _, _, ok := fastYAMLToJSON([]byte(doc)); ok {
			checkSame(t, doc)
			t.Errorf("fast path accepted a document it should leave to yaml.v3:\n%s", doc)
		}
	}
}

// TestFastYAMLRandomScalars compares both readers on many plain and quoted
// scalars: whatever the fast path accepts must mean the same.
func TestFastYAMLRandomScalars(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := "ab01-_.:/ #'\"+eExo9 \\@,[]{}~!&*|>%?="
	for range 20000 {
		n := 1 + r.IntN(8)
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		for _, form := range []string{"k: %s\n", "k:\n- %s\n", "k:\n  - %s\n", "k: \"%s\"\n", "k: '%s'\n", "%s: v\n"} {
			checkSame(t, fmt.Sprintf(form, b.String()))
		}
	}
}

func TestFastYAMLOnSamples(t *testing.T) {
	for _, f := range []string{"../../testdata/sensu-go/dump-checks-handlers.yaml", "../../testdata/sensu-go/check-info.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range splitChunks(data) {
			if _, at := firstContent(c.data); at < 0 {
				continue
			}
			if !checkSame(t, string(c.data)) {
				t.Errorf("%s: the fast path gave up on a Sensu dump document:\n%s", f, c.data)
			}
		}
	}
}

// benchEntity is an agent entity as a dump writes it: nested mappings,
// sequences of mappings, IPv6 addresses and MAC addresses.
const benchEntity = `type: Entity
api_version: core/v2
metadata:
  labels:
    env: production
    fqdn: web-00042.production.example.com
    region: eu-west-1
  name: web-00042.production.example.com
  namespace: production
spec:
  deregister: false
  deregistration: {}
  entity_class: agent
  last_seen: 1754000000
  redact:
    - password
    - api_key
    - secret
  sensu_agent_version: 6.12.0
  subscriptions:
    - linux
    - entity:web-00042.production.example.com
  system:
    arch: amd64
    hostname: web-00042
    network:
      interfaces:
        - addresses:
            - 127.0.0.1/8
            - ::1/128
          name: lo
        - addresses:
            - 10.10.0.2/16
            - fe80::42:94ff:fe52:b179/64
          mac: 02:42:42:13:db:56
          name: eth0
    os: linux
    platform: debian
    platform_version: "12.6"
    processes: null
  user: agent
`

// benchDocs are documents the fast path accepts: the Sensu dump samples and
// benchEntity.
func benchDocs(b *testing.B) ([][]byte, int64) {
	docs := [][]byte{[]byte(benchEntity)}
	for _, f := range []string{"../../testdata/sensu-go/dump-checks-handlers.yaml", "../../testdata/sensu-go/check-info.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range splitChunks(data) {
			if _, at := firstContent(c.data); at >= 0 {
				docs = append(docs, c.data)
			}
		}
	}
	var n int64
	for _, d := range docs {
		if _, _, ok := fastYAMLToJSON(d); !ok {
			b.Fatalf("the fast path gave up on:\n%s", d)
		}
		n += int64(len(d))
	}
	return docs, n
}

func BenchmarkFastYAML(b *testing.B) {
	docs, n := benchDocs(b)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			fastYAMLToJSON(d)
		}
	}
}

// BenchmarkYAMLv3 is the same documents through yaml.v3, for comparison.
func BenchmarkYAMLv3(b *testing.B) {
	docs, n := benchDocs(b)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			if _, err := splitYAML("bench", chunk{data: d, line: 1}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParseChunksFile converts every chunk of the file named by
// $FASTYAML_BENCH_FILE (for example the output of bench/resgen) as Load
// does, whichever path each chunk takes.
func BenchmarkParseChunksFile(b *testing.B) {
	name := os.Getenv("FASTYAML_BENCH_FILE")
	if name == "" {
		b.Skip("FASTYAML_BENCH_FILE is not set")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	chunks := splitChunks(data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range chunks {
			if _, err := parseChunk(name, c); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestFastYAMLRandomDocuments compares the fast path and the loader with
// yaml.v3 on random documents (see docGen).
func TestFastYAMLRandomDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	accepted, n := 0, 5000
	for range n {
		if checkAgainstYAMLv3(t, randomDoc(r)) {
			accepted++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("the fast path read %d of %d random documents", accepted, n)
	if accepted < n/20 {
		t.Errorf("the fast path read only %d of %d random documents", accepted, n)
	}
}

// TestFastYAMLDepth compares both readers around nodeJSON's depth limit:
// chains of mappings, some of them in one-item sequences, ending in a
// scalar, {} or null at a depth of 60 to 67.
func TestFastYAMLDepth(t *testing.T) {
	accepted := 0
	for depth := 60; depth <= 67; depth++ {
		for _, seqEvery := range []int{0, 2, 3} {
			for _, leaf := range []string{" x", " {}", ""} {
				var b strings.Builder
				b.WriteString("k0:")
				col, level := 0, 1
				for level < depth {
					if seqEvery > 0 && level%seqEvery == 0 && level+1 < depth {
						fmt.Fprintf(&b, "\n%s- k%d:", strings.Repeat(" ", col+2), level)
						col, level = col+4, level+2
					} else {
						fmt.Fprintf(&b, "\n%sk%d:", strings.Repeat(" ", col+2), level)
						col, level = col+2, level+1
					}
				}
				b.WriteString(leaf + "\n")
				doc := b.String()
				ok := checkAgainstYAMLv3(t, []byte(doc))
				if ok {
					accepted++
				}
				if _, err := splitYAML("x", chunk{data: []byte(doc), line: 1}); err == nil && !ok {
					t.Errorf("the fast path gave up on a document yaml.v3 reads:\n%s", doc)
				}
			}
		}
	}
	if accepted == 0 {
		t.Error("the fast path read none of the documents")
	}
}
