package sensu1token

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// normalize turns the values a caller may hand in (maps with string keys and
// slices of any element type, Go integers and floats) into the forms of
// encoding/json: map[string]any, []any, json.Number, float64, string, bool,
// nil. It is shallow: map and slice elements are normalized when visited.
func normalize(v any) any {
	switch v.(type) {
	case nil, map[string]any, []any, string, bool, json.Number, float64:
		return v
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return m
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return []any{}
		}
		s := make([]any, rv.Len())
		for i := range s {
			s[i] = rv.Index(i).Interface()
		}
		return s
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return json.Number(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface())
	}
	return v
}

// rubyToS is Ruby's to_s of a scalar as 1.x's JSON parser would have built
// it. It reports false for arrays, hashes and types that JSON cannot hold.
func rubyToS(v any) (string, bool) {
	switch v := normalize(v).(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return rubyFloat(v), true
	case json.Number:
		return rubyNumber(v), true
	}
	return "", false
}

// rubyNumber prints a JSON number literal as Ruby's JSON parser and to_s
// would: a literal with a fraction or an exponent is a Float, any other an
// Integer (of any size).
func rubyNumber(n json.Number) string {
	s := string(n)
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return s
		}
		return rubyFloat(f) // out of range: ±Inf, as Ruby's parser gives
	}
	var i big.Int
	if _, ok := i.SetString(s, 10); !ok {
		return s
	}
	return i.String()
}

// rubyFloat is Ruby's Float#to_s: the shortest digits that read back as f,
// in fixed notation with at least one fractional digit when the decimal
// exponent (of d.ddd × 10^e) is in [-4, 14] (1e-4 <= |f| < 1e15), else
// as d.ddde±XX.
func rubyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // "-1.2345e+16", "1e-05"
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	if f == 0 || (x >= -4 && x <= 14) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	return mant + "e" + exp
}

// rubyInspect is Ruby's inspect of a value from JSON parsed with symbolized
// names, as interpolating an Array into a string gives it.
func rubyInspect(v any) string {
	var b strings.Builder
	writeInspect(&b, v)
	return b.String()
}

func writeInspect(b *strings.Builder, v any) {
	switch v := normalize(v).(type) {
	case nil:
		b.WriteString("nil")
	case string:
		b.WriteString(rubyQuote(v))
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeInspect(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		// Ruby keeps insertion order; a Go map has none, so keys are sorted.
		b.WriteByte('{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(rubySymbol(k))
			b.WriteString("=>")
			writeInspect(b, v[k])
		}
		b.WriteByte('}')
	default:
		if s, ok := rubyToS(v); ok {
			b.WriteString(s)
		} else {
			fmt.Fprint(b, v)
		}
	}
}

var plainSymbol = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*[?!=]?$`)

// rubySymbol is Symbol#inspect for the identifier-like names JSON keys
// usually are; operator symbols (:+, :[]) are quoted, unlike Ruby.
func rubySymbol(k string) string {
	if plainSymbol.MatchString(k) {
		return ":" + k
	}
	return ":" + rubyQuote(k)
}

// rubyQuote is String#inspect of a UTF-8 string.
func rubyQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02X`, s[i])
			i++
			continue
		}
		i += size
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\v':
			b.WriteString(`\v`)
		case '\b':
			b.WriteString(`\b`)
		case '\a':
			b.WriteString(`\a`)
		case 0x1b:
			b.WriteString(`\e`)
		case '#':
			if n := s[i:]; n != "" && (n[0] == '{' || n[0] == '$' || n[0] == '@') {
				b.WriteByte('\\')
			}
			b.WriteByte('#')
		default:
			switch {
			case strconv.IsPrint(r):
				b.WriteRune(r)
			case r > 0xFFFF:
				fmt.Fprintf(&b, `\u{%X}`, r)
			default:
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
