package sensu1config

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
)

// mergeObject merges src (one file, freshly decoded: its maps and slices are
// taken over) into dst, the settings loaded so far, as sensu-settings'
// deep_merge does, recording the origin of every path and a warning for each
// value replaced by a different one. Keys are visited in sorted order so
// that the warnings come in a stable order.
func (l *loader) mergeObject(dst, src map[string]any, path []string, file string) {
	for _, k := range sortedKeys(src) {
		p := append(path[:len(path):len(path)], k)
		sv := src[k]
		dv, exists := dst[k]
		dm, dIsMap := dv.(map[string]any)
		sm, sIsMap := sv.(map[string]any)
		da, dIsArr := dv.([]any)
		sa, sIsArr := sv.([]any)
		switch {
		case !exists:
			dst[k] = sv
			l.setOrigin(p, sv, file)
		case dIsMap && sIsMap:
			l.s.origin[originKey(p)] = file
			l.mergeObject(dm, sm, p, file)
		case dIsArr && sIsArr:
			dst[k] = uniq(append(append(make([]any, 0, len(da)+len(sa)), da...), sa...))
			l.s.origin[originKey(p)] = file
		default:
			if !equal(dv, sv) {
				l.warnReplaced(p, dv, sv, file)
			}
			dst[k] = sv
			l.setOrigin(p, sv, file)
		}
	}
}

// setOrigin records file as the origin of v at path and of everything in it.
func (l *loader) setOrigin(path []string, v any, file string) {
	l.s.origin[originKey(path)] = file
	if m, ok := v.(map[string]any); ok {
		for k, c := range m {
			l.setOrigin(append(path[:len(path):len(path)], k), c, file)
		}
	}
}

func (l *loader) warnReplaced(path []string, old, new any, file string) {
	prev := l.s.origin[originKey(path)]
	msg := describe(old) + " from " + prev + " overridden by " + describe(new) + " from " + file
	if ok, nk := kind(old), kind(new); ok != nk {
		msg += " (type changes from " + strings.TrimPrefix(strings.TrimPrefix(ok, "an "), "a ") +
			" to " + strings.TrimPrefix(strings.TrimPrefix(nk, "an "), "a ") + ")"
	}
	l.warn(file, strings.Join(path, "."), "%s", msg)
}

// describe renders a value as compact JSON, shortened for a message.
func describe(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // commands hold > and &
	if err := enc.Encode(v); err != nil {
		return "?"
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	const limit = 80
	if r := []rune(string(b)); len(r) > limit {
		return string(r[:limit-1]) + "…"
	}
	return string(b)
}

// uniq removes later duplicates from a, keeping the first occurrence, like
// Ruby's Array#uniq.
func uniq(a []any) []any {
	out := a[:0:0]
	for _, v := range a {
		dup := false
		for _, w := range out {
			if equal(v, w) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// equal compares two decoded JSON values deeply, the way Ruby's eql? (used
// by Array#uniq) compares the values Oj makes of them: an integer never
// equals a float (1 and 1.0 differ), integers compare by value, floats by
// their float64 value, and objects regardless of key order.
func equal(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case string:
		b, ok := b.(string)
		return ok && a == b
	case json.Number:
		b, ok := b.(json.Number)
		return ok && numbersEqual(a, b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equal(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !equal(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}

func numbersEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	aInt, bInt := isInteger(a), isInteger(b)
	if aInt != bInt {
		return false
	}
	if aInt {
		x, okx := new(big.Int).SetString(string(a), 10)
		y, oky := new(big.Int).SetString(string(b), 10)
		return okx && oky && x.Cmp(y) == 0
	}
	x, errx := strconv.ParseFloat(string(a), 64)
	y, erry := strconv.ParseFloat(string(b), 64)
	return errx == nil && erry == nil && x == y
}

// isInteger says a JSON number literal has no fraction and no exponent, so
// that Ruby parses it as an Integer.
func isInteger(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }
