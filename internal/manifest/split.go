package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/dustin/go-humanize"
	"gopkg.in/yaml.v3"
)

// Document is one wrapped resource as found in a source, converted to JSON.
type Document struct {
	Source string
	// Index counts documents in the source from 1.
	Index int
	// Line is where the document starts in the source, from 1.
	Line int
	JSON []byte

	// node is the YAML mapping the document came from, to find the line of
	// a field; nil for JSON input.
	node *yaml.Node
	// lineOffset turns node lines into source lines.
	lineOffset int
	// yamlSource is the YAML of a document converted without yaml.v3, kept
	// until decoding succeeds so that an error can still find its field.
	yamlSource []byte
}

// maxYAMLChunkBytes bounds one YAML document before it is parsed: YAML
// can be longer than its JSON (indentation, comments), so allow four times
// the largest resource.
const maxYAMLChunkBytes = 4 * MaxDocumentBytes

// chunk is a piece of a source between lines that start with "---".
type chunk struct {
	data []byte
	line int // line of data[0] in the source
}

// splitChunks cuts data at every line that starts with "---", as Sensu Go's
// sensuctl create does.
func splitChunks(data []byte) []chunk {
	var out []chunk
	start, startLine, line := 0, 1, 1
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		if bytes.HasPrefix(data[i:next], []byte("---")) {
			out = append(out, chunk{data: data[start:i], line: startLine})
			start, startLine = next, line+1
		}
		i = next
		line++
	}
	return append(out, chunk{data: data[start:], line: startLine})
}

// isBlank reports a chunk with nothing but whitespace and YAML comments.
func firstContent(data []byte) (byte, int) {
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case ' ', '\t', '\r', '\n':
		case '#':
			nl := bytes.IndexByte(data[i:], '\n')
			if nl < 0 {
				return 0, -1
			}
			i += nl
		default:
			return c, i
		}
	}
	return 0, -1
}

// Split cuts a source into documents. A chunk whose first character is
// "{" or "[" is JSON: concatenated objects and arrays of objects; any other
// chunk is one YAML document. Syntax errors name the source and line.
func Split(src Source) ([]*Document, error) {
	var docs []*Document
	for _, c := range splitChunks(src.Data) {
		d, err := parseChunk(src.Name, c)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	for i, d := range docs {
		d.Index = i + 1
	}
	return docs, nil
}

// parseChunk parses one chunk into documents (Index not set yet).
func parseChunk(name string, c chunk) ([]*Document, error) {
	first, at := firstContent(c.data)
	switch {
	case at < 0:
		return nil, nil
	case first == '{' || first == '[':
		// Start at the JSON: comment lines before it are not JSON.
		return splitJSON(name, chunk{data: c.data[at:], line: c.line + lineAt(c.data, int64(at))})
	}
	// One YAML document at a time: one far over the largest resource is
	// refused before it is parsed, which would take several times its size.
	if len(c.data) > maxYAMLChunkBytes {
		return nil, fmt.Errorf("%s:%d: a YAML document of %s: a resource is at most %s as JSON (the default of sensu-backend's --etcd-max-request-bytes)",
			name, c.line, humanize.IBytes(uint64(len(c.data))), humanize.IBytes(MaxDocumentBytes))
	}
	if js, line, ok := fastYAMLToJSON(c.data); ok {
		return []*Document{{Source: name, Line: c.line + line - 1, JSON: js, yamlSource: c.data, lineOffset: c.line - 1}}, nil
	}
	return splitYAML(name, c)
}

func splitJSON(name string, c chunk) ([]*Document, error) {
	var docs []*Document
	dec := json.NewDecoder(bytes.NewReader(c.data))
	// Lines are counted from the previous document, not from the start:
	// a JSON file is one chunk of many documents.
	lines, counted := 0, int64(0)
	add := func(raw json.RawMessage, offset int64) error {
		lines += lineAt(c.data[counted:], offset-counted)
		counted = offset
		line := c.line + lines
		if _, at := firstContent(raw); at < 0 || raw[at] != '{' {
			return fmt.Errorf("%s:%d: expected a JSON object with type, api_version, metadata and spec", name, line)
		}
		docs = append(docs, &Document{Source: name, Line: line, JSON: raw})
		return nil
	}
	for {
		offset := skipSpace(c.data, dec.InputOffset())
		if offset >= int64(len(c.data)) {
			return docs, nil
		}
		if c.data[offset] == '[' {
			if _, err := dec.Token(); err != nil {
				return nil, jsonSyntax(name, c, offset, err)
			}
			for dec.More() {
				at := skipSpace(c.data, dec.InputOffset())
				if c.data[at] == ',' {
					at = skipSpace(c.data, at+1)
				}
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, jsonSyntax(name, c, at, err)
				}
				if err := add(raw, at); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonSyntax(name, c, dec.InputOffset(), err)
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, jsonSyntax(name, c, offset, err)
		}
		if err := add(raw, offset); err != nil {
			return nil, err
		}
	}
}

func skipSpace(data []byte, at int64) int64 {
	for at < int64(len(data)) {
		switch data[at] {
		case ' ', '\t', '\r', '\n':
			at++
		default:
			return at
		}
	}
	return at
}

// lineAt is the 0-based line of offset in data.
func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n"))
}

func jsonSyntax(name string, c chunk, fallback int64, err error) error {
	offset := fallback
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = se.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		offset = int64(len(c.data))
		err = errors.New("unexpected end of JSON input")
	}
	return fmt.Errorf("%s:%d: invalid JSON: %v", name, c.line+lineAt(c.data, offset), err)
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func splitYAML(name string, c chunk) ([]*Document, error) {
	var docs []*Document
	dec := yaml.NewDecoder(bytes.NewReader(c.data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, yamlSyntax(name, c, err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		d := &Document{Source: name, Line: c.line + root.Line - 1, node: root, lineOffset: c.line - 1}
		if root.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: expected a mapping with type, api_version, metadata and spec, found %s", name, d.Line, kindName(root))
		}
		var buf bytes.Buffer
		if err := nodeJSON(&buf, root, 0); err != nil {
			return nil, yamlSyntax(name, c, err) // its "line N" is in the chunk
		}
		d.JSON = buf.Bytes()
		docs = append(docs, d)
	}
}

func yamlSyntax(name string, c chunk, err error) error {
	msg := yamlLineRE.ReplaceAllStringFunc(err.Error(), func(m string) string {
		n, _ := strconv.Atoi(m[len("line "):])
		return "line " + strconv.Itoa(n+c.line-1)
	})
	if loc := yamlLineRE.FindStringSubmatch(msg); loc != nil {
		rest := msg
		if i := bytes.Index([]byte(msg), []byte(loc[0]+": ")); i >= 0 {
			rest = msg[i+len(loc[0])+2:]
		}
		return fmt.Errorf("%s:%s: invalid YAML: %s", name, loc[1], rest)
	}
	return fmt.Errorf("%s:%d: invalid YAML: %s", name, c.line, msg)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", n.Value)
	}
	return "something else"
}
