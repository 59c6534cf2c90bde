package sensu1token

import (
	"fmt"
	"strconv"
	"strings"
)

// Translate turns the 1.x tokens in s into Sensu Go template actions, as the
// package documentation describes: :::name::: becomes {{ .name }}, any other
// path P {{ index .labels "P" }}, and a default D adds | default "D". The
// text outside tokens is kept, with literal "{{" escaped so that the
// template prints it. problems lists, one sentence each, what Translate can
// see will not behave as in 1.x (tokens into client settings that are no
// labels, non-ASCII text, "<no value>"); the string is translated as well as
// possible all the same.
func Translate(s string) (out string, problems []string) {
	var b translation
	last := 0
	for _, t := range Tokens(s) {
		b.text(s[last:t.Start])
		last = t.End
		action, problem := translateToken(t)
		if problem != "" {
			problems = append(problems, problem)
		}
		if action == "" { // an empty path with a default: always the default
			b.text(t.Default)
			continue
		}
		b.action(action)
	}
	b.text(s[last:])
	if hasNonASCII(s) {
		problems = append(problems, "the string has non-ASCII characters, which Sensu 1.x removed before using it; the translation keeps them")
	}
	if strings.Contains(s, "<no value>") {
		problems = append(problems, `the string contains "<no value>", which Sensu Go takes for an unmatched token`)
	}
	return b.String(), problems
}

// translateToken returns the template action for t ("" when t always yields
// its default) and a problem sentence when the translation differs from 1.x.
func translateToken(t Token) (action, problem string) {
	pipe := ""
	if t.HasDefault {
		pipe = " | default " + strconv.Quote(t.Default)
	}
	if len(t.Path) == 0 {
		if t.HasDefault {
			return "", ""
		}
		// 1.x never finds an empty path; neither does Sensu Go find the
		// label "", which Flatten never makes.
		return `{{ index .labels "" }}`, fmt.Sprintf("%s: the token has an empty path, which 1.x never matched", t.Raw)
	}
	switch first := t.Path[0]; {
	case first == "name":
		// The name is a String in 1.x, so the walk stops there.
		return "{{ .name" + pipe + " }}", ""
	case first == "address":
		// address is a String too (required by the 1.x validator).
		return `{{ index .labels "address"` + pipe + " }}", ""
	case excluded[first]:
		problem = fmt.Sprintf("%s: %q is a 1.x client setting, not a custom attribute, so it is no label: the translated token gets its default or is unmatched", t.Raw, first)
	}
	return "{{ index .labels " + strconv.Quote(t.Key()) + pipe + " }}", problem
}

// translation builds a template from literal text and actions. Text is
// buffered so that a "{" at its end can be escaped when an action follows:
// Go would read "{" + "{{ .name }}" as the start of an action.
type translation struct {
	strings.Builder
	pending string
}

func (b *translation) text(s string) { b.pending += s }

func (b *translation) action(a string) {
	b.flush(true)
	b.WriteString(a)
}

func (b *translation) String() string {
	b.flush(false)
	return b.Builder.String()
}

// flush writes the pending text: every run of two or more "{", and a single
// "{" at the end when an action follows, becomes an action printing it.
func (b *translation) flush(actionFollows bool) {
	s := b.pending
	b.pending = ""
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		n := i
		for n < len(s) && s[n] == '{' {
			n++
		}
		run := s[i:n]
		s = s[n:]
		if len(run) >= 2 || (s == "" && actionFollows) {
			b.WriteString("{{ " + strconv.Quote(run) + " }}")
		} else {
			b.WriteString(run)
		}
	}
}
