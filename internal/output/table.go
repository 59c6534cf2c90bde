package output

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// emptyCell stands in for an empty (or all-blank) cell so that every column
// holds a field and whitespace-splitting tools see the right column count.
const emptyCell = "-"

// columnGap is the space between columns in plain tables.
const columnGap = 2

// lineBreaks turns everything that would split a row over several lines, or
// confuse column alignment, into a single space.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ", "\v", " ", "\f", " ")

// tabs turns tabs into spaces and normalises line endings to "\n" for
// terminal tables, which keep newlines (they render as multi-line cells)
// but cannot align a tab, whose width is unknown.
var tabs = strings.NewReplacer("\t", " ", "\v", " ", "\f", " ", "\r\n", "\n", "\r", "\n")

// prepare validates t and returns its headers in upper case and its rows with
// every cell cleaned by clean and empty cells replaced by emptyCell.
func prepare(t Table, clean *strings.Replacer) (headers []string, rows [][]string, err error) {
	cols := len(t.Headers)
	if cols == 0 && len(t.Rows) > 0 {
		cols = len(t.Rows[0])
	}
	if cols == 0 {
		return nil, nil, nil // no columns: nothing to draw
	}
	for i, r := range t.Rows {
		if len(r) != cols {
			return nil, nil, fmt.Errorf("output: table row %d has %d cells, want %d", i, len(r), cols)
		}
	}
	cell := func(s string) string {
		s = strings.TrimSpace(clean.Replace(s))
		if s == "" {
			return emptyCell
		}
		return s
	}
	if len(t.Headers) > 0 {
		headers = make([]string, cols)
		for i, h := range t.Headers {
			headers[i] = strings.ToUpper(cell(h))
		}
	}
	rows = make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, cols)
		for j, c := range r {
			rows[i][j] = cell(c)
		}
	}
	return headers, rows, nil
}

// writePlainTable writes t as plain text for pipes, files and CI logs, so
// that it can be parsed line by line (for example with awk -F '  +'):
//
//   - the Title, if any, on the first line, directly followed by the table;
//   - the header row in upper case, then one line per row, even with zero
//     rows, so that "nothing" can be told apart from an error;
//   - columns left-aligned and separated by at least two spaces, with no
//     trailing spaces; widths are counted in runes, like text/tabwriter;
//   - newlines and tabs inside a cell become spaces, so a row is one line;
//     leading and trailing blanks are trimmed, and an empty cell prints
//     as "-";
//   - no colour, box drawing, truncation or wrapping.
func writePlainTable(w io.Writer, t Table) error {
	headers, rows, err := prepare(t, lineBreaks)
	if err != nil {
		return err
	}
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(lineBreaks.Replace(t.Title))
		b.WriteByte('\n')
	}
	lines := rows
	if headers != nil {
		lines = append([][]string{headers}, rows...)
	}
	var widths []int
	for _, l := range lines {
		for i, c := range l {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, l := range lines {
		for i, c := range l {
			b.WriteString(c)
			if i < len(l)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+columnGap))
			}
		}
		b.WriteByte('\n')
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// writeTerminalTable writes t for a person at a terminal: the Title, then
// the table with light box-drawing lines between columns and under the
// header, no outer border and no colour (so NO_COLOR needs no handling).
// When width > 0, the widest columns are narrowed and their cells wrapped
// (at spaces where possible) so that the table fits; nothing is truncated.
func writeTerminalTable(w io.Writer, t Table, width int) error {
	headers, rows, err := prepare(t, tabs)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if t.Title != "" {
		buf.WriteString(lineBreaks.Replace(t.Title) + "\n")
	}
	if headers != nil || len(rows) > 0 {
		if width > 0 {
			fit(headers, rows, width)
		}
		if err := renderBox(&buf, headers, rows); err != nil {
			return err
		}
	}
	// Cells are padded to the column width; drop the padding at line ends.
	lines := strings.SplitAfter(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimSuffix(l, "\n"), " ")
		if strings.HasSuffix(l, "\n") {
			lines[i] += "\n"
		}
	}
	_, err = io.WriteString(w, strings.Join(lines, ""))
	return err
}

