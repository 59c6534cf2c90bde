package resource

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Selectors in Sensu Go's syntax (sensu-go backend/selector, and the docs'
// "API response filtering"): statements joined with &&, all of which must
// hold.
//
//	key == value   key != value   key matches "text"
//	key in [a, b]  key notin [a, b]
//	value in list.field  value notin list.field
//
// Keys and values are bare words or quoted strings ("..." or '...', with no
// escapes). A bare word is what Sensu Go's lexer takes for an identifier:
// letters, digits, _, . and /, starting with a letter or _, with a letter or
// _ after each dot; anything else (us-west-1, 1b04994n) must be quoted. The
// words in, notin and matches are operators and true and false are values,
// in any case. A label selector reads metadata labels; a field selector
// reads the fields Sensu Go computes for a resource (CoreFields).
//
// "value in word" is Sensu Go's form for list-valued fields (linux in
// check.subscriptions): when the resource has the field "word", its value is
// split at commas and the value on the left must be one of the elements.
// When it has no such field, Sensu Go reads the statement as "key in [word]"
// (check.name in web: the name is web), and so does Matches. A list in
// brackets is always a list.

// Selector is a parsed label or field selector. The zero Selector (and the
// parse of "") selects everything.
type Selector struct {
	kind       string // "label" or "field"
	text       string
	statements []statement
}

type statement struct {
	key    string   // label key or field name, or for the reversed in/notin the value
	op     string   // "==", "!=", "matches", "in", "notin"
	values []string // one for ==, != and matches; the list of in and notin
	field  string   // in/notin followed by a word: the field on the right (then values is [field])
}

// ParseLabelSelector reads a --label-selector, matched against labels.
func ParseLabelSelector(s string) (Selector, error) { return parseSelector("label", s) }

// ParseFieldSelector reads a --field-selector, matched against the fields
// of CoreFields.
func ParseFieldSelector(s string) (Selector, error) { return parseSelector("field", s) }

// Empty reports whether the selector has no statement (selects everything).
func (s Selector) Empty() bool { return len(s.statements) == 0 }

// Matches reports whether every statement holds for set (labels, or fields).
// A missing key fails ==, in and matches and satisfies != and notin.
func (s Selector) Matches(set map[string]string) bool {
	for _, st := range s.statements {
		if !st.matches(set) {
			return false
		}
	}
	return true
}

// MatchesLabels applies a label selector to an object's labels. An event
// also matches when the labels of its entity and check (the check's winning
// over the entity's) do, as Sensu Go's API filters events.
func (s Selector) MatchesLabels(o Object) bool {
	if s.Matches(o.Meta().Labels) {
		return true
	}
	e, ok := o.(*Event)
	if !ok || s.Empty() {
		return false
	}
	merged := map[string]string{}
	if e.Entity != nil {
		for k, v := range e.Entity.Metadata.Labels {
			merged[k] = v
		}
	}
	if e.Check != nil {
		for k, v := range e.Check.Metadata.Labels {
			merged[k] = v
		}
	}
	return s.Matches(merged)
}

func (st statement) matches(set map[string]string) bool {
	if st.field != "" {
		// value in field: when the field is there, the value must be (or
		// not be) one of its elements. Otherwise Sensu Go reads it as
		// key in [word], and so do we.
		if v, ok := set[st.field]; ok {
			in := slices.Contains(splitList(v), st.key)
			return in == (st.op == "in")
		}
	}
	v, ok := set[st.key]
	switch st.op {
	case "==":
		return ok && v == st.values[0]
	case "!=":
		return !ok || v != st.values[0]
	case "matches":
		return ok && strings.Contains(v, st.values[0])
	case "in":
		return ok && slices.Contains(st.values, v)
	case "notin":
		return !ok || !slices.Contains(st.values, v)
	}
	return false
}

