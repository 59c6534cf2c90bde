// Package output prints command results for sensuctl.
//
// Libraries return data; commands turn it into a Data value (a table for
// humans, a value for json and yaml, resources for wrapped-json) and hand it
// to a Printer. This package only writes the data it is given: it prints no
// messages of its own and never decides exit codes.
//
// The formats are stable contracts that scripts rely on:
//
//   - json: encoding/json, 2-space indent, HTML escaping off, trailing newline.
//   - yaml: derived from the JSON encoding (json tags apply), keys in the
//     JSON order, 2-space indent.
//   - wrapped-json: a stream of pretty-printed JSON objects, one per resource,
//     that sensuctl create reads back.
//   - table: plain aligned text when the writer is not a terminal (see
//     writePlainTable for the exact layout), a lightly decorated table fitted
//     to the terminal width otherwise.
package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Format is an output format name as given to --format.
type Format string

// The supported formats.
const (
	FormatTable       Format = "table"
	FormatJSON        Format = "json"
	FormatYAML        Format = "yaml"
	FormatWrappedJSON Format = "wrapped-json"
)

// formatTabular is accepted by ParseFormat as an alias of FormatTable, the
// name Sensu Go uses.
const formatTabular = "tabular"

// Formats lists every format in help/error order.
var Formats = []Format{FormatTable, FormatJSON, FormatYAML, FormatWrappedJSON}

// ParseFormat returns the Format named s. It accepts exactly the names in
// Formats, plus "tabular" as an alias of table.
func ParseFormat(s string) (Format, error) {
	if s == formatTabular {
		return FormatTable, nil
	}
	for _, f := range Formats {
		if s == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: use one of %s", s, formatList(Formats))
}

func formatList(fs []Format) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// errNoWrapped is returned when wrapped-json is asked of a command whose
// output is not a list of resources.
var errNoWrapped = errors.New("wrapped-json applies to resources; use one of " +
	formatList([]Format{FormatTable, FormatJSON, FormatYAML}) + " for this command")

// Table is what a command shows in table format.
type Table struct {
	// Title is an optional line printed above the table,
	// e.g. "=== Etcd Cluster ID: 4bf4aa4df3148b4f".
	Title string
	// Headers names the columns. They are printed in upper case.
	Headers []string
	// Rows holds the cells; every row must have one cell per header.
	Rows [][]string
}

// Data is one thing to print.
type Data struct {
	// Table is shown in table format.
	Table Table
	// Value is shown in json and yaml formats, marshalled with encoding/json
	// semantics (json tags, omitempty, MarshalJSON). It must not be nil.
	Value any
	// Wrapped is shown in wrapped-json format, one object per resource. Nil
	// means the command does not support wrapped-json.
	Wrapped []any
}

// Printer writes Data to Out in Format.
type Printer struct {
	Out    io.Writer
	Format Format
	// Terminal reports that Out is a terminal: tables may be decorated and
	// fitted to Width.
	Terminal bool
	// Width is the terminal width in columns when Terminal; 0 means unknown
	// and tables are not fitted.
	Width int
}

// New returns a Printer for w in format f, detecting whether w is a
// terminal and, if so, its width.
func New(w io.Writer, f Format) Printer {
	p := Printer{Out: w, Format: f}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.Terminal = true
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			p.Width = width
		}
	}
	return p
}

// IsTerminal reports whether w is a terminal (an *os.File for which
// term.IsTerminal is true).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Print writes d in p.Format. The output is built in memory first, so on
// error nothing is written.
func (p Printer) Print(d Data) error {
	f, err := ParseFormat(string(p.Format))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch f {
	case FormatJSON:
		err = writeJSON(&buf, d.Value)
	case FormatYAML:
		err = writeYAML(&buf, d.Value)
	case FormatWrappedJSON:
		err = writeWrapped(&buf, d.Wrapped)
	default:
		if p.Terminal {
			err = writeTerminalTable(&buf, d.Table, p.Width)
		} else {
			err = writePlainTable(&buf, d.Table)
		}
	}
	if err != nil {
		return err
	}
	_, err = p.Out.Write(buf.Bytes())
	return err
}

// errNoValue is returned when json or yaml is asked of Data without a Value.
var errNoValue = errors.New("output: no value to print")

// writeJSON writes v as 2-space indented JSON without HTML escaping,
// followed by a newline.
func writeJSON(w io.Writer, v any) error {
	if v == nil {
		return errNoValue
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeWrapped writes each resource as an indented JSON object followed by
// a newline: a stream of concatenated objects.
func writeWrapped(w io.Writer, resources []any) error {
	if resources == nil {
		return errNoWrapped
	}
	for _, r := range resources {
		if err := writeJSON(w, r); err != nil {
			return err
		}
	}
	return nil
}
