package manifest

import (
	"bytes"
	"strconv"

	"github.com/sensu-etcd/sensu/internal/yamlscalar"
)

// fastYAMLToJSON converts the common shape of resource files — block
// mappings and sequences, plain, single- and double-quoted one-line
// scalars, {} and [] — straight to JSON, several times faster than building
// a yaml.v3 node tree, which dominates restoring a large dump. It gives up
// (ok false) on anything else: comments after values, anchors, aliases,
// tags, block or multi-line scalars, flow collections, tabs, explicit keys,
// duplicate keys, or any plain scalar that could be a number other than a
// simple decimal integer, a timestamp or a special float. The caller then
// uses yaml.v3, so the result is the same either way (TestFastYAMLMatches
// checks that).
func fastYAMLToJSON(data []byte) (out []byte, firstLine int, ok bool) {
	p := fastParser{buf: bytes.NewBuffer(make([]byte, 0, len(data)))}
	if !p.split(data) || len(p.lines) == 0 {
		return nil, 0, false
	}
	first := p.lines[0]
	if first.indent != 0 || isSeqLine(first.text) {
		return nil, 0, false
	}
	if !p.mapping(0) || p.i != len(p.lines) {
		return nil, 0, false
	}
	return p.buf.Bytes(), first.number, true
}

type fastLine struct {
	indent int
	text   []byte // without indentation and trailing spaces
	number int    // 1-based line number in the chunk
}

type fastParser struct {
	lines []fastLine
	i     int
	buf   *bytes.Buffer
}

// split cuts data into significant lines, dropping blank and comment lines.
func (p *fastParser) split(data []byte) bool {
	n := 0
	for len(data) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimRight(line, " \r")
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		text := line[indent:]
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		if text[0] == '\t' || bytes.IndexByte(text, '\t') >= 0 || text[0] == '%' ||
			bytes.HasPrefix(text, []byte("---")) || bytes.HasPrefix(text, []byte("...")) {
			return false
		}
		p.lines = append(p.lines, fastLine{indent: indent, text: text, number: n})
	}
	return true
}

func isSeqLine(t []byte) bool {
	return len(t) >= 2 && t[0] == '-' && t[1] == ' ' || len(t) == 1 && t[0] == '-'
}

// mapping reads "key: value" lines at indent.
func (p *fastParser) mapping(indent int) bool {
	p.buf.WriteByte('{')
	seen := map[string]bool{}
	for p.i < len(p.lines) && p.lines[p.i].indent == indent {
		l := p.lines[p.i]
		key, rest, ok := splitKey(l.text)
		if !ok || seen[string(key)] {
			return false
		}
		seen[string(key)] = true
		if len(seen) > 1 {
			p.buf.WriteByte(',')
		}
		writeJSONString(p.buf, string(key))
		p.buf.WriteByte(':')
		p.i++
		if len(rest) > 0 {
			if !p.scalar(rest) {
				return false
			}
			continue
		}
		switch {
		case p.i < len(p.lines) && p.lines[p.i].indent > indent:
			if !p.node(p.lines[p.i].indent) {
				return false
			}
		case p.i < len(p.lines) && p.lines[p.i].indent == indent && isSeqLine(p.lines[p.i].text):
			if !p.sequence(indent) {
				return false
			}
		default:
			p.buf.WriteString("null")
		}
	}
	if p.i < len(p.lines) && p.lines[p.i].indent > indent {
		return false
	}
	p.buf.WriteByte('}')
	return true
}

func (p *fastParser) node(indent int) bool {
	if isSeqLine(p.lines[p.i].text) {
		return p.sequence(indent)
	}
	return p.mapping(indent)
}

// sequence reads "- item" lines at indent. An item that is a mapping starts
// on the dash line: that line is re-read as a mapping line two columns in.
func (p *fastParser) sequence(indent int) bool {
	p.buf.WriteByte('[')
	n := 0
	for p.i < len(p.lines) && p.lines[p.i].indent == indent && isSeqLine(p.lines[p.i].text) {
		l := &p.lines[p.i]
		if len(l.text) < 3 || l.text[2] == ' ' || isSeqLine(l.text[2:]) {
			return false // empty item, extra spaces, or a sequence in a sequence
		}
		if n > 0 {
			p.buf.WriteByte(',')
		}
		n++
		rest := l.text[2:]
		if _, _, isKey := splitKey(rest); isKey {
			l.indent, l.text = indent+2, rest
			if !p.mapping(indent + 2) {
				return false
			}
			continue
		}
		p.i++
		if !p.scalar(rest) {
			return false
		}
		if p.i < len(p.lines) && p.lines[p.i].indent > indent {
			return false // a continuation line
		}
	}
	p.buf.WriteByte(']')
	return true
}

