package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	yamlv2 "go.yaml.in/yaml/v2"
	"gopkg.in/yaml.v3"
)

// sensuDump612 is a real Sensu Go 6.12 sensuctl dump (see testdata/README.md).
const sensuDump612 = "sensugo-6.12-dump-all-namespaces.yaml"

// ambiguousStrings are read as something else than themselves by a YAML 1.1
// or 1.2 reader when written plain.
var ambiguousStrings = []string{
	// ints, with 1.1's base 60, binary, hex, octal, separators and signs
	"0", "1", "-1", "+1", "685230", "+685_230", "1_000", "02472256", "0755", "0_7", "08", "0x_0A_74_AE", "0x1f",
	"0b1010_0111_0100_1010_1110", "0b101", "0o17", "190:20:30", "1:20", "-1:20", "09:30", "52:54:00:12:34:56",
	"00:11:22:33:44:55", "1,000", "1,2,3",
	// floats
	"1.5", "-1.5", "+1.5", ".5", "1.", "1e3", "1E3", "1e+3", "1.0e+3", "6.8523015e+5", "685.230_15e+03", "685_230.15",
	"190:20:30.15", ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "22.04", "12.11", "0.0", ".",
	// bools, 1.1 and 1.2
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
	"on", "On", "ON", "off", "Off", "OFF", "yEs", "oFF",
	// nulls
	"", "~", "null", "Null", "NULL",
	// timestamps
	"2001-12-14", "2002-12-14", "2001-12-15T02:59:43.1Z", "2001-12-14t21:59:43.10-05:00",
	"2001-12-14 21:59:43.10 -5", "2001-12-15 2:59:43.10", "2006-01-02T15:04:05Z", "2001-1-2",
	// merge and value keys
	"<<", "=",
}

// plainStrings are strings to every reader, and are written plain.
var plainStrings = []string{
	"7e:56:74:f3:82:df", "ae:d8:d9:4d:1a:ff", "02:fc:00:00:00:0a", "52:54:00:12:34:5f", "127.0.0.1", "10.0.0.11/24",
	"192.0.2.2", "1.2.3", "6.12.0", "5.15.0-91-generic", "12:60", "1,", "0x", "+.nan", "NaN", "Inf", "yess", "nope",
	"web-01", "x86_64", "amd64", "1a", "1e", "1.e", "<", "<<<", "==", "=x", "52-54-00-12-34-56", "sensu.io/managed_by",
	"check-cpu.sh -w 75 -c 90", "entity.system.os == 'linux'", "1.2.3.4:8080", "123-4567",
}

// realisticEntity is an agent entity as Sensu dumps it, with the values that
// a careless writer gets wrong.
func realisticEntity() OrderedMap {
	iface := func(name, mac string, addrs ...string) map[string]any {
		m := map[string]any{"name": name, "addresses": addrs}
		if mac != "" {
			m["mac"] = mac
		}
		return m
	}
	return OrderedMap{
		{"type", "Entity"},
		{"api_version", "core/v2"},
		{"metadata", map[string]any{"name": "db-01", "namespace": "default", "labels": map[string]string{
			"rack": "12", "zone": "1:20", "enabled": "yes", "since": "2024-03-01", "ratio": "1.5", "mac": "00:50:56:01:02:03",
		}}},
		{"spec", map[string]any{
			"entity_class":        "agent",
			"last_seen":           json.Number("1733300000"),
			"sensu_agent_version": "6.12.0",
			"subscriptions":       []string{"linux", "entity:db-01", "on", "1"},
			"system": map[string]any{
				"arch": "amd64", "hostname": "db-01", "os": "linux", "platform": "ubuntu",
				"platform_family": "debian", "platform_version": "22.04", "libc_type": "glibc",
				"network": map[string]any{"interfaces": []any{
					iface("lo", "", "127.0.0.1/8", "::1/128"),
					iface("eth0", "52:54:00:12:34:56", "10.0.0.11/24", "fe80::5054:ff:fe12:3456/64"),
					iface("eth1", "00:11:22:33:44:55", "192.0.2.7"),
					iface("eth2", "00:1a:2b:3c:4d:5e"),
					iface("ifb0", "7e:56:74:f3:82:df"),
					iface("docker0", "02:42:12:34:56:78", "172.17.0.1/16"),
				}},
				"processes": nil,
			},
			"redact": []string{"password", "api_key"},
		}},
	}
}

