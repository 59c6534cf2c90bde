package output

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/sensu-etcd/sensu/internal/yamlscalar"
)

// OrderedMap is a mapping emitted in its own order by AppendYAML; plain Go
// maps are emitted with sorted keys.
type OrderedMap []KeyValue

// KeyValue is one entry of an OrderedMap.
type KeyValue struct {
	Key   string
	Value any
}

// AppendYAML appends v to dst as a YAML block value, the way Sensu Go's
// dumps look: maps with sorted keys, sequences at the indentation of their
// key, empty collections as {} and [], strings quoted whenever a YAML
// reader could take them for anything but a string. It is much faster than
// building a yaml.v3 node tree, which matters for dumps of large stores.
//
// Supported values: OrderedMap, map[string]any, map[string]string, []any,
// []string, string, json.Number, bool, nil, and Go integers and floats.
func AppendYAML(dst []byte, v any) []byte {
	return appendBlock(dst, v, 0, false)
}

// appendBlock writes v that follows "key:" (inSeq false) or "- " (inSeq
// true) at the given indent.
func appendBlock(dst []byte, v any, indent int, inSeq bool) []byte {
	switch t := v.(type) {
	case OrderedMap:
		if len(t) == 0 {
			return append(dst, "{}\n"...)
		}
		for i, kv := range t {
			dst = appendEntry(dst, kv.Key, kv.Value, indent, i == 0 && inSeq)
		}
		return dst
	case map[string]any:
		if len(t) == 0 {
			return append(dst, "{}\n"...)
		}
		for i, k := range sortedMapKeys(t) {
			dst = appendEntry(dst, k, t[k], indent, i == 0 && inSeq)
		}
		return dst
	case map[string]string:
		if len(t) == 0 {
			return append(dst, "{}\n"...)
		}
		for i, k := range sortedMapKeys(t) {
			dst = appendEntry(dst, k, t[k], indent, i == 0 && inSeq)
		}
		return dst
	case []any:
		if len(t) == 0 {
			return append(dst, "[]\n"...)
		}
		for i, item := range t {
			dst = appendItem(dst, item, indent, i == 0 && inSeq)
		}
		return dst
	case []string:
		if len(t) == 0 {
			return append(dst, "[]\n"...)
		}
		for i, item := range t {
			dst = appendItem(dst, item, indent, i == 0 && inSeq)
		}
		return dst
	}
	dst = appendScalar(dst, v)
	return append(dst, '\n')
}

// appendEntry writes "key: value"; first means the line was already started
// by a "- " of an enclosing sequence.
func appendEntry(dst []byte, key string, v any, indent int, first bool) []byte {
	if !first {
		dst = appendIndent(dst, indent)
	}
	start := len(dst)
	dst = appendString(dst, key)
	if len(dst)-start > maxImplicitKey {
		// A YAML reader only looks 1024 characters ahead for the ":" of
		// an implicit key: write a long key as an explicit "? key".
		dst = append(dst[:start], "? "...)
		dst = appendString(dst, key)
		dst = append(dst, '\n')
		dst = appendIndent(dst, indent)
	}
	dst = append(dst, ':')
	switch {
	case isEmptyOrScalar(v):
		dst = append(dst, ' ')
		return appendBlock(dst, v, indent, false)
	case isSeq(v):
		// Sequences sit at the indentation of their key, as in Sensu's dumps.
		dst = append(dst, '\n')
		return appendBlock(dst, v, indent, false)
	default:
		dst = append(dst, '\n')
		return appendBlock(dst, v, indent+2, false)
	}
}

func appendItem(dst []byte, v any, indent int, first bool) []byte {
	if !first {
		dst = appendIndent(dst, indent)
	}
	dst = append(dst, "- "...)
	// A sequence in a sequence is a block too ("- - a"), as yaml.v2 writes it.
	return appendBlock(dst, v, indent+2, true)
}

func appendIndent(dst []byte, n int) []byte {
	for range n {
		dst = append(dst, ' ')
	}
	return dst
}

func isSeq(v any) bool {
	switch v.(type) {
	case []any, []string:
		return true
	}
	return false
}

