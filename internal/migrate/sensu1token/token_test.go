package sensu1token

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// testClient is the client scope the table cases run against.
const testClient = `{
 "name": "web-01",
 "address": "10.0.1.11",
 "subscriptions": ["linux", "webserver"],
 "environment": "production",
 "disk": {"warning": 75, "critical": 85.0, "ratio": 0.5, "big": 1e16, "tiny": 0.00001, "neg": -0.0,
          "huge": 123456789012345678901234567890},
 "flags": {"on": true, "off": false},
 "empty": "",
 "nothing": null,
 "quote": "say \"hi\" {{x}}",
 "tags": ["a", 1, null, 2.5, {"k": "v"}],
 "obj": {},
 "keepalive": {"thresholds": {"warning": 60}},
 "mysql": {"password": "s3cr:t|x"},
 "a:b": "colon"
}`

func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

// entityData is the Sensu Go entity of a 1.x client: labels from Flatten,
// the client's name and subscriptions.
func entityData(t testing.TB, client map[string]any) map[string]any {
	t.Helper()
	labels, _ := Flatten(client)
	e := &resource.Entity{EntityClass: "agent"}
	e.Metadata = resource.ObjectMeta{Name: client["name"].(string), Namespace: "default", Labels: labels}
	if subs, ok := client["subscriptions"].([]any); ok {
		for _, s := range subs {
			e.Subscriptions = append(e.Subscriptions, s.(string))
		}
	}
	data, err := EntityData(e)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tokenCase is a string of a 1.x check. ruby and unmatched are what Sensu
// 1.x's substitute_tokens gives for testClient (each case was run through
// the Ruby code of lib/sensu/utilities.rb, Sensu 1.9). Unless deviates, the
// translated template renders the same in Sensu Go, or is unmatched when
// 1.x is; a deviating case gives goOut (or an unmatched token: goUnmatched).
type tokenCase struct {
	name        string
	in          string
	ruby        string
	unmatched   []string
	deviates    bool
	goOut       string
	goUnmatched bool
	problems    int
}

var tokenCases = []tokenCase{
	{name: "fixture check-disk", in: `check-disk-usage.rb -w :::disk.warning|80::: -c :::disk.critical|90:::`, ruby: `check-disk-usage.rb -w 75 -c 85.0`},
	{name: "name", in: `metrics-cpu.rb --scheme :::name:::.cpu`, ruby: `metrics-cpu.rb --scheme web-01.cpu`},
	{name: "address", in: `check-ping.rb -h :::address::: -c 5`, ruby: `check-ping.rb -h 10.0.1.11 -c 5`},
	{name: "missing with default", in: `-w :::missing|80:::`, ruby: `-w 80`},
	{name: "missing without default", in: `-w :::missing:::`, ruby: `-w `, unmatched: []string{`missing`}},
	{name: "empty default", in: `[:::missing|:::]`, ruby: `[]`},
	{name: "default with pipe spaces quotes braces", in: ":::missing|a|b c \"q\" }} {{ \\ `x`:::", ruby: "a|b c \"q\" }} {{ \\ `x`"},
	{name: "adjacent tokens", in: `:::name::::::address:::`, ruby: `web-0110.0.1.11`},
	{name: "four colons before", in: `::::name:::`, ruby: `:web-01`},
	{name: "four colons after", in: `:::name::::`, ruby: `web-01:`},
	{name: "inside a word", in: `x:::name:::y`, ruby: `xweb-01y`},
	{name: "literal template in command", in: `echo '{{ .name }}' :::name:::`, ruby: `echo '{{ .name }}' web-01`},
	{name: "brace before token", in: `{:::name:::}`, ruby: `{web-01}`},
	{name: "braces around token", in: `{{{:::name:::}}}`, ruby: `{{{web-01}}}`},
	{name: "brace runs", in: `a{b{{c}}d{{{e :::name::: {{`, ruby: `a{b{{c}}d{{{e web-01 {{`},
	{name: "bools", in: `:::flags.on::: :::flags.off|true:::`, ruby: `true false`},
	{name: "numbers", in: `:::disk.ratio::: :::disk.big::: :::disk.tiny::: :::disk.neg::: :::disk.huge:::`, ruby: `0.5 1.0e+16 1.0e-05 -0.0 123456789012345678901234567890`},
	{name: "empty string value with default", in: `[:::empty|dflt:::]`, ruby: `[]`},
	{name: "null with default", in: `:::nothing|d:::`, ruby: `d`},
	{name: "null without default", in: `:::nothing:::`, ruby: ``, unmatched: []string{`nothing`}},
	{name: "hash with default", in: `:::disk|d:::`, ruby: `d`},
	{name: "hash without default", in: `:::disk:::`, ruby: ``, unmatched: []string{`disk`}},
	{name: "empty hash", in: `:::obj|d:::`, ruby: `d`},
	{name: "path below name", in: `:::name.first|x:::`, ruby: `web-01`},
	{name: "path below address", in: `:::address.x.y:::`, ruby: `10.0.1.11`},
	{name: "trailing dot", in: `:::disk.warning.|1:::`, ruby: `75`},
	{name: "empty path with default", in: `:::|d:::`, ruby: `d`},
	{name: "dot path", in: `:::.:::`, ruby: ``, unmatched: []string{`.`}, problems: 1},
	{name: "dots path with default", in: `:::..|d:::`, ruby: `d`},
	{name: "colon in path", in: `:::a:b:::`, ruby: `colon`},
	{name: "nested default", in: `:::missing|:::name::::::`, ruby: `name::::::`},
	{name: "nested default 2", in: `:::missing|:::name:::|x:::`, ruby: `namex`},
	{name: "08 token-in-integer-attribute", in: `:::interval|60:::`, ruby: `60`},
	{name: "spaces in path", in: `::: name :::`, ruby: ``, unmatched: []string{` name `}},
	{name: "empty segment", in: `:::a..b|z:::`, ruby: `z`},
	{name: "closing braces", in: `a }} b :::name::: }}`, ruby: `a }} b web-01 }}`},
	{name: "template in default", in: `:::missing|{{ .name }}:::`, ruby: `{{ .name }}`},
	{name: "value with quotes and braces", in: `:::quote:::`, ruby: `say "hi" {{x}}`},
	{name: "value with colon and pipe", in: `:::mysql.password:::`, ruby: `s3cr:t|x`},
	{name: "filter eval", in: `eval: value > :::check.occurrences|60:::`, ruby: `eval: value > 60`},
	{name: "six colons", in: `::::::`, ruby: `::::::`},
	{name: "nine colons", in: `:::::::::`, ruby: `:::::::::`},
	{name: "colon runs", in: `: :: ::: :::: ::::: :::x`, ruby: `: :: : ::x`, unmatched: []string{` `}},
	{name: "overlapping", in: `:::name:::name:::name:::`, ruby: `web-01nameweb-01`},
	{name: "newlines", in: ":::a\nb::: :::\na::: ::::x::: :::y::::::z::: x:::a:b:::y", ruby: ":::a\nb\na:xy::: xcolony", unmatched: []string{` `, `z`}},
	{name: "token across lines", in: "line1\n:::name:::\n:::missing|d\n:::", ruby: "line1\nweb-01\n:::missing|d\n:::"},

	// Documented deviations.
	{name: "array setting", in: `:::subscriptions:::`, ruby: `["linux", "webserver"]`, deviates: true, goUnmatched: true, problems: 1},
	{name: "excluded setting", in: `:::keepalive.thresholds.warning|120:::`, ruby: `60`, deviates: true, goOut: `120`, problems: 1},
	{name: "array attribute", in: `:::tags:::`, ruby: `["a", 1, nil, 2.5, {:k=>"v"}]`, deviates: true, goUnmatched: true},
	{name: "path below a scalar", in: `:::disk.warning.x|1:::`, ruby: `75`, deviates: true, goOut: `1`},
	{name: "non-ASCII", in: `échø :::name:::`, ruby: `ch web-01`, deviates: true, goOut: `échø web-01`, problems: 1},
	{name: "no value text", in: `<no value> :::name:::`, ruby: `<no value> web-01`, deviates: true, goUnmatched: true, problems: 1},
}

func TestSubstituteTranslateRender(t *testing.T) {
	client := decodeJSON(t, testClient)
	data := entityData(t, client)
	for _, c := range tokenCases {
		t.Run(c.name, func(t *testing.T) {
			got, unmatched := Substitute(c.in, client)
			if got != c.ruby || !slices.Equal(unmatched, c.unmatched) {
				t.Errorf("Substitute(%q) = %q, %q; 1.x gives %q, %q", c.in, got, unmatched, c.ruby, c.unmatched)
			}
			tmpl, problems := Translate(c.in)
			if len(problems) != c.problems {
				t.Errorf("Translate(%q) problems = %q, want %d", c.in, problems, c.problems)
			}
			wantOut, wantUnmatched := c.ruby, len(c.unmatched) > 0
			if c.deviates {
				wantOut, wantUnmatched = c.goOut, c.goUnmatched
			}
			out, err := Render(tmpl, data)
			switch {
			case wantUnmatched:
				if !errors.Is(err, ErrUnmatched) {
					t.Errorf("Render(%q) = %q, %v; want an unmatched token", tmpl, out, err)
				}
			case err != nil:
				t.Errorf("Render(%q): %v", tmpl, err)
			case out != wantOut:
				t.Errorf("Render(Translate(%q)) = Render(%q) = %q, want %q", c.in, tmpl, out, wantOut)
			}
		})
	}
}

func TestTranslateShapes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`no tokens at all`, `no tokens at all`},
		{`:::name:::`, `{{ .name }}`},
		{`:::name|x:::`, `{{ .name | default "x" }}`},
		{`:::name.first:::`, `{{ .name }}`},
		{`-h :::address:::`, `-h {{ index .labels "address" }}`},
		{`:::address.x|y:::`, `{{ index .labels "address" | default "y" }}`},
		{`-w :::disk.warning|80:::`, `-w {{ index .labels "disk.warning" | default "80" }}`},
		{`:::disk.warning.:::`, `{{ index .labels "disk.warning" }}`},
		{`:::a..b:::`, `{{ index .labels "a..b" }}`},
		{`:::x|a|b "c" \ }}:::`, `{{ index .labels "x" | default "a|b \"c\" \\ }}" }}`},
		{`:::x|:::`, `{{ index .labels "x" | default "" }}`},
		{`[:::|d:::]`, `[d]`},
		{`:::|{{:::`, `{{ "{{" }}`},
		{`:::.:::`, `{{ index .labels "" }}`},
		{`::: a b :::`, `{{ index .labels " a b " }}`},
		{`echo {{x}} }}`, `echo {{ "{{" }}x}} }}`},
		{`{:::name:::}`, `{{ "{" }}{{ .name }}}`},
		{`a{b {{{c`, `a{b {{ "{{{" }}c`},
		{`{`, `{`},
		{`:::subscriptions|none:::`, `{{ index .labels "subscriptions" | default "none" }}`},
		{`::::::`, `::::::`},
	} {
		if got, _ := Translate(c.in); got != c.want {
			t.Errorf("Translate(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTranslateProblems(t *testing.T) {
	_, problems := Translate(`:::socket.port|3030::: :::name::: :::signature::: :::custom:::`)
	want := []string{
		`:::socket.port|3030:::: "socket" is a 1.x client setting, not a custom attribute, so it is no label: the translated token gets its default or is unmatched`,
		`:::signature:::: "signature" is a 1.x client setting, not a custom attribute, so it is no label: the translated token gets its default or is unmatched`,
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems = %q\nwant %q", problems, want)
	}
	if _, problems := Translate("check-disk -w :::disk.warning|80:::"); problems != nil {
		t.Errorf("problems for a plain custom attribute: %q", problems)
	}
}

func TestTokens(t *testing.T) {
	toks := Tokens(`a :::disk.warning|80|x::: b :::name::: :::.:::`)
	want := []Token{
		{Raw: `:::disk.warning|80|x:::`, Start: 2, End: 25, Text: "disk.warning", Path: []string{"disk", "warning"}, Default: "80|x", HasDefault: true},
		{Raw: `:::name:::`, Start: 28, End: 38, Text: "name", Path: []string{"name"}},
		{Raw: `:::.:::`, Start: 39, End: 46, Text: ".", Path: []string{}},
	}
	if len(toks) != len(want) {
		t.Fatalf("Tokens = %+v", toks)
	}
	for i := range want {
		g, w := toks[i], want[i]
		if g.Raw != w.Raw || g.Start != w.Start || g.End != w.End || g.Text != w.Text ||
			!slices.Equal(g.Path, w.Path) || g.Default != w.Default || g.HasDefault != w.HasDefault {
			t.Errorf("token %d = %+v, want %+v", i, g, w)
		}
	}
	if k := toks[0].Key(); k != "disk.warning" {
		t.Errorf("Key = %q", k)
	}
}

func TestFlatten(t *testing.T) {
	client := decodeJSON(t, testClient)
	client["deregister"] = true
	client["safe_mode"] = false
	client["x.y"] = "dotted"
	client["n"] = map[string]any{"": 1, "int": 42, "list": []string{"a"}}
	labels, skipped := Flatten(client)
	wantLabels := map[string]string{
		"address":        "10.0.1.11",
		"environment":    "production",
		"disk.warning":   "75",
		"disk.critical":  "85.0",
		"disk.ratio":     "0.5",
		"disk.big":       "1.0e+16",
		"disk.tiny":      "1.0e-05",
		"disk.neg":       "-0.0",
		"disk.huge":      "123456789012345678901234567890",
		"flags.on":       "true",
		"flags.off":      "false",
		"empty":          "",
		"quote":          `say "hi" {{x}}`,
		"mysql.password": "s3cr:t|x",
		"a:b":            "colon",
		"n.int":          "42",
	}
	if len(labels) != len(wantLabels) {
		t.Errorf("labels = %q\nwant %q", labels, wantLabels)
	}
	for k, v := range wantLabels {
		if labels[k] != v {
			t.Errorf("label %q = %q, want %q", k, labels[k], v)
		}
	}
	wantSkipped := []Skipped{
		{"n.", reasonEmptyKey},
		{"n.list", reasonArray},
		{"nothing", reasonNull},
		{"obj", reasonEmptyMap},
		{"tags", reasonArray},
		{"x.y", reasonDotKey},
	}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped = %q\nwant %q", skipped, wantSkipped)
	}
}

func TestRubyFormats(t *testing.T) {
	// Float#to_s as printed by Ruby.
	for f, want := range map[float64]string{
		80.0: "80.0", 0.5: "0.5", 1e16: "1.0e+16", 1e15: "1.0e+15", 2e15: "2.0e+15", 1e14: "100000000000000.0",
		999999999999999.9: "999999999999999.9", 1000000000000001.0: "1.000000000000001e+15",
		0.0001: "0.0001", 0.00015: "0.00015", 0.00001: "1.0e-05", 9.999e-5: "9.999e-05", 2.5e-5: "2.5e-05",
		1.5e300: "1.5e+300", 123456789.123: "123456789.123", 12345678901234567.0: "1.2345678901234568e+16",
		0: "0.0", math.Copysign(0, -1): "-0.0", math.Inf(1): "Infinity", math.Inf(-1): "-Infinity",
	} {
		if got := rubyFloat(f); got != want {
			t.Errorf("rubyFloat(%v) = %q, want %q", f, got, want)
		}
	}
	// JSON numbers as Ruby's parser reads them.
	for n, want := range map[json.Number]string{
		"1e2": "100.0", "1E2": "100.0", "10": "10", "-0": "0", "1.0e+2": "100.0",
		"12345678901234567890123": "12345678901234567890123", "1.7976931348623157e309": "Infinity",
	} {
		if got := rubyNumber(n); got != want {
			t.Errorf("rubyNumber(%s) = %q, want %q", n, got, want)
		}
	}
	// Go integers are Ruby Integers, a float64 a Float.
	for v, want := range map[any]string{int64(-3): "-3", uint8(7): "7", 80.0: "80.0", true: "true"} {
		if got, _ := rubyToS(v); got != want {
			t.Errorf("rubyToS(%#v) = %q, want %q", v, got, want)
		}
	}
	// Array#inspect.
	arr := []any{"a\"b\\c\n\t\u0001\u007f#{x}#$y#@z#a é", json.Number("1"), json.Number("1.5"), nil, true,
		map[string]any{"k": json.Number("1"), "a b": json.Number("2"), "x?": json.Number("3"), "": json.Number("8")}, []any{}}
	want := `["a\"b\\c\n\t\u0001\u007F\#{x}\#$y\#@z#a é", 1, 1.5, nil, true, {:""=>8, :"a b"=>2, :k=>1, :x?=>3}, []]`
	if got := rubyInspect(arr); got != want {
		t.Errorf("rubyInspect = %s\nwant        %s", got, want)
	}
}

func TestRender(t *testing.T) {
	data := map[string]any{
		"name":   "e1",
		"labels": map[string]string{"x": "1", "empty": ""},
		"system": map[string]any{"hostname": "h1"},
	}
	for _, c := range []struct{ tmpl, want string }{
		{`{{ .name }} {{ .system.hostname }}`, "e1 h1"},
		{`{{ index .labels "x" | default "d" }}`, "1"},
		{`{{ index .labels "y" | default "d" }}`, "d"},
		{`[{{ index .labels "empty" | default "d" }}]`, "[]"},
		{`{{ "{{" }}`, "{{"},
	} {
		got, err := Render(c.tmpl, data)
		if err != nil || got != c.want {
			t.Errorf("Render(%q) = %q, %v; want %q", c.tmpl, got, err, c.want)
		}
	}
	if _, err := Render(`{{ index .labels "y" }}`, data); !errors.Is(err, ErrUnmatched) {
		t.Errorf("missing label: err = %v, want ErrUnmatched", err)
	}
	if _, err := Render(`{{ .nope.deeper }}`, data); !errors.Is(err, ErrUnmatched) {
		t.Errorf("missing field: err = %v, want ErrUnmatched", err)
	}
	if _, err := Render(`{{ .name `, data); err == nil || errors.Is(err, ErrUnmatched) {
		t.Errorf("bad template: err = %v", err)
	}
}

func TestEntityData(t *testing.T) {
	e := &resource.Entity{EntityClass: "proxy", Subscriptions: []string{"entity:sw1"}, LastSeen: 1700000000}
	e.Metadata = resource.ObjectMeta{Name: "sw1", Namespace: "default"}
	e.System.Hostname = "sw1.example.com"
	data, err := EntityData(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Render(`{{ .name }} {{ .namespace }} {{ .entity_class }} {{ .system.hostname }} {{ .last_seen }} {{ index .subscriptions 0 }} [{{ index .labels "x" | default "none" }}]`, data)
	if want := "sw1 default proxy sw1.example.com 1700000000 entity:sw1 [none]"; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if _, ok := data["metadata"]; ok {
		t.Error("metadata is not lifted")
	}
}

// faithful reports whether 1.x resolves t in client the way a label lookup
// can: not through an array, and not past a scalar (but name and address,
// whose walks Translate cuts short as 1.x does).
func faithful(t Token, client map[string]any) bool {
	if len(t.Path) > 0 && (t.Path[0] == "name" || t.Path[0] == "address") {
		return true
	}
	tree := client
	for i, seg := range t.Path {
		switch v := tree[seg].(type) {
		case nil:
			return true
		case map[string]any:
			tree = v
		case []any:
			return false
		default:
			return i == len(t.Path)-1
		}
	}
	return true
}

// FuzzTranslate checks that every translation parses, and that outside the
// documented deviations it renders as 1.x substitutes.
func FuzzTranslate(f *testing.F) {
	for _, c := range tokenCases {
		f.Add(c.in)
	}
	client := decodeJSON(f, testClient)
	data := entityData(f, client)
	f.Fuzz(func(t *testing.T, s string) {
		tmpl, problems := Translate(s)
		out, err := Render(tmpl, data)
		if err != nil && !errors.Is(err, ErrUnmatched) {
			t.Fatalf("Translate(%q) = %q, which does not render: %v", s, tmpl, err)
		}
		if len(problems) > 0 {
			return
		}
		for _, tok := range Tokens(s) {
			if !faithful(tok, client) {
				return
			}
		}
		ruby, unmatched := Substitute(s, client)
		if len(unmatched) > 0 {
			if !errors.Is(err, ErrUnmatched) {
				t.Fatalf("1.x leaves %q unmatched in %q; Sensu Go renders %q as %q", unmatched, s, tmpl, out)
			}
			return
		}
		if err != nil || out != ruby {
			t.Fatalf("1.x gives %q for %q; Sensu Go renders %q as %q, %v", ruby, s, tmpl, out, err)
		}
	})
}
