package resource

import (
	"fmt"
	"strings"
)

// Selector matches labels, with the Kubernetes-style syntax Sensu Go uses:
// comma-separated requirements, all of which must hold:
//
//	key=value  key==value  key!=value  key in (a,b)  key notin (a,b)  key  !key
type Selector []requirement

type requirement struct {
	key    string
	op     string // "=", "!=", "in", "notin", "exists", "!exists"
	values []string
}

// ParseSelector reads a label selector; "" selects everything.
func ParseSelector(s string) (Selector, error) {
	var sel Selector
	for _, part := range splitOutsideParens(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r, err := parseRequirement(part)
		if err != nil {
			return nil, fmt.Errorf("label selector %q: %w", s, err)
		}
		sel = append(sel, r)
	}
	return sel, nil
}

func splitOutsideParens(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func parseRequirement(p string) (requirement, error) {
	if k, ok := strings.CutPrefix(p, "!"); ok {
		return requirement{key: strings.TrimSpace(k), op: "!exists"}, validKey(strings.TrimSpace(k))
	}
	for _, op := range []string{"!=", "==", "="} {
		if k, v, ok := strings.Cut(p, op); ok {
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if op == "==" {
				op = "="
			}
			return requirement{key: k, op: op, values: []string{v}}, validKey(k)
		}
	}
	fields := strings.Fields(p)
	if len(fields) >= 2 && (fields[1] == "in" || fields[1] == "notin") {
		rest := strings.TrimSpace(strings.Join(fields[2:], " "))
		if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
			return requirement{}, fmt.Errorf("%q: values of %s go in parentheses", p, fields[1])
		}
		var values []string
		for _, v := range strings.Split(rest[1:len(rest)-1], ",") {
			values = append(values, strings.TrimSpace(v))
		}
		return requirement{key: fields[0], op: fields[1], values: values}, validKey(fields[0])
	}
	if len(fields) == 1 {
		return requirement{key: fields[0], op: "exists"}, validKey(fields[0])
	}
	return requirement{}, fmt.Errorf("%q is not key=value, key!=value, key in (…), key notin (…), key or !key", p)
}

func validKey(k string) error {
	if k == "" || strings.ContainsAny(k, " ()!=,") {
		return fmt.Errorf("%q is not a label key", k)
	}
	return nil
}

// Matches reports whether labels satisfy every requirement.
func (s Selector) Matches(labels map[string]string) bool {
	for _, r := range s {
		v, ok := labels[r.key]
		switch r.op {
		case "=":
			if !ok || v != r.values[0] {
				return false
			}
		case "!=":
			if ok && v == r.values[0] {
				return false
			}
		case "in":
			if !ok || !contains(r.values, v) {
				return false
			}
		case "notin":
			if ok && contains(r.values, v) {
				return false
			}
		case "exists":
			if !ok {
				return false
			}
		case "!exists":
			if ok {
				return false
			}
		}
	}
	return true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
