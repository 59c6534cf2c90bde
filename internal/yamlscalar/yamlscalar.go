// Package yamlscalar answers one question for both directions of our YAML
// handling (the dump writer and the fast reader): could yaml.v3 read a plain
// scalar as something other than a string?
package yamlscalar

import (
	"regexp"
	"strconv"
	"strings"
)

// MayBeNumberOrTime is true for anything yaml.v3 could resolve to an int,
// float or timestamp, following its rules: a date prefix, then Go's integer
// syntax (any base, underscores removed), YAML's float syntax, the 0b and
// 0o prefixes, and the special floats. It is cheap: no YAML parsing.
func MayBeNumberOrTime(s string) bool {
	if len(s) >= 5 && s[4] == '-' && allDigits(s[:4]) {
		return true
	}
	plain := s
	if strings.IndexByte(s, '_') >= 0 {
		plain = strings.ReplaceAll(s, "_", "")
	}
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return true
	}
	if yamlFloat.MatchString(plain) {
		return true
	}
	for _, p := range []string{"0b", "-0b", "+0b", "0o", "-0o", "+0o"} {
		if strings.HasPrefix(plain, p) {
			return true
		}
	}
	if len(s) <= 5 {
		for _, special := range []string{".inf", "-.inf", "+.inf", ".nan"} {
			if strings.EqualFold(s, special) {
				return true
			}
		}
	}
	return false
}

var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
