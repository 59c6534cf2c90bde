package sensu1redis

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeObject decodes a value that must be one JSON object, keeping numbers
// as json.Number (1.x epochs and counters are integers; float64 would round
// large ones and print them as 1.7e+09).
//
// The result is what encoding/json's Decoder with UseNumber gives, but
// strings without escapes and numbers are substrings of s: the value's
// bytes are held once, by the decoded object, and not copied a second time.
// Anything the fast parser does not accept is decoded again by
// encoding/json, for its error message.
func decodeObject(s string) (map[string]any, error) {
	if m, ok := parseObject(s); ok {
		return m, nil
	}
	return decodeObjectStd(s)
}

// decodeObjectStd is decodeObject with encoding/json.
func decodeObjectStd(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case err == io.EOF:
			return nil, errors.New("empty value, expected a JSON object")
		case errors.As(err, &typeErr):
			return nil, fmt.Errorf("a JSON %s, expected a JSON object", typeErr.Value)
		case errors.As(err, &syntaxErr):
			return nil, fmt.Errorf("invalid JSON at byte %d: %v", syntaxErr.Offset, err)
		case err == io.ErrUnexpectedEOF:
			return nil, errors.New("invalid JSON: truncated")
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if m == nil {
		return nil, errors.New("JSON null, expected a JSON object")
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: data after the object at byte %d", end)
	}
	return m, nil
}

// maxDepth is encoding/json's nesting limit; deeper input goes to it.
const maxDepth = 10000

// parser is a strict JSON parser (RFC 8259) over a string; any error
// only makes it give up (ok == false).
type parser struct {
	s     string
	i     int
	depth int
}

// parseObject parses s, which must be one JSON object with optional white
// space around it.
func parseObject(s string) (map[string]any, bool) {
	p := parser{s: s}
	p.space()
	if p.i >= len(s) || s[p.i] != '{' {
		return nil, false
	}
	m, ok := p.object()
	if !ok {
		return nil, false
	}
	p.space()
	return m, p.i == len(s)
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (any, bool) {
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		m, ok := p.object()
		return m, ok
	case c == '[':
		return p.array()
	case c == '"':
		return p.string()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, true
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return nil, true
	}
	return nil, false
}

// object parses from the '{' at p.i.
func (p *parser) object() (map[string]any, bool) {
	if p.depth++; p.depth > maxDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++
	m := map[string]any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.string()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		if done, ok := p.separator('}'); !ok {
			return nil, false
		} else if done {
			return m, true
		}
	}
}

// array parses from the '[' at p.i.
func (p *parser) array() (any, bool) {
	if p.depth++; p.depth > maxDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++
	a := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if done, ok := p.separator(']'); !ok {
			return nil, false
		} else if done {
			return a, true
		}
	}
}

// separator reads what follows a member or element: a comma (another
// follows) or the closing bracket (done); anything else is not JSON.
func (p *parser) separator(closing byte) (done, ok bool) {
	p.space()
	if p.i >= len(p.s) {
		return false, false
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		p.space()
		return false, true
	case closing:
		p.i++
		return true, true
	}
	return false, false
}

// number parses a JSON number into a json.Number that is a substring of s.
func (p *parser) number() (any, bool) {
	s, start := p.s, p.i
	i := p.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return nil, false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return nil, false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	p.i = i
	return json.Number(s[start:i]), true
}

// string parses from the '"' at p.i. A string without escapes and with
// valid UTF-8 is a substring of s; others are unquoted as encoding/json
// does (invalid UTF-8 and lone surrogates become U+FFFD).
func (p *parser) string() (string, bool) {
	s := p.s
	start := p.i + 1
	plain, ascii := true, true
	i := start
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			body := s[start:i]
			if plain && (ascii || utf8.ValidString(body)) {
				return body, true
			}
			return unquote(body), true
		case c == '\\':
			plain = false
			i++
			if i >= len(s) {
				return "", false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s) || hex4(s[i+1:i+5]) < 0 {
					return "", false
				}
				i += 4
			default:
				return "", false
			}
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// hex4 decodes four hex digits, or returns -1.
func hex4(s string) rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote decodes the body of a JSON string that string() checked.
func unquote(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			switch s[i+1] {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := hex4(s[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if r2 := hex4(s[i+2:]); r2 >= 0 {
							if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
								b.WriteRune(dec)
								i += 6
								continue
							}
						}
					}
					r = unicode.ReplacementChar
				}
				b.WriteRune(r)
				continue
			default: // '"', '\\', '/'
				b.WriteByte(s[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r)
			i += size
		}
	}
	return b.String()
}
