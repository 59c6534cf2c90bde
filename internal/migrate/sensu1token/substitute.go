package sensu1token

import (
	"regexp"
	"slices"
	"strings"
)

// tokenRE is 1.x's /:::([^:].*?):::/. Go's "." does not match a newline,
// like Ruby's without /m, and its leftmost-first non-greedy matching finds
// the same matches as Ruby's backtracking engine.
var tokenRE = regexp.MustCompile(`:::([^:].*?):::`)

// Token is one 1.x token found in a string.
type Token struct {
	// Raw is the whole match, ":::disk.warning|80:::".
	Raw string
	// Start and End are its byte offsets in the string.
	Start, End int
	// Text is the part before the first "|", the name 1.x reports when
	// the token is unmatched.
	Text string
	// Path is Text split on "." as Ruby's String#split does: trailing
	// empty fields are dropped, so "a." is ["a"] and "." is empty.
	Path []string
	// Default is the text after the first "|", when HasDefault.
	Default    string
	HasDefault bool
}

// Key is the path joined with ".": the label a translated token reads.
func (t Token) Key() string { return strings.Join(t.Path, ".") }

// Tokens returns the 1.x tokens of s, in order.
func Tokens(s string) []Token {
	var toks []Token
	for _, m := range tokenRE.FindAllStringSubmatchIndex(s, -1) {
		inner := s[m[2]:m[3]]
		t := Token{Raw: s[m[0]:m[1]], Start: m[0], End: m[1]}
		t.Text, t.Default, t.HasDefault = strings.Cut(inner, "|")
		t.Path = rubySplitDot(t.Text)
		toks = append(toks, t)
	}
	return toks
}

// rubySplitDot is Ruby's s.split("."): empty fields are kept except at the
// end, and "" gives no fields.
func rubySplitDot(s string) []string {
	f := strings.Split(s, ".")
	for len(f) > 0 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return f
}

// Substitute is 1.x token substitution (substitute_tokens): the tokens of s
// are replaced with the values found in attrs (the client settings, nested
// maps as encoding/json decodes them, numbers best as json.Number), a nil
// value takes the token's default, and a token still without a value is
// replaced with "" and its path text listed in unmatched (each once, in
// order). As in 1.x, non-ASCII characters are removed from s first.
func Substitute(s string, attrs map[string]any) (out string, unmatched []string) {
	s = stripNonASCII(s)
	var b strings.Builder
	last := 0
	for _, t := range Tokens(s) {
		b.WriteString(s[last:t.Start])
		last = t.End
		v, found := findAttribute(attrs, t.Path)
		switch {
		case found:
			if arr, ok := v.([]any); ok {
				b.WriteString(rubyInspect(arr))
			} else {
				str, _ := rubyToS(v)
				b.WriteString(str)
			}
		case t.HasDefault:
			b.WriteString(t.Default)
		default:
			if !slices.Contains(unmatched, t.Text) {
				unmatched = append(unmatched, t.Text)
			}
		}
	}
	b.WriteString(s[last:])
	return b.String(), unmatched
}

// findAttribute is 1.x's find_attribute_value without the default: it walks
// tree along path while the values are hashes, and returns the first
// non-hash value it meets. An exhausted path looks up nil, which is never
// found, so a path naming a hash finds nothing.
func findAttribute(tree map[string]any, path []string) (any, bool) {
	for {
		if len(path) == 0 {
			return nil, false
		}
		v := normalize(tree[path[0]])
		path = path[1:]
		switch v := v.(type) {
		case nil:
			return nil, false
		case map[string]any:
			tree = v
		default:
			return v, true
		}
	}
}

// stripNonASCII is 1.x's tokens.encode("UTF-8", "binary", invalid: :replace,
// undef: :replace, replace: ""): every byte above 0x7F is undefined in the
// conversion and replaced with nothing.
func stripNonASCII(s string) string {
	if !hasNonASCII(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] < 0x80 {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}