// splitList reads a list-valued field as Sensu Go does: brackets trimmed,
// split at commas, each element trimmed. An empty field is an empty list.
func splitList(v string) []string {
	v = strings.Trim(v, "[]")
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// syntaxHelp ends every parse error: Sensu Go's syntax and an example.
func syntaxHelp(kind string) string {
	example := `env == "prod" && tier in [web, db]`
	if kind == "field" {
		example = `check.name matches "web" && linux in check.subscriptions`
	}
	return `use Sensu Go's syntax: key == value, key != value, key in [a, b], key notin [a, b], key matches "text", joined with && (e.g. '` + example + `')`
}

// SelectorError is a selector that does not parse.
type SelectorError struct {
	Kind     string // "label" or "field"
	Selector string
	At       string // the offending part
	Reason   string
}

func (e *SelectorError) Error() string {
	at := fmt.Sprintf("at %q", e.At)
	if e.At == "" {
		at = "at the end"
	}
	return fmt.Sprintf("%s selector %q: %s: %s; %s", e.Kind, e.Selector, at, e.Reason, syntaxHelp(e.Kind))
}

func parseSelector(kind, s string) (Selector, error) {
	sel := Selector{kind: kind, text: s}
	toks, err := lex(s)
	if err == nil {
		p := &parser{toks: toks}
		sel.statements, err = p.selector()
	}
	var pe *posError
	if errors.As(err, &pe) {
		return Selector{}, &SelectorError{Kind: kind, Selector: s, At: pe.at, Reason: pe.reason}
	}
	return sel, err
}

type tokKind int

const (
	tEOF     tokKind = iota
	tWord            // bare word (identifier)
	tString          // quoted string
	tBool            // true, false
	tKeyword         // in, notin, matches
	tEq              // ==
	tNe              // !=
	tAnd             // &&
	tLBrack          // [
	tRBrack          // ]
	tComma           // ,
)

type token struct {
	kind  tokKind
	value string // the word, the unquoted string, the lower-case keyword
	text  string // as written, for errors
}

// posError is a parse error at an offending part of the input.
type posError struct{ at, reason string }

func (e *posError) Error() string { return fmt.Sprintf("at %q: %s", e.at, e.reason) }

// stopRunes end a bare word.
const stopRunes = `[],=!&|"'()<>~`

// lex splits s into tokens, refusing what Sensu Go's lexer refuses (and
// saying why, with Kubernetes' syntax in mind).
func lex(s string) ([]token, error) {
	var toks []token
	// rest is the run of non-space input from i, the offending part of an error.
	rest := func(i int) string {
		end := strings.IndexFunc(s[i:], unicode.IsSpace)
		if end < 0 {
			return s[i:]
		}
		return s[i : i+end]
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '[':
			toks = append(toks, token{kind: tLBrack, text: "["})
			i++
		case r == ']':
			toks = append(toks, token{kind: tRBrack, text: "]"})
			i++
		case r == ',':
			toks = append(toks, token{kind: tComma, text: rest(i)})
			i++
		case strings.HasPrefix(s[i:], "=="):
			toks = append(toks, token{kind: tEq, text: "=="})
			i += 2
		case strings.HasPrefix(s[i:], "!="):
			toks = append(toks, token{kind: tNe, text: "!="})
			i += 2
		case strings.HasPrefix(s[i:], "&&"):
			toks = append(toks, token{kind: tAnd, text: "&&"})
			i += 2
		case r == '=':
			return nil, &posError{rest(i), "a single = is not an operator: compare with =="}
		case r == '!':
			return nil, &posError{rest(i), `! only comes in !=: Sensu Go's selectors cannot test whether a key is set (use key != value)`}
		case r == '&':
			return nil, &posError{rest(i), "join statements with &&"}
		case r == '|':
			return nil, &posError{rest(i), "Sensu Go's selectors have no OR: statements are joined with && only"}
		case r == '(' || r == ')':
			return nil, &posError{rest(i), "lists go in square brackets: key in [a, b]"}
		case r == '"' || r == '\'':
			end := strings.IndexRune(s[i+1:], r)
			if end < 0 {
				return nil, &posError{s[i:], "the string is not closed"}
			}
			v := s[i+1 : i+1+end]
			toks = append(toks, token{kind: tString, value: v, text: s[i : i+2+end]})
			i += end + 2
		default:
			end := strings.IndexFunc(s[i:], func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(stopRunes, r) })
			if end < 0 {
				end = len(s) - i
			}
			if end == 0 {
				return nil, &posError{rest(i), fmt.Sprintf("unexpected %q", r)}
			}
			w := s[i : i+end]
			i += end
			switch lw := strings.ToLower(w); lw {
			case "in", "notin", "matches":
				toks = append(toks, token{kind: tKeyword, value: lw, text: w})
			case "true", "false":
				toks = append(toks, token{kind: tBool, value: lw, text: w})
			default:
				if reason := badWord(w); reason != "" {
					return nil, &posError{w, reason}
				}
				toks = append(toks, token{kind: tWord, value: w, text: w})
			}
		}
	}
	return append(toks, token{kind: tEOF}), nil
}

// badWord says why w is not a bare word, as Sensu Go's lexer reads
// identifiers, or "".
func badWord(w string) string {
	quote := fmt.Sprintf(`; quote it: "%s"`, w)
	const rule = "a bare word has letters, digits, _, . and /, starts with a letter or _ and has a letter or _ after each dot"
	prevDot := false
	for i, r := range w {
		isStart := r == '_' || unicode.IsLetter(r)
		switch {
		case i == 0 && !isStart, prevDot && !isStart:
			return rule + quote
		case !isStart && !unicode.IsDigit(r) && r != '.' && r != '/':
			return rule + quote
		}
		prevDot = r == '.'
	}
	if prevDot {
		return rule + quote
	}
	return ""
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) selector() ([]statement, error) {
	if p.peek().kind == tEOF {
		return nil, nil
	}
	var out []statement
	for {
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
		switch t := p.next(); t.kind {
		case tEOF:
			return out, nil
		case tAnd:
			if p.peek().kind == tEOF {
				return nil, &posError{"&&", "a statement must follow &&"}
			}
		case tComma:
			return nil, &posError{t.text, "statements are joined with &&, not commas"}
		default:
			return nil, &posError{t.text, "expected && or the end after a statement"}
		}
	}
}

