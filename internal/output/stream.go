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
}

// NewStream starts a stream in format f (yaml, wrapped-json or json).
// comment is written as YAML comment lines; JSON has no comments, so it is
// dropped there.
func NewStream(w io.Writer, f Format, comment string) (*Stream, error) {
	s := &Stream{w: bufio.NewWriterSize(w, 256<<10), format: f}
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
	b, err := AppendResource(s.buf[:0], s.format, v, s.n)
	if err != nil {
		return err
	}
	s.buf = b
	return s.WriteRendered(b, 1)
}

// WriteRendered adds n resources already rendered by AppendResource with
// the right indexes (so that they can be rendered in parallel).
func (s *Stream) WriteRendered(b []byte, n int) error {
	s.n += n
	_, err := s.w.Write(b)
	return err
}

// AppendResource renders the resource with the given index (0 for the
// first) of a stream in format f, separator included.
func AppendResource(dst []byte, f Format, v any, index int) ([]byte, error) {
	if f == FormatYAML {
		if index > 0 {
			dst = append(dst, "---\n"...)
		}
		return AppendYAML(dst, v), nil
	}
	if f != FormatJSON {
		dst, err := AppendJSON(dst, v, 0)
		return append(dst, '\n'), err
	}
	// An element of one array: indented one level, no trailing newline.
	if index > 0 {
		dst = append(dst, ',')
	}
	dst = append(dst, "\n  "...)
	return AppendJSON(dst, v, 1)
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

// MarshalJSON writes the entries in order. It does not escape HTML
// characters itself: encoding/json does when the caller asks for it.
func (m OrderedMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, kv := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(kv.Key); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		b.WriteByte(':')
		if err := enc.Encode(kv.Value); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