// readerCorpus is the dump-shaped documents the readers are checked on.
func readerCorpus(t *testing.T) []any {
	t.Helper()
	var all []string
	all = append(all, ambiguousStrings...)
	all = append(all, plainStrings...)
	all = append(all, trickyStrings...)
	byKey := map[string]string{}
	for _, s := range all {
		byKey[s] = s
	}
	docs := []any{
		OrderedMap{{"type", "Strings"}, {"list", all}, {"map", byKey}},
		realisticEntity(),
	}
	_, dump := readDump(t, sensuDump612)
	docs = append(docs, dump...)
	g := &gen{r: rand.New(rand.NewPCG(612, 1))}
	for range 200 {
		docs = append(docs, map[string]any{"random": g.value(0)})
	}
	return docs
}

// readDump reads a Sensu dump from testdata as generic values.
func readDump(t testing.TB, name string) ([]byte, []any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	return data, docs
}

func writeDocs(docs []any) []byte {
	var out []byte
	for i, d := range docs {
		if i > 0 {
			out = append(out, "---\n"...)
		}
		out = AppendYAML(out, d)
	}
	return out
}

// tagged puts a decoded value in a form that shows every string and the
// kind of everything else: "s:" and the string, "num", "bool", "null", or
// the type; mappings with their keys tagged the same way.
func tagged(v any) any {
	switch t := v.(type) {
	case string:
		return "s:" + t
	case bool:
		return "bool"
	case int, int64, uint64, float64:
		return "num"
	case nil:
		return "null"
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = tagged(x)
		}
		return l
	case map[string]any:
		m := map[string]any{}
		for k, x := range t {
			m["s:"+k] = tagged(x)
		}
		return m
	case map[any]any:
		m := map[string]any{}
		for k, x := range t {
			m[fmt.Sprint(tagged(k))] = tagged(x)
		}
		return m
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// sameStrings reports where got (tagged) does not hold every string of want
// (as given to AppendYAML) as that same string, keys included.
func sameStrings(path string, want, got any) []string {
	mismatch := func() []string { return []string{fmt.Sprintf("%s: wrote %#v, read back %#v", path, want, got)} }
	mapping := func(keys []string, value func(string) any) []string {
		gm, ok := got.(map[string]any)
		if !ok {
			return mismatch()
		}
		var errs []string
		if len(gm) != len(keys) {
			errs = append(errs, fmt.Sprintf("%s: %d keys written, %d read back", path, len(keys), len(gm)))
		}
		for _, k := range keys {
			g, ok := gm["s:"+k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: key %q not read back as that string (keys: %v)", path, k, sortedKeys(gm)))
				continue
			}
			errs = append(errs, sameStrings(path+"."+k, value(k), g)...)
		}
		return errs
	}
	list := func(n int, item func(int) any) []string {
		gl, ok := got.([]any)
		if !ok || len(gl) != n {
			return mismatch()
		}
		var errs []string
		for i := range n {
			errs = append(errs, sameStrings(fmt.Sprintf("%s[%d]", path, i), item(i), gl[i])...)
		}
		return errs
	}
	switch w := want.(type) {
	case string:
		if got != "s:"+w {
			return mismatch()
		}
	case OrderedMap:
		m := map[string]any{}
		var keys []string
		for _, kv := range w {
			m[kv.Key] = kv.Value
			keys = append(keys, kv.Key)
		}
		return mapping(keys, func(k string) any { return m[k] })
	case map[string]any:
		return mapping(sortedMapKeys(w), func(k string) any { return w[k] })
	case map[string]string:
		return mapping(sortedMapKeys(w), func(k string) any { return w[k] })
	case []any:
		return list(len(w), func(i int) any { return w[i] })
	case []string:
		return list(len(w), func(i int) any { return w[i] })
	}
	// Numbers, bools and nulls: not what this checks.
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func reportMismatches(t *testing.T, reader string, errs []string) {
	t.Helper()
	for i, e := range errs {
		if i == 20 {
			t.Errorf("%s: %d more", reader, len(errs)-i)
			break
		}
		t.Errorf("%s: %s", reader, e)
	}
}

// yaml11Plain are the YAML 1.1 type repository's regular expressions
// (yaml.org/type) for what is not a string, with the base-10 float's
// fraction as every reader has it ([0-9_]*, not [0-9.]*), and the
// additions of go-yaml v2's writer (base 60 from 0) and Ruby's Psych
// (any case, commas in numbers, a sign on the year).
var yaml11Plain = func() []*regexp.Regexp {
	var res []*regexp.Regexp
	for _, s := range []string{
		`^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`,
		`^(?:~|null|Null|NULL|)$`,
		`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`,
		`^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`,
		`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`,
		`^<<$`,
		`^=$`,
		`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`,
		`^(?i:yes|true|on|no|false|off|null|\+?\.inf|-\.inf|\.nan)$`,
		`^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t]+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$`,
		`^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$`,
		`^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$`,
	} {
		res = append(res, regexp.MustCompile(s))
	}
	return res
}()

// eachScalar calls f for every scalar of every document of a YAML stream.
func eachScalar(t *testing.T, data []byte, f func(*yaml.Node)) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		walkScalars(&n, f)
	}
}

