package yamlscalar

import "strings"

// NeedsQuote reports whether s must be quoted by a YAML writer: written as
// a plain scalar, a YAML 1.2 core-schema reader (yaml.v3) or a YAML 1.1
// reader (PyYAML, Ruby's Psych, go-yaml v2) could read it as something other
// than the string s. It answers for the value only; whether s can be written
// plain at all (indicators, ": ", " #", line breaks) is the writer's concern.
//
// The YAML 1.1 rules are the regular expressions of the 1.1 type repository
// (yaml.org/type: bool, null, int, float, timestamp, merge, value), plus what
// real 1.1 readers add to them:
//
//   - bool:  y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|
//     on|On|ON|off|Off|OFF, and any other case of these and of null (Psych
//     reads yEs as true and nULL as nil).
//   - null:  ~|null|Null|NULL and the empty string.
//   - int:   [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) |
//     [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+ (base 60);
//     Psych also takes commas as separators (1,000 is 1000), and Psych and
//     go-yaml v2's writer let a base-60 number start with 0 (09:30).
//   - float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? |
//     [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* (base 60) |
//     [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN), any case (Psych). The type
//     repository writes the fraction of the base-10 form as [0-9.]*, which
//     would make 127.0.0.1 and 1.2.3 floats: no reader does that (PyYAML,
//     Psych and go-yaml v2 take [0-9_]* or [0-9]*), so neither does this.
//     Psych allows commas before the point (1,000.5) when the fraction has
//     no underscore.
//   - timestamp: every 1.1 form (and Psych's, and go-yaml's, and yaml.v3's)
//     starts with four digits and '-' (Psych allows a '-' before them): any
//     such string is quoted, as MayBeNumberOrTime does for yaml.v3.
//   - merge: <<, and value: =.
//
// The YAML 1.2 rules are those of MayBeNumberOrTime and the core schema's
// true/false/null words, which the 1.1 words above include.
//
// NeedsQuote uses no regular expression and does not allocate, except when
// it asks MayBeNumberOrTime about a string that could be a yaml.v3 number
// (1.5e3, 0x1f) after a scan that rules out most others (addresses, MACs,
// versions).
func NeedsQuote(s string) bool {
	if s == "" {
		return true // null
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '-', c == '+', c == '.':
		return timestampPrefix(s) || yaml11Number(s) || mayBeV3Number(s) && MayBeNumberOrTime(s)
	case c == '~':
		return s == "~"
	case c == '<':
		return s == "<<"
	case c == '=':
		return s == "="
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return len(s) <= 5 && yaml11Word(s)
	}
	return false
}