// renderBox draws the table with tablewriter. Cells arrive already cleaned
// and wrapped, so tablewriter only lays them out.
func renderBox(w io.Writer, headers []string, rows [][]string) error {
	cols := len(headers)
	if cols == 0 {
		cols = len(rows[0])
	}
	// One space either side of each column separator, none at the edges.
	pad := make([]tw.Padding, cols)
	for i := range pad {
		pad[i] = tw.PaddingDefault
	}
	pad[0].Left = ""
	pad[cols-1].Right = ""
	section := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.PaddingDefault, PerColumn: pad},
	}
	table := tablewriter.NewTable(w,
		tablewriter.WithConfig(tablewriter.Config{Header: section, Row: section}),
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleLight),
			Settings: tw.Settings{
				Lines:      tw.Lines{ShowHeaderLine: tw.On},
				Separators: tw.Separators{BetweenColumns: tw.On},
			},
		})),
	)
	if headers != nil {
		table.Header(headers)
	}
	if err := table.Bulk(rows); err != nil {
		return err
	}
	return table.Render()
}

// minColumnWidth is the narrowest fit will make a column.
const minColumnWidth = 8

// maxAtomWidth bounds the words fit keeps whole: IDs, URLs and sizes up to
// this width are never broken; longer words may be.
const maxAtomWidth = 32

// fit wraps the cells of headers and rows in place so that the table
// renderBox draws is at most width columns wide: the widest columns are
// narrowed first, never below minColumnWidth nor below the longest word of
// their data (an ID broken over two lines is worse than a wide table; a table
// that still does not fit is left for the terminal to wrap).
func fit(headers []string, rows [][]string, width int) {
	all := rows
	if headers != nil {
		all = append([][]string{headers}, rows...)
	}
	cols := len(all[0])
	natural := make([]int, cols)
	floor := make([]int, cols)
	for i := range floor {
		floor[i] = minColumnWidth
	}
	for _, r := range all {
		for i, c := range r {
			for _, l := range strings.Split(c, "\n") {
				natural[i] = max(natural[i], twwidth.Width(l))
			}
		}
	}
	for _, r := range rows {
		for i, c := range r {
			for _, word := range strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' }) {
				if w := twwidth.Width(word) + 1; w <= maxAtomWidth { // +1 keeps a trailing comma on the line
					floor[i] = max(floor[i], min(w, natural[i]))
				}
			}
		}
	}
	// Each of the cols-1 separators takes " │ ".
	avail := width - 3*(cols-1)
	colLimit := func(i, limit int) int { return max(floor[i], min(natural[i], limit)) }
	total := func(limit int) int {
		n := 0
		for i := range natural {
			n += colLimit(i, limit)
		}
		return n
	}
	limit := slices.Max(natural)
	for limit > minColumnWidth && total(limit) > avail {
		limit--
	}
	for _, r := range all {
		for i, c := range r {
			if l := colLimit(i, limit); natural[i] > l {
				r[i] = Wrap(c, l)
			}
		}
	}
}

// Wrap breaks s into lines at most width columns wide, at spaces where it
// can and inside words longer than width.
func Wrap(s string, width int) string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lineWidth := "", 0
		flush := func() {
			out = append(out, line)
			line, lineWidth = "", 0
		}
		for _, word := range strings.Fields(para) {
			ww := twwidth.Width(word)
			switch {
			case lineWidth > 0 && lineWidth+1+ww <= width:
				line += " " + word
				lineWidth += 1 + ww
				continue
			case lineWidth > 0:
				flush()
			}
			for ww > width { // a word longer than a line: break it
				var head strings.Builder
				hw := 0
				for _, r := range word {
					rw := twwidth.Width(string(r))
					if hw+rw > width && hw > 0 {
						break
					}
					head.WriteRune(r)
					hw += rw
				}
				h := head.String()
				// Lists (URLs, names) read better broken after a comma.
				if i := strings.LastIndexByte(h, ','); i > 0 && i < len(h)-1 {
					h = h[:i+1]
				}
				out = append(out, h)
				word = word[len(h):]
				ww = twwidth.Width(word)
			}
			line, lineWidth = word, ww
		}
		flush()
	}
	return strings.Join(out, "\n")
}