// walkScalars calls f for every scalar node under n.
func walkScalars(n *yaml.Node, f func(*yaml.Node)) {
	if n.Kind == yaml.ScalarNode {
		f(n)
	}
	for _, c := range n.Content {
		walkScalars(c, f)
	}
}

// pythonWithPyYAML is a python3 that imports yaml, or "".
func pythonWithPyYAML() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import yaml").Run() == nil {
			return path
		}
	}
	return ""
}

// pyyamlTagged reads a YAML stream with PyYAML's SafeLoader, a full YAML 1.1
// reader, and prints its documents as tagged does.
const pyyamlTagged = `
import json, sys, yaml

class Unresolved:
    def __init__(self, tag):
        self.tag = tag
    def __repr__(self):
        return self.tag

# A scalar of a tag the SafeLoader has no constructor for (the value key "="):
# shown as its tag rather than stopping the whole read.
yaml.SafeLoader.add_constructor(None, lambda loader, node: Unresolved(node.tag))

def tagged(x):
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, str):
        return "s:" + x
    if isinstance(x, (int, float)):
        return "num"
    if x is None:
        return "null"
    if isinstance(x, list):
        return [tagged(v) for v in x]
    if isinstance(x, dict):
        return {str(tagged(k)): tagged(v) for k, v in x.items()}
    return type(x).__name__ + ":" + repr(x)

docs = [tagged(d) for d in yaml.load_all(sys.stdin.buffer.read().decode("utf-8"), Loader=yaml.SafeLoader)]
json.dump(docs, sys.stdout)
`

// What AppendYAML writes, YAML 1.2 and 1.1 readers read back: every string
// as the same string, whatever it looks like.
func TestAppendYAMLReadersReadStringsBack(t *testing.T) {
	docs := readerCorpus(t)
	out := writeDocs(docs)

	t.Run("yaml.v3", func(t *testing.T) {
		dec := yaml.NewDecoder(bytes.NewReader(out))
		var errs []string
		for i, d := range docs {
			var back any
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			errs = append(errs, sameStrings(fmt.Sprintf("doc%d", i), d, tagged(back))...)
		}
		reportMismatches(t, "yaml.v3", errs)
	})

	t.Run("go-yaml v2", func(t *testing.T) {
		// go-yaml v2 is the YAML 1.1 reader of Go (and the writer of Sensu
		// Go's dumps), though without base-60 numbers.
		dec := yamlv2.NewDecoder(bytes.NewReader(out))
		var errs []string
		for i, d := range docs {
			var back any
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			errs = append(errs, sameStrings(fmt.Sprintf("doc%d", i), d, tagged(fromV2(back)))...)
		}
		reportMismatches(t, "go-yaml v2", errs)
	})

	t.Run("YAML 1.1 regexps", func(t *testing.T) {
		// Every string written plain is a string by the 1.1 type repository.
		plain := 0
		eachScalar(t, out, func(s *yaml.Node) {
			if s.Style != 0 || s.Tag != "!!str" {
				return
			}
			plain++
			for _, re := range yaml11Plain {
				if re.MatchString(s.Value) {
					t.Errorf("line %d: %q is written plain, but a YAML 1.1 reader resolves it by %s", s.Line, s.Value, re)
					break
				}
			}
		})
		if plain < 1000 {
			t.Errorf("only %d plain strings checked", plain)
		}
	})

	t.Run("PyYAML", func(t *testing.T) {
		py := pythonWithPyYAML()
		if py == "" {
			msg := "PyYAML is missing (python3 -c 'import yaml' fails): install python3-yaml to check the output with a full YAML 1.1 reader"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		cmd := exec.Command(py, "-c", pyyamlTagged)
		cmd.Stdin = bytes.NewReader(out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		res, err := cmd.Output()
		if err != nil {
			t.Fatalf("PyYAML cannot read the output: %v\n%s", err, stderr.String())
		}
		var back []any
		if err := json.Unmarshal(res, &back); err != nil {
			t.Fatal(err)
		}
		if len(back) != len(docs) {
			t.Fatalf("PyYAML read %d documents, want %d", len(back), len(docs))
		}
		var errs []string
		for i, d := range docs {
			errs = append(errs, sameStrings(fmt.Sprintf("doc%d", i), d, back[i])...)
		}
		reportMismatches(t, "PyYAML", errs)
	})
}

// fromV2 turns go-yaml v2's map[interface{}]interface{} into map[any]any
// for tagged.
func fromV2(v any) any {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[any]any, len(t))
		for k, x := range t {
			m[k] = fromV2(x)
		}
		return m
	case []interface{}:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = fromV2(x)
		}
		return l
	case int:
		return int64(t)
	case time.Time:
		return "time:" + t.String() // not a string: tagged shows its type
	}
	return v
}