func isEmptyOrScalar(v any) bool {
	switch t := v.(type) {
	case OrderedMap:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	case map[string]string:
		return len(t) == 0
	case []any:
		return len(t) == 0
	case []string:
		return len(t) == 0
	}
	return true
}

func appendScalar(dst []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendString(dst, t)
	case json.Number:
		return append(dst, t...)
	case bool:
		return strconv.AppendBool(dst, t)
	case int:
		return strconv.AppendInt(dst, int64(t), 10)
	case int64:
		return strconv.AppendInt(dst, t, 10)
	case uint32:
		return strconv.AppendUint(dst, uint64(t), 10)
	case uint64:
		return strconv.AppendUint(dst, t, 10)
	case float64:
		return strconv.AppendFloat(dst, t, 'g', -1, 64)
	}
	// Anything else is written as JSON, which YAML reads as flow style.
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, strconv.Quote(fmt.Sprint(v))...)
	}
	return append(dst, b...)
}

// maxImplicitKey is the longest key, as written, emitted as "key:"; YAML
// limits implicit keys to 1024 characters.
const maxImplicitKey = 1000

// appendString writes s plain when a YAML reader can only read it back as
// the same string, and double-quoted otherwise.
func appendString(dst []byte, s string) []byte {
	if plainSafe(s) {
		return append(dst, s...)
	}
	return appendQuoted(dst, s)
}

// appendQuoted writes s as a YAML double-quoted scalar. Unlike JSON, YAML
// rejects raw DEL, C1 controls, U+FFFE and U+FFFF, and reads raw U+0085,
// U+2028 and U+2029 as line breaks: those are escaped, as are the other
// control characters. Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"', r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case yamlPrintable(r):
			dst = append(dst, s[i:i+size]...)
		case r <= 0xffff:
			dst = append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			dst = append(dst, `\U`...)
			for shift := 28; shift >= 0; shift -= 4 {
				dst = append(dst, hex[r>>uint(shift)&0xf])
			}
		}
		i += size
	}
	return append(dst, '"')
}

// yamlPrintable reports a non-ASCII rune that YAML allows raw in a
// double-quoted scalar and does not read as a line break.
func yamlPrintable(r rune) bool {
	switch {
	case r == 0x2028, r == 0x2029, r == 0xfeff:
		return false
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

// plainSafe is deliberately conservative: quoting is always correct, a
// plain scalar only when it cannot be read back as anything else — a
// number, bool, null, timestamp, comment, alias, tag, block indicator — by
// a YAML 1.2 reader (yaml.v3) or a YAML 1.1 one (PyYAML, Ruby's Psych,
// go-yaml v2, which Sensu Go's own dumps are written with).
func plainSafe(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	last := s[len(s)-1]
	if last == ' ' || last == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c >= 0x7f:
			return false // control characters and non-ASCII: quote
		case c == ':' && (i+1 == len(s) || s[i+1] == ' '):
			return false
		case c == '#' && i > 0 && s[i-1] == ' ':
			return false
		case c == ' ' && i > 0 && s[i-1] == ' ':
			return false // keep runs of spaces visible
		}
	}
	// What a YAML 1.1 or 1.2 reader takes for a bool, null, number,
	// timestamp, merge or value key: 127.0.0.1 is a string but yes, 1.5,
	// 1e3, 0x1f, 2006-01-02 and the MAC 52:54:00:12:34:56 (a base-60 int
	// in YAML 1.1) are not.
	if yamlscalar.NeedsQuote(s) {
		return false
	}
	c := s[0]
	switch {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '/':
		return true
	case strings.HasPrefix(s, "..."):
		return false // a document end marker
	case c >= '0' && c <= '9' || c == '.' || c == '+':
		return true
	case c == '(' || c == '=' || c == '$':
		return resolvesToString(s) // rare: let the YAML reader decide
	}
	return false
}

// resolvesToString asks yaml.v3 how it reads s as a plain scalar.
func resolvesToString(s string) bool {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	v := n.Content[0]
	return v.Kind == yaml.ScalarNode && v.Tag == "!!str" && v.Value == s && v.Style == 0
}

// sortedMapKeys returns the keys of m in order.
func sortedMapKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
