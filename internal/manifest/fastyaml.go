package manifest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/sensu-etcd/sensu/internal/yamlscalar"
)

// fastYAMLToJSON converts the common shape of resource files — block
// mappings and sequences, plain, single- and double-quoted one-line
// scalars, {} and [] — straight to JSON, several times faster than building
// a yaml.v3 node tree, which dominates restoring a large dump. It gives up
// (ok false) on anything else: comments after values, anchors, aliases,
// tags, block or multi-line scalars, flow collections, tabs, explicit or
// quoted keys, duplicate keys, escapes JSON does not share, or any plain
// scalar that could be a number other than a simple decimal integer, a
// timestamp or a special float. The caller then uses yaml.v3.
//
// Whatever it accepts, yaml.v3 accepts too and reads as the same value
// (FuzzFastYAML checks that); where yaml.v3 refuses a document, so does
// this, by giving up. That takes following yaml.v3 where it is strict:
//   - its reader refuses invalid UTF-8 and control characters anywhere,
//     comments included: raw text may hold tab (in comments), LF, CR before
//     LF, and the printable characters (#x20-#x7E, #xA0-#xD7FF,
//     #xE000-#xFFFD, #x10000-#x10FFFF);
//   - it reads CR, NEL (#x85), LS (#x2028) and PS (#x2029) as line breaks,
//     even inside a comment, and a BOM (#xFEFF) oddly: those are left to it;
//   - \u escapes of UTF-16 surrogates (#xD800-#xDFFF) are errors, even as a
//     pair that JSON would read as one character;
//   - an implicit key must end within 1024 characters of its start;
//   - nodeJSON refuses nodes nested more than maxFastDepth deep.
func fastYAMLToJSON(data []byte) (out []byte, firstLine int, ok bool) {
	p := fastParser{buf: bytes.NewBuffer(make([]byte, 0, len(data)))}
	if !p.split(data) || len(p.lines) == 0 {
		return nil, 0, false
	}
	first := p.lines[0]
	if first.indent != 0 || isSeqLine(first.text) {
		return nil, 0, false
	}
	if !p.mapping(0, 0) || p.i != len(p.lines) {
		return nil, 0, false
	}
	return p.buf.Bytes(), first.number, true
}

const (
	// maxFastKey is the longest implicit key yaml.v3 reads: its ':' must be
	// at most 1024 characters after the key's first one.
	maxFastKey = 1024
	// maxFastDepth is the deepest node nodeJSON converts (the document's
	// mapping is at depth 0).
	maxFastDepth = 64
)

type fastLine struct {
	indent int
	text   []byte // without indentation and trailing spaces
	number int    // 1-based line number in the chunk
}

type fastParser struct {
	lines []fastLine
	i     int
	buf   *bytes.Buffer
	// keys holds the keys of the mappings being read, innermost last.
	keys [][]byte
}

// split cuts data into significant lines, dropping blank and comment lines.
func (p *fastParser) split(data []byte) bool {
	p.lines = make([]fastLine, 0, len(data)/16+1)
	n := 0
	for len(data) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		// CR LF ends a line like LF. Any other CR is a line break of its
		// own to yaml.v3: it is left in the text, where nothing accepts it.
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		end := len(line)
		for end > 0 && line[end-1] == ' ' {
			end--
		}
		indent := 0
		for indent < end && line[indent] == ' ' {
			indent++
		}
		text := line[indent:end]
		if len(text) == 0 {
			continue
		}
		if text[0] == '#' {
			if !commentText(text) {
				return false
			}
			continue
		}
		if text[0] == '%' || bytes.HasPrefix(text, []byte("---")) || bytes.HasPrefix(text, []byte("...")) {
			return false
		}
		p.lines = append(p.lines, fastLine{indent: indent, text: text, number: n})
	}
	return true
}