// ourQuoting is whether AppendYAML writes s as a quoted scalar.
func ourQuoting(s string) bool {
	out := appendString(nil, s)
	return len(out) > 0 && out[0] == '"'
}

// For every string of Sensu Go's own dump, AppendYAML quotes it exactly when
// Sensu Go's writer does (single, double or block style against plain).
func TestAppendYAMLQuotesAsSensuGo(t *testing.T) {
	data, _ := readDump(t, sensuDump612)
	// Where the two differ on purpose: Sensu Go writes these plain.
	ours := map[string]string{
		"::1/128": "a plain scalar that starts with ':' is a Ruby Symbol to Psych: we quote every string that starts with an indicator",
	}
	var strs, quoted, others int
	seen := map[string]bool{}
	eachScalar(t, data, func(s *yaml.Node) {
		if s.Tag != "!!str" {
			// A plain int, bool or null there: as a string, we quote it.
			others++
			if !ourQuoting(s.Value) {
				t.Errorf("line %d: %s %q: as a string it would be written plain", s.Line, s.Tag, s.Value)
			}
			return
		}
		strs++
		theirs := s.Style != 0
		if theirs {
			quoted++
		}
		if ourQuoting(s.Value) == theirs {
			return
		}
		if why, ok := ours[s.Value]; ok {
			seen[s.Value] = true
			if theirs {
				t.Errorf("line %d: %q: Sensu Go quotes it now; drop the exception (%s)", s.Line, s.Value, why)
			}
			return
		}
		t.Errorf("line %d: %q: Sensu Go quoted=%v, we quoted=%v", s.Line, s.Value, theirs, !theirs)
	})
	for s := range ours {
		if !seen[s] {
			t.Errorf("exception %q is no longer needed", s)
		}
	}
	t.Logf("%d strings (%d quoted by Sensu Go), %d other scalars", strs, quoted, others)
	if strs < 1000 || quoted < 40 {
		t.Errorf("only %d strings, %d quoted: not the dump expected", strs, quoted)
	}
	// The cases that started this.
	for s, want := range map[string]bool{"52:54:00:12:34:56": true, "7e:56:74:f3:82:df": false, "22.04": true, "*/5 * * * *": true, "{{ .name }}": true, "1.5": true} {
		if !strings.Contains(string(data), s) {
			t.Errorf("%q is not in the dump", s)
		}
		if ourQuoting(s) != want {
			t.Errorf("%q: quoted %v, want %v", s, !want, want)
		}
	}
}

// The values of the real 6.12 dump: entities with addresses and MACs,
// checks, handlers, RBAC.
func BenchmarkAppendYAMLSensuDump612(b *testing.B) {
	_, docs := readDump(b, sensuDump612)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			buf = AppendYAML(buf[:0], d)
		}
	}
}
