package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestAppendJSONMatchesEncodingJSON: the fast writer must produce exactly
// what encoding/json writes with two-space indentation and no HTML escaping.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	strs := []string{"", "a", "<&>", "\"q\"", "back\\slash", "tab\there", "nl\n", "\u2028", "é", "\x7f", "\xff", "日本", "\x00", "{}"}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := r.IntN(9); {
		case depth > 3 || k < 3:
			switch r.IntN(5) {
			case 0:
				return strs[r.IntN(len(strs))]
			case 1:
				return json.Number(fmt.Sprint(r.IntN(1000) - 500))
			case 2:
				return r.IntN(2) == 0
			case 3:
				return nil
			default:
				return fmt.Sprintf("s%d", r.IntN(100))
			}
		case k < 6:
			m := map[string]any{}
			for range r.IntN(4) {
				m[strs[r.IntN(len(strs))]+fmt.Sprint(r.IntN(3))] = gen(depth + 1)
			}
			return m
		case k < 8:
			var l []any
			for range r.IntN(4) {
				l = append(l, gen(depth+1))
			}
			if l == nil {
				l = []any{}
			}
			return l
		default:
			return map[string]string{strs[r.IntN(len(strs))]: strs[r.IntN(len(strs))], "k": "v"}
		}
	}
	for i := range 3000 {
		v := gen(0)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		got, err := AppendResource(nil, FormatWrappedJSON, v, i)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("value %#v:\ngot  %s\nwant %s", v, got, want.Bytes())
		}
	}
	ordered := OrderedMap{{Key: "z", Value: 1}, {Key: "a", Value: []string{"x"}}, {Key: "m", Value: OrderedMap{}}}
	got, err := AppendJSON(nil, ordered, 0)
	if want := "{\n  \"z\": 1,\n  \"a\": [\n    \"x\"\n  ],\n  \"m\": {}\n}"; err != nil || string(got) != want {
		t.Errorf("ordered map: %q, want %q (%v)", got, want, err)
	}
}