// commentText reports a comment that yaml.v3's reader accepts and that
// holds no line break.
func commentText(t []byte) bool {
	for i := 0; i < len(t); {
		c := t[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		n := textRune(t[i:])
		if n == 0 {
			return false
		}
		i += n
	}
	return true
}

// textRune reads the non-ASCII character at the start of t and returns its
// length, or 0 unless it is valid UTF-8, printable for yaml.v3 and neither
// a line break nor a BOM.
func textRune(t []byte) int {
	r, n := utf8.DecodeRune(t)
	switch {
	case r == utf8.RuneError && n <= 1:
		return 0
	case r >= 0xa0 && r <= 0xd7ff:
		if r == 0x2028 || r == 0x2029 {
			return 0
		}
		return n
	case r >= 0xe000 && r <= 0xfffd:
		if r == 0xfeff {
			return 0
		}
		return n
	case r >= 0x10000 && r <= utf8.MaxRune:
		return n
	}
	return 0
}

func isSeqLine(t []byte) bool {
	return len(t) >= 2 && t[0] == '-' && t[1] == ' ' || len(t) == 1 && t[0] == '-'
}

// mapping reads "key: value" lines at indent; the mapping is at depth.
func (p *fastParser) mapping(indent, depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	p.buf.WriteByte('{')
	keys := len(p.keys)
	var seen map[string]bool // only for long mappings
	for p.i < len(p.lines) && p.lines[p.i].indent == indent {
		l := p.lines[p.i]
		key, rest, ok := splitKey(l.text)
		if !ok || p.duplicate(keys, &seen, key) {
			return false
		}
		if len(p.keys) > keys {
			p.buf.WriteByte(',')
		}
		p.keys = append(p.keys, key)
		writeJSONBytes(p.buf, key)
		p.buf.WriteByte(':')
		p.i++
		if len(rest) > 0 {
			if depth+1 > maxFastDepth || !p.scalar(rest) {
				return false
			}
			continue
		}
		switch {
		case p.i < len(p.lines) && p.lines[p.i].indent > indent:
			if !p.node(p.lines[p.i].indent, depth+1) {
				return false
			}
		case p.i < len(p.lines) && p.lines[p.i].indent == indent && isSeqLine(p.lines[p.i].text):
			if !p.sequence(indent, depth+1) {
				return false
			}
		case depth+1 > maxFastDepth:
			return false
		default:
			p.buf.WriteString("null")
		}
	}
	if p.i < len(p.lines) && p.lines[p.i].indent > indent {
		return false
	}
	p.keys = p.keys[:keys]
	p.buf.WriteByte('}')
	return true
}

// duplicate reports key among the keys of the mapping that starts at
// p.keys[start]: a linear search, and a map once the mapping is long.
func (p *fastParser) duplicate(start int, seen *map[string]bool, key []byte) bool {
	const linear = 32
	keys := p.keys[start:]
	if len(keys) < linear {
		for _, k := range keys {
			if bytes.Equal(k, key) {
				return true
			}
		}
		return false
	}
	if *seen == nil {
		*seen = make(map[string]bool, 2*linear)
		for _, k := range keys {
			(*seen)[string(k)] = true
		}
	}
	if (*seen)[string(key)] {
		return true
	}
	(*seen)[string(key)] = true
	return false
}

func (p *fastParser) node(indent, depth int) bool {
	if isSeqLine(p.lines[p.i].text) {
		return p.sequence(indent, depth)
	}
	return p.mapping(indent, depth)
}

// sequence reads "- item" lines at indent. An item that is a mapping starts
// on the dash line: that line is re-read as a mapping line two columns in.
func (p *fastParser) sequence(indent, depth int) bool {
	if depth > maxFastDepth {
		return false
	}
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
			if !p.mapping(indent+2, depth+1) {
				return false
			}
			continue
		}
		p.i++
		if depth+1 > maxFastDepth || !p.scalar(rest) {
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

// validPlainKey accepts printable ASCII keys that yaml.v3 reads as the same
// text: not "<<" (a merge key), without trailing spaces, and short enough
// to be an implicit key.
func validPlainKey(k []byte) bool {
	if len(k) == 0 || len(k) > maxFastKey || k[len(k)-1] == ' ' || len(k) == 2 && k[0] == '<' && k[1] == '<' {
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
	for i := 0; i < len(v); {
		c := v[i]
		if c >= utf8.RuneSelf {
			n := textRune(v[i:])
			if n == 0 {
				return false
			}
			i += n
			continue
		}
		if c < 0x20 || c == 0x7f || c == ':' && (i+1 == len(v) || v[i+1] == ' ') || c == '#' && v[i-1] == ' ' {
			return false
		}
		i++
	}
	return p.plain(v)
}

// plain writes a plain scalar as yaml.v3 resolves it.
func (p *fastParser) plain(s []byte) bool {
	switch string(s) {
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
			p.buf.Write(s)
			return true
		}
		if yamlscalar.MayBeNumberOrTime(string(s)) {
			return false
		}
	}
	writeJSONBytes(p.buf, s)
	return true
}

// decimalInt is -?(0|[1-9][0-9]*) within int64.
func decimalInt(s []byte) bool {
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 1 && d[0] == '0' || d[0] == '0' && len(s) > 1 {
		return false // "-", leading zeros, "-0"
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	if len(d) < 19 {
		return true
	}
	_, err := strconv.ParseInt(string(s), 10, 64)
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
				// yaml.v3 refuses surrogates, paired or not.
				if i+5 >= len(v) || !isHex(v[i+2:i+6]) || (v[i+2]|0x20) == 'd' && v[i+3] >= '8' {
					return false
				}
				i += 5
			default:
				return false // \/ is an error to yaml.v3; \x, \U, \e... are not JSON
			}
		case c >= utf8.RuneSelf:
			n := textRune(v[i:])
			if n == 0 {
				return false
			}
			i += n - 1
		case c < 0x20 || c == 0x7f:
			return false
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
	quotes := 0
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\'':
			if i+1 < len(v) && v[i+1] == '\'' {
				quotes++
				i++
				continue
			}
			if i != len(v)-1 {
				return false
			}
			s := v[1:i]
			if quotes > 0 {
				s = bytes.ReplaceAll(s, []byte("''"), []byte("'"))
			}
			writeJSONBytes(p.buf, s)
			return true
		case c >= utf8.RuneSelf:
			n := textRune(v[i:])
			if n == 0 {
				return false
			}
			i += n - 1
		case c < 0x20 || c == 0x7f:
			return false
		}
	}
	return false
}

// writeJSONBytes writes s, valid UTF-8, as a JSON string.
func writeJSONBytes(buf *bytes.Buffer, s []byte) {
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			b, _ := json.Marshal(string(s))
			buf.Write(b)
			return
		}
	}
	buf.WriteByte('"')
	buf.Write(s)
	buf.WriteByte('"')
}