// yaml11Word is a bool or null word of YAML 1.1 in any case.
func yaml11Word(s string) bool {
	var words []string
	switch len(s) {
	case 1:
		words = []string{"y", "n"}
	case 2:
		words = []string{"no", "on"}
	case 3:
		words = []string{"yes", "off"}
	case 4:
		words = []string{"true", "null"}
	case 5:
		words = []string{"false"}
	}
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// timestampPrefix is -?[0-9]{4}-.
func timestampPrefix(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	return len(s) >= 5 && s[4] == '-' && allDigits(s[:4])
}

// yaml11Number is an int or float of YAML 1.1 (see NeedsQuote).
func yaml11Number(s string) bool {
	b := s
	if b[0] == '-' || b[0] == '+' {
		b = b[1:]
	}
	if b == "" {
		return false
	}
	if b[0] == '.' && len(b) == 4 {
		if strings.EqualFold(b, ".inf") {
			return true
		}
		if strings.EqualFold(b, ".nan") {
			return len(b) == len(s) // no sign
		}
	}
	if len(b) > 2 && b[0] == '0' && (b[1] == 'b' || b[1] == 'x') {
		for i := 2; i < len(b); i++ {
			c := b[i]
			switch {
			case c == '_', c == ',', c == '0', c == '1':
			case b[1] == 'x' && (c >= '2' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			default:
				return false
			}
		}
		return true
	}

	// The integer part: [0-9][0-9_,]*, or nothing before a '.'.
	i, comma := 0, false
	if b[0] >= '0' && b[0] <= '9' {
		for i = 1; i < len(b); i++ {
			c := b[i]
			if c == ',' {
				comma = true
			} else if c != '_' && (c < '0' || c > '9') {
				break
			}
		}
	}
	intPart := b[:i]
	if i == len(b) {
		return yaml11Int(intPart, comma)
	}
	switch b[i] {
	case ':':
		// Base 60: [0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?
		if intPart == "" || comma {
			return false
		}
		for i < len(b) && b[i] == ':' {
			i++
			n := 0
			for i < len(b) && n < 2 && b[i] >= '0' && b[i] <= '9' {
				i++
				n++
			}
			if n == 0 || n == 2 && b[i-2] > '5' {
				return false
			}
		}
		if i == len(b) {
			return true
		}
		if b[i] != '.' {
			return false
		}
		return digitsOr(b[i+1:], '_')
	case '.':
		// ([0-9][0-9_,]*)?\.[0-9_]*([eE][-+][0-9]+)?, no '_' after the
		// point when there is a ',' before it.
		i++
		frac := i
		for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '_') {
			i++
		}
		if comma && strings.IndexByte(b[frac:i], '_') >= 0 {
			return false
		}
		if i == len(b) {
			return true
		}
		if b[i] != 'e' && b[i] != 'E' || i+2 >= len(b) || b[i+1] != '-' && b[i+1] != '+' {
			return false
		}
		return digitsOr(b[i+2:], 0)
	}
	return false
}

// yaml11Int is the int forms of 1.1 for [0-9][0-9_,]*: 0, octal
// 0[0-7_,]+, decimal [1-9][0-9_]*, or Psych's decimal with commas,
// [1-9](,?[0-9]|_[0-9])*.
func yaml11Int(s string, comma bool) bool {
	if s[0] == '0' {
		for i := 1; i < len(s); i++ {
			if s[i] == '8' || s[i] == '9' {
				return false
			}
		}
		return true
	}
	if !comma {
		return true
	}
	for i := 1; i < len(s); i++ {
		if (s[i] == ',' || s[i] == '_') && (i+1 == len(s) || s[i+1] < '0' || s[i+1] > '9') {
			return false
		}
	}
	return true
}

// digitsOr is [0-9]* with the byte extra allowed too (0: none).
func digitsOr(s string, extra byte) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && (extra == 0 || s[i] != extra) {
			return false
		}
	}
	return true
}

// mayBeV3Number is false where MayBeNumberOrTime(s) is false, for s that
// timestampPrefix and yaml11Number (which has the special floats) said no
// to: what yaml.v3 reads as a number is made of signs, digits, '_', at most
// one '.', an exponent and the 0x, 0o and 0b prefixes with hex digits — but
// anything after a 0b or 0o prefix counts too.
func mayBeV3Number(s string) bool {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F',
			c == '_', c == '+', c == '-', c == 'x', c == 'X', c == 'o', c == 'O':
		case c == '.':
			dots++
		default:
			return binaryOrOctalPrefix(s)
		}
	}
	return dots <= 1 || binaryOrOctalPrefix(s)
}

// binaryOrOctalPrefix is [-+]?0[bo] once the '_' are taken out, as
// MayBeNumberOrTime looks at it.
func binaryOrOctalPrefix(s string) bool {
	var p [4]byte
	n := 0
	for i := 0; i < len(s) && n < len(p); i++ {
		if s[i] != '_' {
			p[n] = s[i]
			n++
		}
	}
	q := p[:n]
	if n > 0 && (q[0] == '-' || q[0] == '+') {
		q = q[1:]
	}
	return len(q) >= 2 && q[0] == '0' && (q[1] == 'b' || q[1] == 'o')
}
