package sensu1config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ParseError is a config file that is not a JSON object. 1.x stopped loading
// at such a file ("config file must be valid json"), and so does Load.
type ParseError struct {
	File   string
	Line   int // 1-based; 0 when the error is about the whole file
	Column int // 1-based, in characters
	Err    error
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrNotObject is the cause of a ParseError for a file whose top-level value
// is not an object.
var ErrNotObject = errors.New("top-level value must be a JSON object")

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// rubySpace is what Ruby's String#strip removes.
const rubySpace = "\x00\t\n\v\f\r "

// parse decodes one config file. data must not be used afterwards by the
// caller: the result is owned by the settings.
func parse(file string, data []byte) (map[string]any, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	// Offsets below are in data (after the BOM), so that columns on the
	// first line count characters as an editor shows them.
	start := len(data) - len(bytes.TrimLeft(data, rubySpace))
	body := bytes.TrimRight(data[start:], rubySpace)
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, decodeError(file, data, start, len(body), err)
	}
	if off := dec.InputOffset(); off < int64(len(body)) {
		// Something follows the first value: another value or garbage.
		var extra any
		err := dec.Decode(&extra)
		if err == nil {
			line, col := position(data, start+int(off)+leadingSpace(body[off:]))
			return nil, &ParseError{File: file, Line: line, Column: col, Err: errors.New("unexpected data after the top-level value")}
		}
		return nil, decodeError(file, data, start, len(body), err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		line, col := position(data, start)
		return nil, &ParseError{File: file, Line: line, Column: col, Err: fmt.Errorf("%w, not %s", ErrNotObject, kind(v))}
	}
	return obj, nil
}

// decodeError places a json.Decoder error in the file.
func decodeError(file string, data []byte, start, n int, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		line, col := position(data, start+int(se.Offset)-1)
		return &ParseError{File: file, Line: line, Column: col, Err: errors.New(se.Error())}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(data, start+n)
		return &ParseError{File: file, Line: line, Column: col, Err: errors.New("unexpected end of JSON input")}
	default:
		return &ParseError{File: file, Err: err}
	}
}

func leadingSpace(b []byte) int { return len(b) - len(bytes.TrimLeft(b, " \t\r\n")) }

// position returns the 1-based line and character column of byte offset off.
func position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[lineStart:])
}

// kind names a decoded JSON value's type for messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return fmt.Sprintf("%T", v)
	}
}
