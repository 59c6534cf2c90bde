package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Stream writes resources one by one, so that a dump of any size needs
// memory for one resource at a time:
//
//   - yaml: documents separated by "---", after an optional "# " comment;
//   - wrapped-json: concatenated pretty-printed objects;
//   - json: one pretty-printed array.
//
// For yaml, values are emitted by AppendYAML (pass an OrderedMap for a
// fixed key order); for the JSON formats, by encoding/json.
type Stream struct {
	w      *bufio.Writer
	format Format
	n      int
	buf    []byte
	jbuf   bytes.Buffer
	enc    *json.Encoder
}

// NewStream starts a stream in format f (yaml, wrapped-json or json).
// comment is written as YAML comment lines; JSON has no comments, so it is
// dropped there.
func NewStream(w io.Writer, f Format, comment string) (*Stream, error) {
	s := &Stream{w: bufio.NewWriterSize(w, 256<<10), format: f}
	s.enc = json.NewEncoder(&s.jbuf)
	s.enc.SetIndent("", "  ")
	s.enc.SetEscapeHTML(false)
	switch f {
	case FormatYAML:
		for _, line := range strings.Split(strings.TrimRight(comment, "\n"), "\n") {
			if line != "" {
				fmt.Fprintf(s.w, "# %s\n", line)
			}
		}
	case FormatJSON:
		s.w.WriteString("[")
	case FormatWrappedJSON:
	default:
		return nil, fmt.Errorf("resources can be written as %s, not %s", formatList([]Format{FormatYAML, FormatWrappedJSON, FormatJSON}), f)
	}
	return s, nil
}

// Write adds one resource.
func (s *Stream) Write(v any) error {
	defer func() { s.n++ }()
	switch s.format {
	case FormatYAML:
		s.buf = s.buf[:0]
		if s.n > 0 {
			s.buf = append(s.buf, "---\n"...)
		}
		s.buf = AppendYAML(s.buf, v)
		_, err := s.w.Write(s.buf)
		return err
	default:
		s.jbuf.Reset()
		if err := s.enc.Encode(v); err != nil {
			return err
		}
		out := s.jbuf.Bytes()
		if s.format == FormatJSON {
			if s.n > 0 {
				s.w.WriteString(",")
			}
			s.w.WriteString("\n")
			out = indentBlock(out)
		}
		_, err := s.w.Write(out)
		return err
	}
}

// indentBlock indents a JSON value by two spaces, as an array element, and
// drops its trailing newline.
func indentBlock(b []byte) []byte {
	b = bytes.TrimRight(b, "\n")
	return append([]byte("  "), bytes.ReplaceAll(b, []byte("\n"), []byte("\n  "))...)
}

// Count is the number of resources written.
func (s *Stream) Count() int { return s.n }

// Close ends the stream and flushes it.
func (s *Stream) Close() error {
	if s.format == FormatJSON {
		if s.n > 0 {
			s.w.WriteString("\n")
		}
		s.w.WriteString("]\n")
	}
	return s.w.Flush()
}

// MarshalJSON writes the entries in order.
func (m OrderedMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(kv.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