// splitKey reads a plain key: "key: rest" or "key:".
func splitKey(t []byte) (key, rest []byte, ok bool) {
	if len(t) == 0 || isIndicator(t[0]) || t[0] == '-' && (len(t) == 1 || t[1] == ' ') {
		return nil, nil, false
	}
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case ':':
			if i+1 == len(t) {
				return t[:i], nil, validPlainKey(t[:i])
			}
			if t[i+1] == ' ' {
				return t[:i], bytes.TrimLeft(t[i+2:], " "), validPlainKey(t[:i])
			}
		case '#':
			if i > 0 && t[i-1] == ' ' {
				return nil, nil, false
			}
		}
	}
	return nil, nil, false
}

func validPlainKey(k []byte) bool {
	if len(k) == 0 || k[len(k)-1] == ' ' || bytes.Equal(k, []byte("<<")) {
		return false
	}
	for _, c := range k {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// isIndicator reports characters that cannot start a plain scalar (or that
// start something this parser leaves to yaml.v3).
func isIndicator(c byte) bool {
	switch c {
	case '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ',', '?', ':':
		return true
	}
	return false
}

func (p *fastParser) scalar(v []byte) bool {
	switch v[0] {
	case '"':
		return p.doubleQuoted(v)
	case '\'':
		return p.singleQuoted(v)
	case '{', '[':
		if len(v) == 2 && (v[1] == '}' && v[0] == '{' || v[1] == ']' && v[0] == '[') {
			p.buf.Write(v)
			return true
		}
		return false
	}
	switch {
	case (v[0] == ':' || v[0] == '?' || v[0] == '-') && len(v) > 1 && v[1] != ' ':
		// "::1/128", "-x": an indicator followed by a non-space starts a plain scalar.
	case isIndicator(v[0]) || v[0] == '-':
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c >= 0x7f || c == ':' && (i+1 == len(v) || v[i+1] == ' ') || c == '#' && v[i-1] == ' ' {
			return false
		}
	}
	return p.plain(string(v))
}

// plain writes a plain scalar as yaml.v3 resolves it.
func (p *fastParser) plain(s string) bool {
	switch s {
	case "~", "null", "Null", "NULL":
		p.buf.WriteString("null")
		return true
	case "true", "True", "TRUE":
		p.buf.WriteString("true")
		return true
	case "false", "False", "FALSE":
		p.buf.WriteString("false")
		return true
	}
	c := s[0]
	if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' {
		if decimalInt(s) {
			p.buf.WriteString(s)
			return true
		}
		if yamlscalar.MayBeNumberOrTime(s) {
			return false
		}
	}
	writeJSONString(p.buf, s)
	return true
}

// decimalInt is -?(0|[1-9][0-9]*) within int64.
func decimalInt(s string) bool {
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if d == "" || len(d) > 1 && d[0] == '0' || s == "-0" {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// doubleQuoted accepts a one-line double-quoted scalar whose escapes JSON
// shares, and copies it as a JSON string.
func (p *fastParser) doubleQuoted(v []byte) bool {
	for i := 1; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\':
			if i+1 >= len(v) {
				return false
			}
			switch v[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 >= len(v) || !isHex(v[i+2:i+6]) {
					return false
				}
				i += 5
			default:
				return false
			}
		case c < 0x20 || c >= 0x7f:
			return false // control characters; non-ASCII is left to yaml.v3
		case c == '"':
			if i != len(v)-1 {
				return false // something after the closing quote
			}
			p.buf.Write(v)
			return true
		}
	}
	return false // not closed on this line
}

func (p *fastParser) singleQuoted(v []byte) bool {
	var s []byte
	for i := 1; i < len(v); i++ {
		if v[i] != '\'' {
			if v[i] < 0x20 || v[i] >= 0x7f {
				return false
			}
			s = append(s, v[i])
			continue
		}
		if i+1 < len(v) && v[i+1] == '\'' {
			s = append(s, '\'')
			i++
			continue
		}
		if i != len(v)-1 {
			return false
		}
		writeJSONString(p.buf, string(s))
		return true
	}
	return false
}