func (p *parser) statement() (statement, error) {
	left := p.next()
	switch left.kind {
	case tWord, tString:
	case tEOF:
		return statement{}, &posError{"", "expected a statement"}
	case tKeyword, tBool:
		return statement{}, &posError{left.text, fmt.Sprintf(`%q is a keyword; quote it to use it as a key: "%s"`, left.text, left.text)}
	default:
		return statement{}, &posError{left.text, "a statement starts with a key"}
	}
	op := p.next()
	st := statement{key: left.value}
	switch {
	case op.kind == tEq, op.kind == tNe, op.kind == tKeyword && op.value == "matches":
		st.op = op.value
		if op.kind != tKeyword {
			st.op = op.text
		}
		v, err := p.value(st.op)
		if err != nil {
			return statement{}, err
		}
		st.values = []string{v}
		return st, nil
	case op.kind == tKeyword: // in, notin
		st.op = op.value
		switch t := p.peek(); t.kind {
		case tLBrack:
			p.next()
			list, err := p.list(st.op)
			if err != nil {
				return statement{}, err
			}
			st.values = list
		case tWord:
			// Sensu Go's reversed form: the value on the left, a list-valued field on the right.
			p.next()
			st.field, st.values = t.value, []string{t.value}
		case tEOF:
			return statement{}, &posError{"", fmt.Sprintf("%s needs a list [a, b] or a field after it", st.op)}
		default:
			return statement{}, &posError{t.text, fmt.Sprintf("%s takes a list [a, b] or a field name (unquoted)", st.op)}
		}
		return st, nil
	case op.kind == tEOF:
		return statement{}, &posError{left.text, "the statement has no operator"}
	default:
		return statement{}, &posError{op.text, "expected an operator: ==, !=, in, notin or matches"}
	}
}

// value reads the one value after ==, != or matches.
func (p *parser) value(op string) (string, error) {
	switch t := p.next(); t.kind {
	case tWord, tString, tBool:
		return t.value, nil
	case tEOF:
		return "", &posError{"", "expected a value after " + op}
	case tKeyword:
		return "", &posError{t.text, fmt.Sprintf(`%q is a keyword; quote it to use it as a value: "%s"`, t.text, t.text)}
	default:
		return "", &posError{t.text, "expected a value after " + op}
	}
}

// list reads "a, b]" after the "[" of in or notin: one or more values,
// separated by single commas.
func (p *parser) list(op string) ([]string, error) {
	var out []string
	for {
		switch t := p.next(); t.kind {
		case tWord, tString, tBool:
			out = append(out, t.value)
		case tRBrack:
			return nil, &posError{"]", fmt.Sprintf("the list of %s needs a value", op)}
		case tEOF:
			return nil, &posError{"", "the list is not closed with ]"}
		default:
			return nil, &posError{t.text, "expected a value in the list"}
		}
		switch t := p.next(); t.kind {
		case tComma:
		case tRBrack:
			return out, nil
		case tEOF:
			return nil, &posError{"", "the list is not closed with ]"}
		default:
			return nil, &posError{t.text, "separate the values of a list with commas"}
		}
	}
}

// FieldNames are the fields a field selector can name for type t, as
// core/v2's Fields computes them, sorted, and the prefix of its label
// fields (e.g. "check.labels."), or "" when it has none.
func FieldNames(t *Type) (names []string, labelPrefix string, err error) {
	const probe = "sensuctl-label-probe"
	o := t.New()
	SetLabel(o, probe, "x")
	if e, ok := o.(*Event); ok {
		// core/v2's EventFields reads the event's check and entity.
		e.Entity, e.Check = &Entity{}, &Check{}
	}
	value, err := Encode(o)
	if err != nil {
		return nil, "", err
	}
	fields, err := CoreFields(t, value)
	if err != nil {
		return nil, "", err
	}
	for k := range fields {
		if p, ok := strings.CutSuffix(k, probe); ok {
			labelPrefix = p
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	return names, labelPrefix, nil
}

// CheckFields refuses a field selector that names a field type t does not
// have (Sensu Go would silently match nothing, or everything for !=).
func (s Selector) CheckFields(t *Type) error {
	if s.Empty() {
		return nil
	}
	names, labelPrefix, err := FieldNames(t)
	if err != nil {
		return err
	}
	isField := func(f string) bool {
		return slices.Contains(names, f) || labelPrefix != "" && strings.HasPrefix(f, labelPrefix) && len(f) > len(labelPrefix)
	}
	for _, st := range s.statements {
		var what string
		switch {
		case st.field != "" && (isField(st.field) || isField(st.key)):
			continue
		case st.field != "":
			what = fmt.Sprintf("neither %q nor %q is a field of %s", st.key, st.field, t.ShortName)
		case isField(st.key):
			continue
		default:
			what = fmt.Sprintf("%q is not a field of %s", st.key, t.ShortName)
		}
		known := "it has none"
		if len(names) > 0 {
			known = "its fields are " + strings.Join(names, ", ")
			if labelPrefix != "" {
				known += ", " + labelPrefix + "KEY"
			}
		}
		return fmt.Errorf("%s selector %q: %s: %s", s.kind, s.text, what, known)
	}
	return nil
}
